import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { promisify } from 'node:util';

import Database from 'better-sqlite3';

import { isClaroError } from '../errors.js';
import type { IndexReport } from '../indexer/report.js';
import type { ScanResult } from '../indexer/types.js';
import type { DistributionKey, Vulnerability } from '../vuln/types.js';
import { SqliteStore } from './sqlite.js';
import { MIGRATIONS } from './sqlite/migrations.js';
import { SECDB, secdbPackages, secdbRecords } from './testdata/secdb.js';

const UPDATER = 'alpine-secdb';
const { file: FEED, dist: DIST } = SECDB.v320;
const ALL = secdbRecords(FEED, DIST, { updater: UPDATER });
const PACKAGES = secdbPackages(FEED);

let tmp = '';
before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'claro-store-'));
});
after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

let counter = 0;
function freshPath(): string {
  counter += 1;
  return path.join(tmp, `store-${counter}.db`);
}

function freshStore(): SqliteStore {
  return SqliteStore.open(freshPath());
}

/** Stable identity of a record, for comparing unordered lists. */
function key(v: Vulnerability): string {
  return JSON.stringify([v.name, v.packageName, v.fixedInVersion, v.updater]);
}

function sorted(vs: readonly Vulnerability[]): Vulnerability[] {
  return [...vs].sort((a, b) => key(a).localeCompare(key(b)));
}

function recordsOf(pkgs: readonly string[]): Vulnerability[] {
  return secdbRecords(FEED, DIST, { updater: UPDATER, packages: pkgs });
}

function isStoreError(code: 'STORE_FAILED' | 'NOT_FOUND' | 'INVALID_ARGUMENT') {
  return (err: unknown) => isClaroError(err, code);
}

describe('SqliteStore layer records, scan results and index reports', () => {
  it('returns a layer record by digest and reader', async () => {
    const store = freshStore();
    const rec = {
      whiteouts: ['etc/ssl/openssl.cnf'],
      opaqueDirs: ['usr/share/doc'],
      replaced: ['usr/lib/ssl'],
      paths: ['var/lib/dpkg/status', 'etc/os-release'],
      notices: [],
    };
    await store.putLayerRecord('sha256:aa', 'reader/1', rec);

    assert.deepEqual(await store.getLayerRecord('sha256:aa', 'reader/1'), rec);
    assert.equal(
      await store.getLayerRecord('sha256:aa', 'reader/2'),
      undefined,
    );
    assert.equal(
      await store.getLayerRecord('sha256:bb', 'reader/1'),
      undefined,
    );

    const next = { ...rec, paths: [] };
    await store.putLayerRecord('sha256:aa', 'reader/1', next);
    assert.deepEqual(await store.getLayerRecord('sha256:aa', 'reader/1'), next);
    await store.close();
  });

  it('keeps scan results apart by scanner version', async () => {
    const store = freshStore();
    const v1: ScanResult = {
      packages: [
        {
          path: 'var/lib/dpkg/status',
          packages: [
            {
              name: 'libssl3',
              version: '3.0.11-1~deb12u2',
              kind: 'binary',
              source: { name: 'openssl', version: '3.0.11-1~deb12u2' },
              packageDb: 'dpkg:var/lib/dpkg/status',
              arch: 'amd64',
              scheme: 'dpkg',
            },
          ],
        },
      ],
      distributions: [],
      notices: [{ code: 'skipped-file', message: 'odd', path: 'x' }],
    };
    const v2: ScanResult = { packages: [], distributions: [], notices: [] };
    await store.putScanResult('sha256:aa', { name: 'dpkg', version: '1' }, v1);
    await store.putScanResult('sha256:aa', { name: 'dpkg', version: '2' }, v2);

    const get = (version: string) =>
      store.getScanResult('sha256:aa', { name: 'dpkg', version });
    assert.deepEqual(await get('1'), v1);
    assert.deepEqual(await get('2'), v2);
    assert.equal(await get('3'), undefined);
    await store.close();
  });

  it('stores, replaces and deletes index reports by manifest', async () => {
    const store = freshStore();
    const report: IndexReport = {
      manifestHash: 'sha256:m1',
      state: 'IndexFinished',
      packages: {},
      environments: {},
      distributions: {},
      lowerLayersOnly: { packages: {}, environments: {} },
      layers: ['sha256:l1', 'sha256:l2'],
      notices: [],
      success: true,
      err: '',
    };
    await store.putIndexReport(report);
    assert.deepEqual(await store.getIndexReport('sha256:m1'), report);

    const failed = { ...report, state: 'IndexError' as const, success: false };
    await store.putIndexReport(failed);
    assert.deepEqual(await store.getIndexReport('sha256:m1'), failed);

    assert.equal(await store.deleteIndexReport('sha256:m1'), true);
    assert.equal(await store.deleteIndexReport('sha256:m1'), false);
    assert.equal(await store.getIndexReport('sha256:m1'), undefined);
    await store.close();
  });
});

