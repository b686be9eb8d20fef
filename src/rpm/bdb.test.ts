import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { isClaroError } from '../errors.js';
import { isBerkeleyHash, readBerkeleyBlobs } from './bdb.js';
import { readRpmPackage, rpmPackageVersion } from './package.js';
import { buildBerkeley, packageHeader } from './testdata/builders.js';

const FIXTURES = '../shared/fixtures';

/** Real single-package databases and what they hold. */
const REAL: readonly [string, string][] = [
  ['rpmdb-go-rpmdb/rhel8-libuuid/Packages', 'libuuid 2.32.1-42.el8_8'],
  ['rpmdb-openshift-preflight/bdb/var/lib/rpm/Packages', 'tzdata 2022a-1.el8'],
  ['syft-rpm/Packages-bdb-dive-0.9.2', 'dive 0.9.2-1'],
  ['rpmdb-osv-scalibr/Packages_epoch', 'hello 1:0.0.1-rls'],
];

function rejects(data: Buffer, reason: RegExp): void {
  assert.throws(
    () => readBerkeleyBlobs(data),
    (err) => isClaroError(err, 'INVALID_LAYER') && reason.test(err.message),
  );
}

function describePackages(blobs: readonly Buffer[]): string[] {
  return blobs.map((b) => {
    const pkg = readRpmPackage(b);
    return `${pkg.name} ${rpmPackageVersion(pkg)}`;
  });
}

const blobs = ['a', 'b', 'c'].map((name) =>
  packageHeader({
    name,
    version: '1',
    release: '1',
    files: Array.from({ length: 400 }, (_, i) => `/usr/share/${name}/${i}`),
  }),
);

describe('readBerkeleyBlobs', () => {
  it('reads real databases, headers spread over overflow pages', () => {
    for (const [file, expected] of REAL) {
      const data = readFileSync(`${FIXTURES}/${file}`);
      assert.deepEqual(describePackages(readBerkeleyBlobs(data)), [expected]);
    }
  });

  it('reads little- and big-endian files, leaving the counter out', () => {
    for (const littleEndian of [true, false]) {
      const data = buildBerkeley(blobs, { littleEndian, pageSize: 1024 });
      assert.ok(isBerkeleyHash(data));
      assert.deepEqual(readBerkeleyBlobs(data), blobs);
    }
  });

  it('rejects files that are no plain Berkeley DB hash database', () => {
    rejects(Buffer.from('CORRUPT\n'), /not a Berkeley DB hash database/);
    rejects(
      readFileSync(
        `${FIXTURES}/rpmdb-openshift-preflight/bdb-fail-list-pkg/var/lib/rpm/Packages`,
      ),
      /not a Berkeley DB hash database/,
    );
    const encrypted = buildBerkeley(blobs);
    encrypted[24] = 1;
    rejects(encrypted, /encrypted/);
    const checksummed = buildBerkeley(blobs);
    checksummed[26] = 1;
    rejects(checksummed, /checksums/);
    const pageSize = buildBerkeley(blobs);
    pageSize.writeUInt32LE(1000, 20);
    rejects(pageSize, /page size 1000/);
  });

  it('rejects broken items and overflow chains', () => {
    const size = 4096;
    const kind = buildBerkeley(blobs);
    const lastItem = kind.readUInt16LE(size + 26 + 2 * 7);
    kind[size + lastItem] = 2;
    rejects(kind, /item 7 has unsupported kind 2/);

    const length = buildBerkeley(blobs);
    length.writeUInt32LE(5, size + lastItem + 8);
    rejects(length, /overflow chain holds \d+ bytes, not 5/);

    const loop = buildBerkeley(blobs);
    const first = loop.readUInt32LE(size + lastItem + 4);
    loop.writeUInt32LE(first, (first + 1) * size - size + 16);
    rejects(loop, /overflow pages loop/);

    const missing = buildBerkeley(blobs);
    missing.writeUInt32LE(999, size + lastItem + 4);
    rejects(missing, /no page 999/);
  });
});
