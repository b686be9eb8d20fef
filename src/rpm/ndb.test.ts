import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { isClaroError } from '../errors.js';
import { readNdbBlobs } from './ndb.js';
import { readRpmPackage } from './package.js';
import { buildNdb, packageHeader } from './testdata/builders.js';

const SLE15 = '../shared/fixtures/rpmdb-go-rpmdb/sle15-bci/Packages.db';

function rejects(data: Buffer, reason: RegExp): void {
  assert.throws(
    () => readNdbBlobs(data),
    (err) => isClaroError(err, 'INVALID_LAYER') && reason.test(err.message),
  );
}

const blobs = ['a', 'b'].map((name) =>
  packageHeader({ name, version: '1', release: '1', files: ['/x'] }),
);

describe('readNdbBlobs', () => {
  it('reads every header of a real SUSE database, checksums verified', () => {
    const names = readNdbBlobs(readFileSync(SLE15)).map(
      (b) => readRpmPackage(b).name,
    );
    assert.equal(names.length, 35);
    assert.deepEqual(names.slice(0, 3), [
      'system-user-root',
      'filesystem',
      'glibc',
    ]);
  });

  it('reads built databases in package index order', () => {
    assert.deepEqual(readNdbBlobs(buildNdb(blobs)), blobs);
  });

  it('rejects a wrong magic, version or slot page count', () => {
    rejects(Buffer.from('RpmQ'.padEnd(64, '\0')), /not an ndb package/);
    const version = buildNdb(blobs);
    version.writeUInt32LE(1, 4);
    rejects(version, /version 1/);
    const pages = buildNdb(blobs);
    pages.writeUInt32LE(1000, 12);
    rejects(pages, /1000 slot pages/);
  });

  it('rejects broken slots and blobs', () => {
    const slot = buildNdb(blobs);
    slot.write('Slxt', 48, 'latin1');
    rejects(slot, /no slot magic at byte 48/);

    const outside = buildNdb(blobs);
    outside.writeUInt32LE(2, 32 + 8);
    rejects(outside, /package 1 lies outside the blob area/);

    const other = buildNdb(blobs);
    other.writeUInt32LE(7, 32 + 4);
    rejects(other, /package 7 has the blob of another package/);

    const flipped = buildNdb(blobs);
    flipped[4096 + 20] = (flipped[4096 + 20] ?? 0) ^ 1;
    rejects(flipped, /package 1 fails its checksum/);

    const tail = buildNdb(blobs);
    const end = 4096 + Number(tail.readUInt32LE(32 + 12)) * 16;
    tail.write('BlbX', end - 4, 'latin1');
    rejects(tail, /package 1 has a broken blob tail/);
  });
});