describe('SqliteStore update operations', () => {
  it('serves every record of a run exactly as given', async () => {
    const store = freshStore();
    assert.equal(await store.hasVulnerabilityData(), false);

    const { operation, changed } = await store.applyUpdate(UPDATER, 'f1', {
      vulnerabilities: ALL,
      coverage: [DIST],
    });
    assert.equal(changed, true);
    assert.equal(operation.count, new Set(ALL.map(key)).size);
    assert.equal(await store.hasVulnerabilityData(), true);

    const served: Vulnerability[] = [];
    for (const packageName of new Set(PACKAGES)) {
      const q = { updaters: ['alpine-'], distribution: DIST, packageName };
      served.push(...(await store.vulnerabilities(q)));
    }
    assert.deepEqual(sorted(served), sorted(dedupe(ALL)));
    await store.close();
  });

  it('keeps an absent, an empty and a named code name apart', async () => {
    const store = freshStore();
    const base = ALL[0]!;
    const variants: Vulnerability[] = [
      { ...base, distribution: { did: 'alpine', versionId: '3.20' } },
      {
        ...base,
        distribution: { did: 'alpine', versionId: '3.20', versionCodeName: '' },
      },
      {
        ...base,
        distribution: {
          did: 'alpine',
          versionId: '3.20',
          versionCodeName: 'x',
        },
      },
    ];
    await store.applyUpdate(UPDATER, 'f1', {
      vulnerabilities: variants,
      coverage: [],
    });

    const got = await store.vulnerabilities({
      updaters: [UPDATER],
      distribution: DIST,
      packageName: base.packageName,
    });
    assert.deepEqual(got, variants);
    await store.close();
  });

  it('matches updater names by exact prefix only', async () => {
    const store = freshStore();
    const rec = ALL[0]!;
    await store.applyUpdate(UPDATER, 'f1', {
      vulnerabilities: [rec],
      coverage: [DIST],
    });
    const cases: [readonly string[], number][] = [
      [['alpine-'], 1],
      [['alpine-secdb'], 1],
      [['debian-', 'alpine'], 1],
      [['ALPINE-'], 0],
      [['alpine_'], 0],
      [['alpine-%'], 0],
      [['alpine-secdb-x'], 0],
      [[], 0],
    ];
    for (const [updaters, n] of cases) {
      const q = { updaters, distribution: DIST, packageName: rec.packageName };
      assert.equal((await store.vulnerabilities(q)).length, n, `${updaters}`);
      assert.equal(await store.covers(DIST, updaters), n === 1, `${updaters}`);
    }
    await store.close();
  });

  it('matches on distribution and package name', async () => {
    const store = freshStore();
    const rec = ALL[0]!;
    await store.applyUpdate(UPDATER, 'f1', {
      vulnerabilities: [rec],
      coverage: [],
    });
    const cases: [string, string, string, number][] = [
      ['alpine', '3.20', rec.packageName, 1],
      ['alpine', '3.19', rec.packageName, 0],
      ['wolfi', '3.20', rec.packageName, 0],
      ['alpine', '3.20', `${rec.packageName}-doc`, 0],
    ];
    for (const [did, versionId, packageName, n] of cases) {
      const q = {
        updaters: ['alpine-'],
        distribution: { did, versionId },
        packageName,
      };
      assert.equal((await store.vulnerabilities(q)).length, n);
    }
    await store.close();
  });

  it('changes nothing when the fingerprint equals the latest', async () => {
    const store = freshStore();
    const data = { vulnerabilities: ALL.slice(0, 20), coverage: [DIST] };
    const first = await store.applyUpdate(UPDATER, 'f1', data);
    const again = await store.applyUpdate(UPDATER, 'f1', {
      vulnerabilities: [],
      coverage: [],
    });

    assert.equal(again.changed, false);
    assert.deepEqual(again.operation, first.operation);
    assert.deepEqual(await store.updateOperations(UPDATER), [first.operation]);
    await store.close();
  });

  it('serves the latest run and lists runs newest first', async () => {
    const store = freshStore();
    const pkg = ALL[0]!.packageName;
    const q = { updaters: ['alpine-'], distribution: DIST, packageName: pkg };
    const old = recordsOf([pkg]);
    const a = await store.applyUpdate(UPDATER, 'f1', {
      vulnerabilities: old,
      coverage: [DIST],
    });
    const b = await store.applyUpdate(UPDATER, 'f2', {
      vulnerabilities: old.slice(1),
      coverage: [DIST],
    });
    const other = await store.applyUpdate('alpine-other', 'f1', {
      vulnerabilities: [],
      coverage: [],
    });

    assert.equal(b.changed, true);
    assert.deepEqual(
      sorted(await store.vulnerabilities(q)),
      sorted(old.slice(1)),
    );
    assert.deepEqual(await store.updateOperations(UPDATER), [
      b.operation,
      a.operation,
    ]);
    assert.deepEqual(await store.updateOperations(), [
      other.operation,
      b.operation,
      a.operation,
    ]);
    assert.deepEqual(await store.updateOperations('none'), []);
    await store.close();
  });

  it('stores a record repeated across runs once', async () => {
    const file = freshPath();
    const store = SqliteStore.open(file);
    const data = { vulnerabilities: ALL, coverage: [DIST] };
    await store.applyUpdate(UPDATER, 'f1', data);
    await store.applyUpdate(UPDATER, 'f2', data);
    await store.close();

    const db = new Database(file, { readonly: true });
    const count = (table: string) =>
      db.prepare(`SELECT count(*) FROM ${table}`).pluck().get();
    assert.equal(count('vuln'), dedupe(ALL).length);
    assert.equal(count('uo_vuln'), 2 * dedupe(ALL).length);
    db.close();
  });
});

