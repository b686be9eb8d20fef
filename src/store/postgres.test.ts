/**
 * What only the PostgreSQL engine promises: normalised report rows, one
 * schema history under concurrent opens, and locks and writes shared by
 * several stores (as several processes' pools) on one database. The
 * behaviour both engines share is in contract.test.ts.
 */
import net from 'node:net';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';

import { isClaroError } from '../errors.js';
import { PostgresStore, type PostgresStoreOptions } from './postgres.js';
import { advisoryKey } from './postgres/keys.js';
import { MIGRATIONS } from './postgres/migrations.js';
import {
  countRows,
  dropSchemas,
  freshSchema,
  postgresSuiteOptions,
  TEST_POSTGRES,
  withAdmin,
} from './testdata/postgres.js';
import { alpineReport, debianReport } from './testdata/reports.js';
import { SECDB, secdbRecords } from './testdata/secdb.js';

after(dropSchemas);

const suite = await postgresSuiteOptions();

function open(schema: string, opts: PostgresStoreOptions = {}) {
  return PostgresStore.open(TEST_POSTGRES, { schema, ...opts });
}

/** Two stores on one fresh schema, closed after `fn`. */
async function twoStores(
  fn: (a: PostgresStore, b: PostgresStore) => Promise<void>,
  opts: PostgresStoreOptions = {},
): Promise<void> {
  const schema = freshSchema();
  const a = await open(schema, opts);
  const b = await open(schema, opts);
  try {
    await fn(a, b);
  } finally {
    await a.close();
    await b.close();
  }
}

describe('PostgresStore index reports', suite, () => {
  it('stores a package, a distribution once for every report', async () => {
    const schema = freshSchema();
    const store = await open(schema);
    await store.putIndexReport(debianReport('sha256:m1'));
    await store.putIndexReport(debianReport('sha256:m2'));
    await store.putIndexReport(debianReport('sha256:m2'));
    const count = (table: string) => countRows(schema, table);

    assert.equal(await count('manifest'), 2);
    assert.equal(await count('package'), 6);
    assert.equal(await count('distribution'), 1);
    assert.equal(await count('manifest_package'), 12);
    assert.equal(await count('manifest_distribution'), 2);

    assert.equal(await store.deleteIndexReport('sha256:m1'), true);
    assert.equal(await count('manifest_package'), 6);
    assert.equal(await count('manifest_distribution'), 1);
    assert.deepEqual(
      await store.getIndexReport('sha256:m2'),
      debianReport('sha256:m2'),
    );
    await store.close();
  });

  it('lets two stores put reports sharing packages at once', () =>
    twoStores(async (a, b) => {
      const puts = [];
      for (let i = 0; i < 10; i++) {
        const store = i % 2 === 0 ? a : b;
        puts.push(store.putIndexReport(debianReport(`sha256:m${i % 4}`)));
        puts.push(store.putIndexReport(alpineReport(`sha256:n${i}`)));
      }
      await Promise.all(puts);

      assert.equal(await countRows(a.schema, 'package'), 8);
      for (let i = 0; i < 4; i++) {
        const m = `sha256:m${i}`;
        assert.deepEqual(await b.getIndexReport(m), debianReport(m));
      }
      const found = await a.manifestsWithPackage({ packageName: 'busybox' });
      assert.equal(found.length, 10);
    }));
});

