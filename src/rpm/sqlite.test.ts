import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { isClaroError } from '../errors.js';
import { readRpmPackage } from './package.js';
import { isSqlite, readSqliteBlobs } from './sqlite.js';
import { buildSqlite, packageHeader } from './testdata/builders.js';

const FIXTURES = '../shared/fixtures';
const MARINER = `${FIXTURES}/rpmdb-go-rpmdb/cbl-mariner-2.0/rpmdb.sqlite`;
const PREFLIGHT = `${FIXTURES}/rpmdb-openshift-preflight`;

function rejects(data: Buffer, reason: RegExp): void {
  assert.throws(
    () => readSqliteBlobs(data),
    (err) => isClaroError(err, 'INVALID_LAYER') && reason.test(err.message),
  );
}

describe('readSqliteBlobs', () => {
  it('reads every header of a real database in WAL mode', () => {
    const data = readFileSync(MARINER);
    assert.equal(data[18], 2);
    const names = readSqliteBlobs(data).map((b) => readRpmPackage(b).name);
    assert.equal(names.length, 129);
    assert.deepEqual(names.slice(0, 3), [
      'mariner-release',
      'filesystem',
      'glibc',
    ]);
  });

  it('leaves the bytes it was given unchanged', () => {
    const data = readFileSync(MARINER);
    const before = Buffer.from(data);
    readSqliteBlobs(data);
    assert.ok(data.equals(before));
  });

  it('returns the blobs in hnum order', () => {
    const blobs = ['a', 'b', 'c'].map((name) =>
      packageHeader({ name, version: '1', release: '1' }),
    );
    const read = readSqliteBlobs(buildSqlite(blobs));
    assert.deepEqual(read, blobs);
  });

  it('rejects what is not an rpm SQLite database', () => {
    rejects(Buffer.alloc(0), /not an SQLite 3 database/);
    rejects(
      readFileSync(`${PREFLIGHT}/sqlite-corrupt/var/lib/rpm/rpmdb.sqlite`),
      /not an SQLite 3 database/,
    );
    rejects(
      readFileSync(`${FIXTURES}/claircore-rpm/no_packages.sqlite`),
      /no such table: Packages/,
    );
    rejects(
      readFileSync(
        `${PREFLIGHT}/sqlite-fail-list-pkg/var/lib/rpm/rpmdb.sqlite`,
      ),
      /no such column: (hnum|blob)/,
    );
    assert.equal(isSqlite(Buffer.from('SQLite format 3')), false);
  });
});