describe('SqliteStore.updateDiff', () => {
  const pkgs = [...new Set(PACKAGES)];
  const first = pkgs.slice(0, 30);
  const second = pkgs.slice(20);

  it('lists records added and removed between two runs', async () => {
    const store = freshStore();
    const a = await store.applyUpdate(UPDATER, 'f1', {
      vulnerabilities: recordsOf(first),
      coverage: [DIST],
    });
    const b = await store.applyUpdate(UPDATER, 'f2', {
      vulnerabilities: recordsOf(second),
      coverage: [DIST],
    });

    const diff = await store.updateDiff(a.operation.ref, b.operation.ref);
    const onlyFirst = first.filter((p) => !second.includes(p));
    const onlySecond = second.filter((p) => !first.includes(p));
    assert.deepEqual(diff.prev, a.operation);
    assert.deepEqual(diff.cur, b.operation);
    assert.deepEqual(sorted(diff.added), sorted(dedupe(recordsOf(onlySecond))));
    assert.deepEqual(
      sorted(diff.removed),
      sorted(dedupe(recordsOf(onlyFirst))),
    );

    const back = await store.updateDiff(b.operation.ref, a.operation.ref);
    assert.deepEqual(sorted(back.added), sorted(diff.removed));
    assert.deepEqual(sorted(back.removed), sorted(diff.added));
    await store.close();
  });

  it('lists every record as added without a previous run', async () => {
    const store = freshStore();
    const a = await store.applyUpdate(UPDATER, 'f1', {
      vulnerabilities: recordsOf(first),
      coverage: [DIST],
    });
    const diff = await store.updateDiff(undefined, a.operation.ref);
    assert.equal(diff.prev, undefined);
    assert.deepEqual(sorted(diff.added), sorted(dedupe(recordsOf(first))));
    assert.deepEqual(diff.removed, []);
    await store.close();
  });

  it('rejects unknown refs and runs of different updaters', async () => {
    const store = freshStore();
    const data = { vulnerabilities: [], coverage: [] };
    const a = await store.applyUpdate(UPDATER, 'f1', data);
    const b = await store.applyUpdate('debian-dsa', 'f1', data);
    const ref = a.operation.ref;
    const unknown = '00000000-0000-4000-8000-000000000000';

    await assert.rejects(
      store.updateDiff(unknown, ref),
      isStoreError('NOT_FOUND'),
    );
    await assert.rejects(
      store.updateDiff(ref, unknown),
      isStoreError('NOT_FOUND'),
    );
    await assert.rejects(
      store.updateDiff(ref, b.operation.ref),
      isStoreError('INVALID_ARGUMENT'),
    );
    await store.close();
  });
});

