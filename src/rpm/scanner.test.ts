import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { memoryFiles } from '../indexer/memory-files.js';
import type { PackageRecord } from '../indexer/types.js';
import { RPM_DB_PATHS, rpmScanner as scanner } from './scanner.js';
import {
  buildHeader,
  buildSqlite,
  packageHeader,
} from './testdata/builders.js';
import { buildRpmDatabase, haveRpm } from './testdata/rpm-tool.js';

const FIXTURES = '../shared/fixtures';
const MARINER = `${FIXTURES}/rpmdb-go-rpmdb/cbl-mariner-2.0/rpmdb.sqlite`;
const SLE15 = `${FIXTURES}/rpmdb-go-rpmdb/sle15-bci/Packages.db`;
const EPOCH = `${FIXTURES}/rpmdb-osv-scalibr/Packages_epoch`;

function packagesOf(files: Record<string, Buffer>): PackageRecord[] {
  const result = scanner.scan(memoryFiles(files));
  assert.deepEqual(result.notices, []);
  return result.packages.flatMap((f) => f.packages);
}

describe('rpm scanner', () => {
  it('selects the three database files in both folders', () => {
    assert.deepEqual(RPM_DB_PATHS, [
      'var/lib/rpm/rpmdb.sqlite',
      'var/lib/rpm/Packages.db',
      'var/lib/rpm/Packages',
      'usr/lib/sysimage/rpm/rpmdb.sqlite',
      'usr/lib/sysimage/rpm/Packages.db',
      'usr/lib/sysimage/rpm/Packages',
    ]);
    assert.deepEqual(scanner.selector, { exact: RPM_DB_PATHS });
    assert.ok(scanner.maxFileSize >= 100 * 1024 * 1024);
  });

  it('lists the binary packages of an SQLite database with sources', () => {
    const path = 'var/lib/rpm/rpmdb.sqlite';
    const packages = packagesOf({ [path]: readFileSync(MARINER) });
    assert.equal(packages.length, 129);
    assert.deepEqual(
      packages.find((p) => p.name === 'glibc'),
      {
        name: 'glibc',
        version: '2.34-2.cm2',
        kind: 'binary',
        source: { name: 'glibc', version: '2.34-2.cm2' },
        packageDb: path,
        arch: 'x86_64',
        scheme: 'rpm',
      },
    );
  });

  it('names the source package from SOURCERPM, not the binary', () => {
    const path = 'usr/lib/sysimage/rpm/Packages.db';
    const packages = packagesOf({ [path]: readFileSync(SLE15) });
    assert.equal(packages.length, 35);
    assert.deepEqual(
      packages.find((p) => p.name === 'libreadline7'),
      {
        name: 'libreadline7',
        version: '7.0-19.6.1',
        kind: 'binary',
        source: { name: 'bash', version: '4.4-19.6.1' },
        packageDb: path,
        arch: 'x86_64',
        scheme: 'rpm',
      },
    );
  });

  it('writes the epoch on the binary only: a source RPM has none', () => {
    const path = 'var/lib/rpm/Packages';
    const [hello] = packagesOf({ [path]: readFileSync(EPOCH) });
    assert.equal(hello?.version, '1:0.0.1-rls');
    assert.deepEqual(hello?.source, { name: 'hello', version: '0.0.1-rls' });
  });

  it('keeps module streams and leaves gpg-pubkey entries out', () => {
    const db = buildSqlite([
      packageHeader({
        name: 'gpg-pubkey',
        version: 'fd431d51',
        release: '4ae0493b',
      }),
      packageHeader({
        name: 'nodejs',
        epoch: 1,
        version: '10.21.0',
        release: '3.module_el8.2.0+391+8da3adc6',
        arch: 'x86_64',
        sourceRpm: 'nodejs-10.21.0-3.module_el8.2.0+391+8da3adc6.src.rpm',
        modularityLabel: 'nodejs:10:8020020200707141642:6a468ee4',
      }),
    ]);
    const packages = packagesOf({ 'var/lib/rpm/rpmdb.sqlite': db });
    assert.deepEqual(
      packages.map((p) => [p.name, p.version, p.module, p.source]),
      [
        [
          'nodejs',
          '1:10.21.0-3.module_el8.2.0+391+8da3adc6',
          'nodejs:10',
          { name: 'nodejs', version: '10.21.0-3.module_el8.2.0+391+8da3adc6' },
        ],
      ],
    );
  });

  it('lists owned files language scanners could report, regular only', () => {
    const db = buildSqlite([
      packageHeader({
        name: 'python3-foo',
        version: '1.0',
        release: '1',
        files: [
          '/usr/bin/foo',
          '/usr/bin/foo-link',
          '/usr/lib/python3.9/site-packages/foo-1.0.dist-info',
          '/usr/lib/python3.9/site-packages/foo-1.0.dist-info/METADATA',
          '/usr/share/doc/foo/README',
          '/bin/foo-old',
        ],
        fileModes: [0o100755, 0o120777, 0o40755, 0o100644, 0o100644, 0o100755],
      }),
      packageHeader({ name: 'empty', version: '1', release: '1' }),
    ]);
    const path = 'var/lib/rpm/rpmdb.sqlite';
    const result = scanner.scan(memoryFiles({ [path]: db }));
    assert.deepEqual(result.owned, [
      {
        path,
        owners: [
          {
            name: 'python3-foo',
            files: [
              'usr/bin/foo',
              'usr/bin/foo-old',
              'usr/lib/python3.9/site-packages/foo-1.0.dist-info/METADATA',
            ],
          },
        ],
      },
    ]);
  });

  it('reads one database per folder, preferring SQLite', () => {
    const db = (name: string) =>
      buildSqlite([packageHeader({ name, version: '1', release: '1' })]);
    const result = scanner.scan(
      memoryFiles({
        'var/lib/rpm/rpmdb.sqlite': db('a'),
        'var/lib/rpm/Packages': readFileSync(EPOCH),
        'usr/lib/sysimage/rpm/rpmdb.sqlite': db('b'),
      }),
    );
    assert.deepEqual(
      result.packages.map((f) => [f.path, f.packages.map((p) => p.name)]),
      [
        ['var/lib/rpm/rpmdb.sqlite', ['a']],
        ['usr/lib/sysimage/rpm/rpmdb.sqlite', ['b']],
      ],
    );
    assert.equal(result.owned, undefined);
  });

  it('gives notices for unreadable databases and headers', () => {
    const bad = buildSqlite([
      buildHeader([]),
      packageHeader({ name: 'a', version: '1', release: '1' }),
    ]);
    const result = scanner.scan(
      memoryFiles({
        'var/lib/rpm/Packages': Buffer.from('CORRUPT\n'),
        'usr/lib/sysimage/rpm/rpmdb.sqlite': bad,
      }),
    );
    assert.deepEqual(
      result.packages.map((f) => [f.path, f.packages.length]),
      [['usr/lib/sysimage/rpm/rpmdb.sqlite', 1]],
    );
    assert.deepEqual(result.notices, [
      {
        code: 'skipped-file',
        message: 'Cannot read rpm database: not SQLite, ndb or Berkeley DB',
        path: 'var/lib/rpm/Packages',
      },
      {
        code: 'skipped-record',
        message:
          'Cannot read rpm database usr/lib/sysimage/rpm/rpmdb.sqlite: ' +
          'header 1: Cannot read rpm header: no NAME',
        path: 'usr/lib/sysimage/rpm/rpmdb.sqlite',
      },
    ]);
  });

  it('reads a database rpm itself wrote for packages rpmbuild made', (t) => {
    if (!haveRpm(t)) return;
    const db = buildRpmDatabase([
      {
        preamble: [
          'Name: python3-foo',
          'Epoch: 2',
          'Version: 1.0',
          'Release: 3.el9',
          'ModularityLabel: foo:1.0:20200101:abcd',
        ],
        files: [
          '/usr/lib/python3.9/site-packages/foo-1.0.dist-info/METADATA',
          '/usr/lib/python3.9/site-packages/foo.py',
          '/usr/bin/foo',
        ],
        links: { '/usr/bin/foo-link': 'foo' },
      },
    ]);
    const path = 'usr/lib/sysimage/rpm/rpmdb.sqlite';
    const result = scanner.scan(memoryFiles({ [path]: db }));
    assert.deepEqual(result.notices, []);
    assert.deepEqual(result.packages, [
      {
        path,
        packages: [
          {
            name: 'python3-foo',
            version: '2:1.0-3.el9',
            kind: 'binary',
            source: { name: 'python3-foo', version: '1.0-3.el9' },
            packageDb: path,
            arch: 'noarch',
            scheme: 'rpm',
            module: 'foo:1.0',
          },
        ],
      },
    ]);
    assert.deepEqual(result.owned?.[0]?.owners, [
      {
        name: 'python3-foo',
        files: [
          'usr/bin/foo',
          'usr/lib/python3.9/site-packages/foo-1.0.dist-info/METADATA',
        ],
      },
    ]);
  });
});
