import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { isClaroError } from '../errors.js';
import { openStore, sqlitePath } from './open.js';
import { PostgresStore } from './postgres.js';
import { SqliteStore } from './sqlite.js';
import {
  dropSchemas,
  freshSchema,
  postgresSuiteOptions,
  TEST_POSTGRES,
} from './testdata/postgres.js';

let tmp = '';
before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'claro-open-'));
});
after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});
after(dropSchemas);

describe('sqlitePath', () => {
  const cases: [string, string][] = [
    ['/var/lib/claro/claro.db', '/var/lib/claro/claro.db'],
    ['claro.db', 'claro.db'],
    ['sqlite:/var/lib/claro.db', '/var/lib/claro.db'],
    ['sqlite:claro.db', 'claro.db'],
    ['sqlite:///var/lib/claro.db', '/var/lib/claro.db'],
    [':memory:', ':memory:'],
    ['sqlite::memory:', ':memory:'],
  ];
  for (const [connstring, want] of cases) {
    it(`reads ${connstring} as ${want}`, () => {
      assert.equal(sqlitePath(connstring), want);
    });
  }

  const postgres = [
    'postgres://claro@127.0.0.1:5432/claro',
    'postgresql://claro:secret@127.0.0.1/claro?sslmode=disable',
    'host=127.0.0.1 port=5432 dbname=claro user=claro password=secret',
    'dbname = claro',
  ];
  for (const connstring of postgres) {
    it(`names no file for ${connstring}, without its password`, () => {
      assert.throws(
        () => sqlitePath(connstring),
        (err: unknown) =>
          isClaroError(err, 'INVALID_ARGUMENT') &&
          err.message.endsWith(
            ': a PostgreSQL connection string names no ' + 'SQLite file',
          ) &&
          !err.message.includes('secret'),
      );
    });
  }

  for (const connstring of ['', 'sqlite:', 'sqlite://']) {
    it(`rejects the empty path in '${connstring}'`, () => {
      assert.throws(
        () => sqlitePath(connstring),
        (err: unknown) => isClaroError(err, 'INVALID_ARGUMENT'),
      );
    });
  }
});

describe('openStore', () => {
  it('opens a private in-memory store for :memory:', async () => {
    const a = await openStore(':memory:');
    const b = await openStore(':memory:');
    await a.putLayerRecord('sha256:aa', 'r', {
      whiteouts: [],
      opaqueDirs: [],
      replaced: [],
      paths: ['x'],
      notices: [],
    });
    assert.deepEqual((await a.getLayerRecord('sha256:aa', 'r'))?.paths, ['x']);
    assert.equal(await b.getLayerRecord('sha256:aa', 'r'), undefined);
    await a.close();
    await b.close();
  });

  it('opens a SQLite file named with the sqlite: prefix', async () => {
    const file = path.join(tmp, 'named.db');
    const store = await openStore(`sqlite:${file}`);
    assert.ok(store instanceof SqliteStore);
    assert.equal(store.path, file);
    await store.close();
    assert.equal(fs.existsSync(file), true);
  });

  it('creates the default cache folder when no string is given', async () => {
    const cache = path.join(tmp, 'cache', 'nested');
    const saved = process.env['CLARO_CACHE_DIR'];
    process.env['CLARO_CACHE_DIR'] = cache;
    try {
      const store = await openStore(undefined);
      await store.close();
    } finally {
      if (saved === undefined) delete process.env['CLARO_CACHE_DIR'];
      else process.env['CLARO_CACHE_DIR'] = saved;
    }
    assert.equal(fs.existsSync(path.join(cache, 'claro.db')), true);
  });

  it('does not create the folder of an explicit path', async () => {
    const file = path.join(tmp, 'missing', 'claro.db');
    await assert.rejects(openStore(file), (err: unknown) =>
      isClaroError(err, 'STORE_FAILED'),
    );
  });
});

const postgres = await postgresSuiteOptions();

describe('openStore with PostgreSQL strings', () => {
  const cases = (port: number) => [
    `postgres://claro:secret@127.0.0.1:${port}/claro`,
    `postgresql://claro:secret@127.0.0.1:${port}/claro?sslmode=disable`,
    `host=127.0.0.1 port=${port} dbname=claro user=claro password=secret`,
  ];

  it('routes them to PostgreSQL, hiding the password on failure', async () => {
    const port = await closedPort();
    for (const connstring of cases(port)) {
      await assert.rejects(
        openStore(connstring),
        (err: unknown) =>
          isClaroError(err, 'STORE_FAILED') &&
          err.message.startsWith('Cannot open store ') &&
          err.message.includes(`connect ECONNREFUSED 127.0.0.1:${port}`) &&
          !err.message.includes('secret'),
        connstring,
      );
    }
  });

  it('opens a PostgresStore in the named schema', postgres, async () => {
    const schema = freshSchema();
    const store = await openStore(TEST_POSTGRES, { schema, poolSize: 2 });
    assert.ok(store instanceof PostgresStore);
    assert.equal(store.schema, schema);
    assert.equal(store.display, TEST_POSTGRES);
    await store.close();
  });
});

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