describe('SqliteStore.covers', () => {
  it('answers from the latest run of matching updaters only', async () => {
    const store = freshStore();
    const v319 = SECDB.v319.dist;
    await store.applyUpdate(UPDATER, 'f1', {
      vulnerabilities: [],
      coverage: [DIST, v319],
    });
    assert.equal(await store.covers(DIST, ['alpine-']), true);
    assert.equal(await store.covers(v319, ['alpine-']), true);
    assert.equal(
      await store.covers({ did: 'alpine', versionId: '3.18' }, ['alpine-']),
      false,
    );
    assert.equal(await store.covers(DIST, ['debian-']), false);

    await store.applyUpdate(UPDATER, 'f2', {
      vulnerabilities: [],
      coverage: [DIST],
    });
    assert.equal(await store.covers(DIST, ['alpine-']), true);
    assert.equal(await store.covers(v319, ['alpine-']), false);
    await store.close();
  });
});

describe('SqliteStore robustness', () => {
  it('keeps the previous run whole when storing a run fails', async () => {
    const store = freshStore();
    const pkg = ALL[0]!.packageName;
    const q = { updaters: ['alpine-'], distribution: DIST, packageName: pkg };
    const good = await store.applyUpdate(UPDATER, 'f1', {
      vulnerabilities: recordsOf([pkg]),
      coverage: [DIST],
    });
    const bad = {
      ...ALL[0]!,
      name: 'CVE-0000-0000',
      normalizedSeverity: 'Severe',
    } as unknown as Vulnerability;

    await assert.rejects(
      store.applyUpdate(UPDATER, 'f2', {
        vulnerabilities: [...ALL.slice(0, 100), bad],
        coverage: [SECDB.v319.dist],
      }),
      isStoreError('STORE_FAILED'),
    );

    assert.deepEqual(await store.updateOperations(), [good.operation]);
    assert.deepEqual(
      sorted(await store.vulnerabilities(q)),
      sorted(recordsOf([pkg])),
    );
    assert.equal(await store.covers(SECDB.v319.dist, ['alpine-']), false);
    const gc = await store.gcUpdateOperations(1);
    assert.deepEqual(gc, { operations: 0, vulnerabilities: 0 });
    await store.close();
  });

  it('removes old runs and their unshared records on collection', async () => {
    const store = freshStore();
    const pkgs = [...new Set(PACKAGES)];
    const runs = [pkgs.slice(0, 10), pkgs.slice(5, 15), pkgs.slice(10, 20)];
    const ops = [];
    for (const [i, run] of runs.entries()) {
      const data = { vulnerabilities: recordsOf(run), coverage: [DIST] };
      ops.push((await store.applyUpdate(UPDATER, `f${i}`, data)).operation);
    }
    const latest = ops[2]!;
    const dropped = dedupe(recordsOf(pkgs.slice(0, 10))).length;

    const gc = await store.gcUpdateOperations(1);
    assert.deepEqual(gc, { operations: 2, vulnerabilities: dropped });
    assert.deepEqual(await store.updateOperations(), [latest]);
    const diff = await store.updateDiff(undefined, latest.ref);
    assert.deepEqual(sorted(diff.added), sorted(dedupe(recordsOf(runs[2]!))));
    await assert.rejects(
      store.gcUpdateOperations(0),
      isStoreError('INVALID_ARGUMENT'),
    );
    await store.close();
  });

  it('names the path when the file is not a SQLite database', () => {
    const file = path.join(tmp, 'not-a-database.db');
    fs.writeFileSync(file, 'this is plain text, not SQLite\n'.repeat(40));
    assert.throws(
      () => SqliteStore.open(file),
      (err: unknown) =>
        isClaroError(err, 'STORE_FAILED') &&
        err.message.startsWith(`Cannot open store ${file}: `),
    );
  });

  it('fails with STORE_FAILED once closed', async () => {
    const store = freshStore();
    await store.close();
    await assert.rejects(
      store.getIndexReport('sha256:m1'),
      isStoreError('STORE_FAILED'),
    );
  });

  it('lets several processes open and write one new file at once', async () => {
    const file = freshPath();
    const child = path.join(
      import.meta.dirname,
      'testdata/concurrent-writer.ts',
    );
    const run = promisify(execFile);
    const names = ['alpine-a', 'alpine-b', 'alpine-c', 'alpine-d'];
    await Promise.all(
      names.map((name) =>
        run(process.execPath, ['--import', 'tsx', child, file, name]),
      ),
    );

    const store = SqliteStore.open(file);
    for (const name of names) {
      const ops = await store.updateOperations(name);
      assert.deepEqual(
        ops.map((o) => o.fingerprint),
        ['run-4', 'run-3', 'run-2', 'run-1', 'run-0'],
      );
      const layer = await store.getLayerRecord(`sha256:${name}-4`, 'reader');
      assert.deepEqual(layer?.paths, [name]);
    }
    await store.close();
  });

  it('answers thousands of queries over thousands of records', async () => {
    const store = freshStore();
    const records: Vulnerability[] = [];
    for (let i = 0; i < 1000; i++) {
      for (const rec of ALL.slice(0, 5)) {
        records.push({ ...rec, packageName: `pkg-${i}` });
      }
    }
    await store.applyUpdate(UPDATER, 'f1', {
      vulnerabilities: records,
      coverage: [DIST],
    });

    let found = 0;
    for (let i = 0; i < 2000; i++) {
      const packageName = `pkg-${i % 1500}`;
      const q = { updaters: ['alpine-'], distribution: DIST, packageName };
      found += (await store.vulnerabilities(q)).length;
    }
    assert.equal(found, 1000 * 5 + 500 * 5);
    await store.close();
  });
});