describe('PostgresStore update operations', suite, () => {
  const { file, dist } = SECDB.v320;
  const records = secdbRecords(file, dist, { updater: 'alpine-secdb' });

  it('stores a record repeated across runs once', async () => {
    const schema = freshSchema();
    const store = await open(schema);
    const data = { vulnerabilities: records, coverage: [dist] };
    await store.applyUpdate('alpine-secdb', 'f1', data);
    await store.applyUpdate('alpine-secdb', 'f2', data);
    await store.close();

    const unique = new Set(records.map((r) => JSON.stringify(r))).size;
    assert.equal(await countRows(schema, 'vuln'), unique);
    assert.equal(await countRows(schema, 'uo_vuln'), 2 * unique);
  });

  it('stores one run applied by two stores at once once', () =>
    twoStores(async (a, b) => {
      const data = { vulnerabilities: records, coverage: [dist] };
      const runs = await Promise.all([
        a.applyUpdate('alpine-secdb', 'f1', data),
        b.applyUpdate('alpine-secdb', 'f1', data),
        a.applyUpdate('alpine-secdb', 'f1', data),
      ]);

      assert.equal(runs.filter((r) => r.changed).length, 1);
      assert.deepEqual(runs[0]!.operation, runs[1]!.operation);
      assert.equal((await b.updateOperations()).length, 1);
    }));

  it('stores runs of two updaters sharing records at once', () =>
    twoStores(async (a, b) => {
      const shared = records.flatMap((r) =>
        [1, 2].map((i) => ({
          ...r,
          packageName: `${r.packageName}-${i}`,
        })),
      );
      const [one, two] = await Promise.all([
        a.applyUpdate('alpine-one', 'f1', {
          vulnerabilities: shared,
          coverage: [dist],
        }),
        b.applyUpdate('alpine-two', 'f1', {
          vulnerabilities: [...shared].reverse(),
          coverage: [dist],
        }),
      ]);

      const unique = new Set(shared.map((r) => JSON.stringify(r))).size;
      assert.equal(one.operation.count, unique);
      assert.equal(two.operation.count, unique);
      assert.equal(await countRows(a.schema, 'vuln'), unique);
    }));

  it('collects while another store applies runs, losing no record', () =>
    twoStores(async (a, b) => {
      const half = records.slice(0, 200);
      const runs = [];
      for (let i = 0; i < 6; i++) {
        const vulnerabilities = i % 2 === 0 ? half : records.slice(100, 300);
        runs.push(
          a.applyUpdate('alpine-secdb', `f${i}`, {
            vulnerabilities,
            coverage: [dist],
          }),
        );
        runs.push(b.gcUpdateOperations(1));
      }
      await Promise.all(runs);
      await b.gcUpdateOperations(1);

      const [latest] = await a.updateOperations();
      const diff = await a.updateDiff(undefined, latest!.ref);
      assert.equal(diff.added.length, latest!.count);
      assert.equal(await countRows(a.schema, 'vuln'), latest!.count);
    }));
});

describe('PostgresStore locks across stores', suite, () => {
  it('serialises holders of one lock in two stores', () =>
    twoStores(async (a, b) => {
      let inside = 0;
      let most = 0;
      const hold = (store: PostgresStore) =>
        store.withLock('manifest:sha256:m1', async () => {
          inside += 1;
          most = Math.max(most, inside);
          await sleep(15);
          inside -= 1;
        });

      await Promise.all([a, b, a, b, b, a].map(hold));

      assert.equal(most, 1);
    }));

  it('reports a lock held by another store to tryLock', () =>
    twoStores(async (a, b) => {
      let release = (): void => {};
      const held = a.withLock(
        'updater:alpine',
        () => new Promise<void>((r) => (release = r)),
      );
      await sleep(50);

      const busy = await b.tryLock('updater:alpine', async () => 1);
      release();
      await held;
      const free = await b.tryLock('updater:alpine', async () => 2);

      assert.deepEqual(busy, { acquired: false });
      assert.deepEqual(free, { acquired: true, value: 2 });
    }));

  it('keeps holders served while many callers wait on a small pool', () =>
    twoStores(
      async (a, b) => {
        let done = 0;
        const request = (store: PostgresStore, i: number) =>
          store.withLock('manifest:sha256:m1', async () => {
            await store.getIndexReport('sha256:m1');
            await store.withLock(`layer:sha256:l${i % 3}`, async () => {
              await store.putLayerRecord(`sha256:l${i % 3}`, 'r', {
                whiteouts: [],
                opaqueDirs: [],
                replaced: [],
                paths: [String(i)],
                notices: [],
              });
            });
            done += 1;
          });

        const started = performance.now();
        await Promise.all(
          Array.from({ length: 20 }, (_, i) => request(i % 2 ? a : b, i)),
        );

        assert.equal(done, 20);
        assert.ok(performance.now() - started < 20_000);
      },
      { poolSize: 1 },
    ));

  it('fails the holder when its lock connection is lost', async () => {
    const schema = freshSchema();
    const store = await open(schema);
    const name = 'manifest:sha256:lost';

    const held = store.withLock(name, async () => {
      await terminateHolder(advisoryKey(schema, `lock:${name}`));
      await sleep(100);
      return 'done';
    });

    await assert.rejects(
      held,
      (err: unknown) =>
        isClaroError(err, 'STORE_FAILED') &&
        err.message.startsWith(`Cannot hold lock ${name}: `),
    );
    assert.equal(await store.withLock(name, async () => 'again'), 'again');
    await store.close();
  });
});

