/**
 * What only the SQLite engine does: its files, several processes on one
 * file, its migrations. What every engine does is in contract.test.ts.
 */
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
import type { Vulnerability } from '../vuln/types.js';
import { SqliteStore } from './sqlite.js';
import { MIGRATIONS } from './sqlite/migrations.js';
import { alpineReport } from './testdata/reports.js';
import { SECDB, secdbRecords } from './testdata/secdb.js';

const UPDATER = 'alpine-secdb';
const { file: FEED, dist: DIST } = SECDB.v320;
const ALL = secdbRecords(FEED, DIST, { updater: UPDATER });

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

describe('SqliteStore robustness', () => {
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

describe('SqliteStore versions on a shared file', () => {
  it("follow another store's writes to the same file", async () => {
    const file = freshPath();
    const reader = SqliteStore.open(file);
    const writer = SqliteStore.open(file);
    try {
      assert.equal(await reader.vulnerabilityDataVersion(), '');
      const data = { vulnerabilities: ALL.slice(0, 3), coverage: [DIST] };
      const a = await writer.applyUpdate(UPDATER, 'f1', data);
      assert.equal(await reader.vulnerabilityDataVersion(), a.operation.ref);
      assert.equal(await reader.vulnerabilityDataVersion(), a.operation.ref);
      const b = await writer.applyUpdate(UPDATER, 'f2', data);
      assert.equal(await reader.vulnerabilityDataVersion(), b.operation.ref);

      const report = alpineReport('sha256:m1');
      await writer.putIndexReport(report);
      const first = await reader.indexReportVersion('sha256:m1');
      await writer.putIndexReport(report);
      const second = await reader.indexReportVersion('sha256:m1');
      assert.notEqual(second, first);
      await writer.deleteIndexReport('sha256:m1');
      assert.equal(await reader.indexReportVersion('sha256:m1'), undefined);
    } finally {
      await reader.close();
      await writer.close();
    }
  });
});

describe('SqliteStore.manifestsWithPackage', () => {
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
