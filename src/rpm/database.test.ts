import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { isClaroError } from '../errors.js';
import { readRpmDatabase, rpmDatabaseFormat } from './database.js';
import type { RpmPackage } from './package.js';
import {
  buildBerkeley,
  buildHeader,
  buildNdb,
  buildSqlite,
  packageHeader,
} from './testdata/builders.js';
import {
  byFields,
  haveRpm,
  rpmQueryAll,
  type RpmQueryRow,
} from './testdata/rpm-tool.js';

const GO_RPMDB = '../shared/fixtures/rpmdb-go-rpmdb';

/** The databases of the acceptance test, and the name rpm opens each by. */
const RPM_READABLE: readonly [string, string][] = [
  [`${GO_RPMDB}/cbl-mariner-2.0/rpmdb.sqlite`, 'rpmdb.sqlite'],
  [`${GO_RPMDB}/rhel8-libuuid/Packages`, 'Packages'],
];

/** A package as `rpm -qa` prints it. */
function asRow(pkg: RpmPackage): RpmQueryRow {
  return {
    name: pkg.name,
    epoch: pkg.epoch === undefined ? '(none)' : String(pkg.epoch),
    version: pkg.version,
    release: pkg.release,
    arch: pkg.arch ?? '(none)',
    sourceRpm: pkg.sourceRpm ?? '(none)',
  };
}

describe('readRpmDatabase', () => {
  for (const [file, dbName] of RPM_READABLE) {
    it(`lists what rpm -qa lists in ${file}`, (t) => {
      if (!haveRpm(t)) return;
      const read = readRpmDatabase(readFileSync(file));
      assert.deepEqual(read.skipped, []);
      const rows = read.packages.map(asRow).sort(byFields);
      const expected = rpmQueryAll(file, dbName);
      assert.ok(expected.length > 0);
      assert.deepEqual(rows, expected);
    });
  }

  it('parses every header of the ndb database rpm 4.18 cannot read', () => {
    const read = readRpmDatabase(
      readFileSync(`${GO_RPMDB}/sle15-bci/Packages.db`),
    );
    assert.equal(read.format, 'ndb');
    assert.deepEqual(read.skipped, []);
    assert.equal(read.packages.length, 35);
    const names = read.packages.map((p) => p.name);
    assert.ok(names.includes('glibc'));
    assert.ok(names.includes('filesystem'));
    for (const pkg of read.packages) {
      assert.match(pkg.sourceRpm ?? '', /\.src\.rpm$/, pkg.name);
    }
  });

  it('tells the three formats apart by content', () => {
    const blobs = [packageHeader({ name: 'a', version: '1', release: '1' })];
    assert.equal(rpmDatabaseFormat(buildSqlite(blobs)), 'sqlite');
    assert.equal(rpmDatabaseFormat(buildNdb(blobs)), 'ndb');
    assert.equal(rpmDatabaseFormat(buildBerkeley(blobs)), 'bdb');
    assert.equal(rpmDatabaseFormat(Buffer.from('asdf\n')), undefined);
    assert.throws(
      () => readRpmDatabase(Buffer.from('asdf\n')),
      (err) => isClaroError(err, 'INVALID_LAYER'),
    );
  });

  it('skips unreadable headers and keeps the others', () => {
    const good = packageHeader({ name: 'a', version: '1', release: '1' });
    const bad = buildHeader([]);
    const read = readRpmDatabase(buildSqlite([bad, good]));
    assert.deepEqual(
      read.packages.map((p) => p.name),
      ['a'],
    );
    assert.deepEqual(read.skipped, [
      { index: 0, reason: 'Cannot read rpm header: no NAME' },
    ]);
  });
});