/** A report holding busybox (source busybox) and, lower only, openssl. */
function alpineReport(manifest: string, versionId = '3.20'): IndexReport {
  const pkg = (id: string, name: string, source: string) => ({
    id,
    name,
    version: '1.0-r0',
    kind: 'binary' as const,
    source: { name: source, version: '1.0-r0' },
    packageDb: 'lib/apk/db/installed',
    scheme: 'apk',
  });
  const env = [
    {
      packageDb: 'lib/apk/db/installed',
      introducedIn: 'sha256:l1',
      distributionId: '1',
    },
  ];
  return {
    manifestHash: manifest,
    state: 'IndexFinished',
    packages: { '1': pkg('1', 'ssl_client', 'busybox') },
    environments: { '1': env },
    distributions: {
      '1': {
        id: '1',
        did: 'alpine',
        name: 'Alpine Linux',
        versionId,
        version: `${versionId}.3`,
        versionCodeName: '',
        prettyName: 'Alpine Linux',
      },
    },
    lowerLayersOnly: {
      packages: { '2': pkg('2', 'libssl3', 'openssl') },
      environments: { '2': env },
    },
    layers: ['sha256:l1'],
    notices: [],
    success: true,
    err: '',
  };
}

describe('SqliteStore.manifestsWithPackage', () => {
  it('finds manifests by binary or source name, installed or lower only', async () => {
    const store = freshStore();
    await store.putIndexReport(alpineReport('sha256:m1'));
    await store.putIndexReport(alpineReport('sha256:m2', '3.19'));
    const alpine320: DistributionKey = { did: 'alpine', versionId: '3.20' };

    const find = (packageName: string, distribution?: typeof alpine320) =>
      store.manifestsWithPackage(
        distribution ? { packageName, distribution } : { packageName },
      );

    assert.deepEqual(await find('ssl_client'), ['sha256:m1', 'sha256:m2']);
    assert.deepEqual(await find('busybox', alpine320), ['sha256:m1']);
    assert.deepEqual(await find('openssl', alpine320), ['sha256:m1']);
    assert.deepEqual(
      await find('libssl3', { ...alpine320, versionId: '3.19' }),
      ['sha256:m2'],
    );
    assert.deepEqual(
      await find('busybox', { ...alpine320, versionCodeName: 'x' }),
      [],
    );
    assert.deepEqual(await find('musl'), []);

    await store.deleteIndexReport('sha256:m1');
    assert.deepEqual(await find('busybox'), ['sha256:m2']);
    await store.close();
  });

  it('indexes reports stored before the package table existed', async () => {
    const file = freshPath();
    const v1 = MIGRATIONS.filter((m) => m.version === 1);
    const old = SqliteStore.open(file, { migrations: v1 });
    await old.close();
    const db = new Database(file);
    db.prepare('INSERT INTO index_report (manifest, data) VALUES (?, ?)').run(
      'sha256:old',
      JSON.stringify(alpineReport('sha256:old')),
    );
    db.close();

    const store = SqliteStore.open(file);
    const dist = { did: 'alpine', versionId: '3.20', versionCodeName: '' };
    for (const packageName of ['ssl_client', 'busybox', 'libssl3', 'openssl']) {
      assert.deepEqual(
        await store.manifestsWithPackage({ packageName, distribution: dist }),
        ['sha256:old'],
        packageName,
      );
    }
    await store.close();
  });
});

