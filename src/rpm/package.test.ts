import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { isClaroError } from '../errors.js';
import {
  moduleStream,
  parseSourceRpm,
  readRpmPackage,
  rpmPackageVersion,
} from './package.js';
import { RPM_TAG } from './header.js';
import {
  buildHeader,
  packageEntries,
  packageHeader,
  str,
  strs,
} from './testdata/builders.js';

const REAL_HEADER = '../shared/fixtures/claircore-rpm/package.header';

describe('readRpmPackage', () => {
  it('reads a real header: identity, source and file list', () => {
    const pkg = readRpmPackage(readFileSync(REAL_HEADER));
    assert.deepEqual(
      { ...pkg, files: pkg.files.slice(0, 3), fileModes: undefined },
      {
        name: 'crypto-policies',
        version: '20210213',
        release: '1.git5c710c0.fc34',
        arch: 'noarch',
        sourceRpm: 'crypto-policies-20210213-1.git5c710c0.fc34.src.rpm',
        files: [
          '/etc/crypto-policies',
          '/etc/crypto-policies/back-ends',
          '/etc/crypto-policies/back-ends/bind.config',
        ],
        fileModes: undefined,
      },
    );
    assert.equal(pkg.files.length, 152);
    assert.equal(pkg.fileModes?.length, 152);
    assert.equal(pkg.fileModes?.[0], 0o40755);
  });

  it('reads epoch, module label and files split over directories', () => {
    const pkg = readRpmPackage(
      packageHeader({
        name: 'nodejs',
        epoch: 1,
        version: '10.21.0',
        release: '3.module_el8.2.0+391+8da3adc6',
        arch: 'x86_64',
        sourceRpm: 'nodejs-10.21.0-3.module_el8.2.0+391+8da3adc6.src.rpm',
        modularityLabel: 'nodejs:10:8020020200707141642:6a468ee4',
        files: ['/usr/bin/node', '/usr/lib/node_modules/npm/package.json'],
      }),
    );
    assert.equal(pkg.epoch, 1);
    assert.equal(pkg.modularityLabel, 'nodejs:10:8020020200707141642:6a468ee4');
    assert.deepEqual(pkg.files, [
      '/usr/bin/node',
      '/usr/lib/node_modules/npm/package.json',
    ]);
    assert.equal(
      rpmPackageVersion(pkg),
      '1:10.21.0-3.module_el8.2.0+391+8da3adc6',
    );
  });

  it('reads OLDFILENAMES when a header has no BASENAMES', () => {
    const entries = packageEntries({ name: 'a', version: '1', release: '1' });
    const blob = buildHeader([...entries, strs(RPM_TAG.oldFileNames, ['/a'])]);
    assert.deepEqual(readRpmPackage(blob).files, ['/a']);
  });

  it('rejects headers without NAME, VERSION or RELEASE', () => {
    const blob = buildHeader([
      str(RPM_TAG.name, 'a'),
      str(RPM_TAG.version, '1'),
    ]);
    assert.throws(
      () => readRpmPackage(blob),
      (err) =>
        isClaroError(err, 'INVALID_LAYER') && /no RELEASE/.test(err.message),
    );
  });

  it('rejects file lists whose directory indexes do not fit', () => {
    const entries = packageEntries({ name: 'a', version: '1', release: '1' });
    const blob = buildHeader([
      ...entries,
      strs(RPM_TAG.baseNames, ['x', 'y']),
      strs(RPM_TAG.dirNames, ['/']),
      { tag: RPM_TAG.dirIndexes, type: 4, value: [0, 1] },
    ]);
    assert.throws(() => readRpmPackage(blob), /file y has no directory/);
  });
});

describe('rpmPackageVersion', () => {
  it('writes the epoch only when it is not 0', () => {
    const base = { name: 'a', version: '1.0', release: '2.el9', files: [] };
    assert.equal(rpmPackageVersion(base), '1.0-2.el9');
    assert.equal(rpmPackageVersion({ ...base, epoch: 0 }), '1.0-2.el9');
    assert.equal(rpmPackageVersion({ ...base, epoch: 3 }), '3:1.0-2.el9');
  });
});

describe('parseSourceRpm', () => {
  it('takes name and version-release from the file name, no epoch', () => {
    const cases: [string, ReturnType<typeof parseSourceRpm>][] = [
      [
        'util-linux-2.32.1-42.el8_8.src.rpm',
        { name: 'util-linux', version: '2.32.1-42.el8_8' },
      ],
      [
        'gcc11-11.2.1+git610-1.3.9.src.rpm',
        { name: 'gcc11', version: '11.2.1+git610-1.3.9' },
      ],
      [
        'nodejs-10.21.0-3.module_el8.2.0+391+8da3adc6.src.rpm',
        { name: 'nodejs', version: '10.21.0-3.module_el8.2.0+391+8da3adc6' },
      ],
      [
        'kernel-5.14.0-1.el9.nosrc.rpm',
        { name: 'kernel', version: '5.14.0-1.el9' },
      ],
      ['(none)', undefined],
      ['a-1.src.rpm', undefined],
      ['bash-5.1.8-6.el9.x86_64.rpm', undefined],
    ];
    for (const [file, expected] of cases) {
      assert.deepEqual(parseSourceRpm(file), expected, file);
    }
  });
});

describe('moduleStream', () => {
  it('keeps name:stream of a modularity label', () => {
    assert.equal(
      moduleStream('nodejs:10:8020020200707141642:6a468ee4'),
      'nodejs:10',
    );
    assert.equal(moduleStream('perl:5.30'), 'perl:5.30');
    assert.equal(moduleStream('nodejs'), undefined);
    assert.equal(moduleStream(':10:1:2'), undefined);
    assert.equal(moduleStream(undefined), undefined);
  });
});