describe('PostgresStore schema', suite, () => {
  it('applies each migration once when several stores open at once', async () => {
    const schema = freshSchema();
    const stores = await Promise.all([1, 2, 3, 4].map(() => open(schema)));
    await Promise.all(stores.map((s) => s.close()));

    const versions = await withAdmin(async (c) => {
      const res = await c.query<{ version: number }>(
        `SELECT version FROM "${schema}".schema_migrations ORDER BY version`,
      );
      return res.rows.map((r) => r.version);
    });
    assert.deepEqual(
      versions,
      MIGRATIONS.map((m) => m.version),
    );
  });

  it('numbers migrations 1, 2, 3… with no gap', () => {
    assert.deepEqual(
      MIGRATIONS.map((m) => m.version),
      MIGRATIONS.map((_, i) => i + 1),
    );
  });

  it('applies the later steps to an older schema and keeps its data', async () => {
    const schema = freshSchema();
    await (await open(schema, { migrations: MIGRATIONS.slice(0, 2) })).close();
    await withAdmin((c) =>
      c.query(
        `INSERT INTO "${schema}".manifest
           (hash, state, success, err, layers, notices)
         VALUES ('sha256:m1', 'IndexFinished', true, '', '["sha256:l1"]',
           '[]')`,
      ),
    );

    const store = await open(schema);
    assert.deepEqual(await store.getIndexReport('sha256:m1'), {
      manifestHash: 'sha256:m1',
      state: 'IndexFinished',
      packages: {},
      environments: {},
      distributions: {},
      lowerLayersOnly: { packages: {}, environments: {} },
      layers: ['sha256:l1'],
      notices: [],
      success: true,
      err: '',
    });
    assert.equal(await store.hasVulnerabilityData(), false);
    const revision = await store.indexReportVersion('sha256:m1');
    assert.equal(typeof revision, 'string');
    await store.putIndexReport(debianReport('sha256:m1'));
    assert.notEqual(await store.indexReportVersion('sha256:m1'), revision);
    await store.close();
  });

  it('refuses a schema newer than the code', async () => {
    const schema = freshSchema();
    await (await open(schema)).close();
    await withAdmin((c) =>
      c.query(
        `INSERT INTO "${schema}".schema_migrations (version, name)
         VALUES (${MIGRATIONS.length + 1}, 'later')`,
      ),
    );

    await assert.rejects(
      open(schema),
      (err: unknown) =>
        isClaroError(err, 'STORE_FAILED') &&
        err.message.startsWith(`Cannot open store ${TEST_POSTGRES}: `) &&
        err.message.includes(
          `schema version ${MIGRATIONS.length + 1} is newer`,
        ) &&
        err.message.endsWith('upgrade claro'),
    );
  });

  it('opens with libpq keyword/value words', async () => {
    const schema = freshSchema();
    const words = `host=127.0.0.1 port=5432 dbname='test' user=postgres`;
    const store = await PostgresStore.open(words, { schema });
    assert.equal(store.schema, schema);
    assert.equal(await store.hasVulnerabilityData(), false);
    await store.close();
  });

  it('rejects an empty or overlong schema name', async () => {
    for (const schema of ['', 'x'.repeat(64)]) {
      await assert.rejects(open(schema), (err: unknown) =>
        isClaroError(err, 'INVALID_ARGUMENT'),
      );
    }
  });
});

describe('PostgresStore.open without a server', () => {
  it('names the server, not the password, when it cannot connect', async () => {
    const port = await closedPort();
    const uri = `postgres://user:s3cret@127.0.0.1:${port}/test`;
    await assert.rejects(
      PostgresStore.open(uri),
      (err: unknown) =>
        isClaroError(err, 'STORE_FAILED') &&
        err.message.startsWith(
          `Cannot open store postgres://user:***@127.0.0.1:${port}/test: ` +
            'connect ECONNREFUSED',
        ) &&
        !err.message.includes('s3cret'),
    );

    const words = `host=127.0.0.1 port=${port} password='s3 cret'`;
    await assert.rejects(
      PostgresStore.open(words),
      (err: unknown) =>
        isClaroError(err, 'STORE_FAILED') &&
        err.message.includes('password=***') &&
        !err.message.includes('s3'),
    );
  });
});

/** Ends the server session holding an advisory lock, as a failover would. */
async function terminateHolder(key: string): Promise<void> {
  const k = BigInt.asUintN(64, BigInt(key));
  const classid = Number(k >> 32n);
  const objid = Number(k & 0xffffffffn);
  await withAdmin(async (c) => {
    const res = await c.query(
      `SELECT pg_terminate_backend(pid) FROM pg_locks
       WHERE locktype = 'advisory' AND classid = $1 AND objid = $2
         AND objsubid = 1 AND granted`,
      [classid, objid],
    );
    assert.equal(res.rowCount, 1);
  });
}

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