describe('SqliteStore updater status', () => {
  it('keeps the last success and records through a failed attempt', async () => {
    const store = freshStore();
    await store.recordUpdaterAttempt({
      updater: 'alpine-secdb-v3.20-main',
      at: '2026-12-01T00:00:00.000Z',
      records: 12,
    });
    await store.recordUpdaterAttempt({
      updater: 'alpine-secdb-v3.20-main',
      at: '2026-12-02T00:00:00.000Z',
      error: 'Cannot fetch feed: 503',
    });
    await store.recordUpdaterAttempt({
      updater: 'debian-dsa',
      at: '2026-12-02T00:00:00.000Z',
      records: 3,
    });

    assert.deepEqual(await store.updaterStatus(), [
      {
        updater: 'alpine-secdb-v3.20-main',
        lastAttempt: '2026-12-02T00:00:00.000Z',
        lastSuccess: '2026-12-01T00:00:00.000Z',
        lastError: 'Cannot fetch feed: 503',
        records: 12,
      },
      {
        updater: 'debian-dsa',
        lastAttempt: '2026-12-02T00:00:00.000Z',
        lastSuccess: '2026-12-02T00:00:00.000Z',
        records: 3,
      },
    ]);

    await store.recordUpdaterAttempt({
      updater: 'alpine-secdb-v3.20-main',
      at: '2026-12-03T00:00:00.000Z',
      records: 13,
    });
    const [alpine] = await store.updaterStatus();
    assert.equal(alpine?.lastError, undefined);
    assert.equal(alpine?.lastSuccess, '2026-12-03T00:00:00.000Z');
    assert.equal(alpine?.records, 13);
    await store.close();
  });
});

describe('SqliteStore migrations', () => {
  it('applies each migration once and keeps the data', async () => {
    const file = freshPath();
    const first = SqliteStore.open(file);
    await first.putLayerRecord('sha256:aa', 'r', {
      whiteouts: [],
      opaqueDirs: [],
      replaced: [],
      paths: ['a'],
      notices: [],
    });
    await first.close();
    const second = SqliteStore.open(file);
    assert.deepEqual((await second.getLayerRecord('sha256:aa', 'r'))?.paths, [
      'a',
    ]);
    await second.close();

    const db = new Database(file, { readonly: true });
    const versions = db
      .prepare('SELECT version FROM schema_migrations ORDER BY version')
      .pluck()
      .all();
    db.close();
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

  it('rejects a database whose schema is newer than the code', async () => {
    const file = freshPath();
    const later = [
      ...MIGRATIONS,
      {
        version: MIGRATIONS.length + 1,
        name: 'later',
        sql: 'CREATE TABLE later (x)',
      },
    ];
    await SqliteStore.open(file, { migrations: later }).close();

    assert.throws(
      () => SqliteStore.open(file),
      (err: unknown) =>
        isClaroError(err, 'STORE_FAILED') &&
        err.message.includes(file) &&
        err.message.includes(`schema version ${later.length} is newer`),
    );
  });
});

function dedupe(vs: readonly Vulnerability[]): Vulnerability[] {
  const seen = new Map(vs.map((v) => [key(v), v]));
  return [...seen.values()];
}
