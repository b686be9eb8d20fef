import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { isClaroError } from '../errors.js';
import { RPM_TAG, RPM_TYPE, parseRpmHeader } from './header.js';
import { buildHeader, int32, str, strs } from './testdata/builders.js';

/** A header from a Fedora 34 image's database (crypto-policies). */
const REAL_HEADER = '../shared/fixtures/claircore-rpm/package.header';

function rejects(blob: Buffer, reason: RegExp): void {
  assert.throws(
    () => parseRpmHeader(blob),
    (err) => isClaroError(err, 'INVALID_LAYER') && reason.test(err.message),
  );
}

describe('parseRpmHeader', () => {
  it('reads the tags of a real installed header', () => {
    const header = parseRpmHeader(readFileSync(REAL_HEADER));
    assert.equal(header.string(RPM_TAG.name), 'crypto-policies');
    assert.equal(header.string(RPM_TAG.version), '20210213');
    assert.equal(header.string(RPM_TAG.release), '1.git5c710c0.fc34');
    assert.equal(header.string(RPM_TAG.arch), 'noarch');
    assert.equal(header.has(RPM_TAG.epoch), false);
    assert.equal(header.strings(RPM_TAG.baseNames)?.length, 152);
    assert.equal(header.numbers(RPM_TAG.dirIndexes)?.length, 152);
  });

  it('reads strings, string arrays and integers of a built header', () => {
    const header = parseRpmHeader(
      buildHeader([
        str(RPM_TAG.name, 'bash'),
        strs(RPM_TAG.dirNames, ['/usr/bin/', '/etc/', '']),
        int32(RPM_TAG.epoch, [4294967295]),
      ]),
    );
    assert.equal(header.string(RPM_TAG.name), 'bash');
    assert.deepEqual(header.strings(RPM_TAG.name), ['bash']);
    assert.deepEqual(header.strings(RPM_TAG.dirNames), [
      '/usr/bin/',
      '/etc/',
      '',
    ]);
    assert.equal(header.string(RPM_TAG.dirNames), undefined);
    assert.deepEqual(header.numbers(RPM_TAG.epoch), [4294967295]);
    assert.equal(header.numbers(RPM_TAG.name), undefined);
    assert.equal(header.string(RPM_TAG.release), undefined);
  });

  it('reads legacy headers without a region tag', () => {
    const blob = buildHeader([str(RPM_TAG.name, 'old')], { region: false });
    assert.equal(parseRpmHeader(blob).string(RPM_TAG.name), 'old');
  });

  it('lets dribble entries replace region entries of the same tag', () => {
    const blob = buildHeader(
      [str(RPM_TAG.name, 'a'), strs(RPM_TAG.oldFileNames, ['/x'])],
      {
        dribble: [str(RPM_TAG.name, 'b'), strs(RPM_TAG.baseNames, ['y'])],
      },
    );
    const header = parseRpmHeader(blob);
    assert.equal(header.string(RPM_TAG.name), 'b');
    assert.equal(header.has(RPM_TAG.oldFileNames), false);
    assert.deepEqual(header.strings(RPM_TAG.baseNames), ['y']);
    assert.equal(header.has(RPM_TAG.headerImmutable), false);
  });

  it('rejects blobs whose sizes disagree with il and dl', () => {
    const blob = buildHeader([str(RPM_TAG.name, 'a')]);
    rejects(blob.subarray(0, 4), /shorter than 8 bytes/);
    rejects(blob.subarray(0, blob.length - 1), /where il and dl say/);
    rejects(Buffer.concat([blob, Buffer.alloc(1)]), /where il and dl say/);
    rejects(Buffer.alloc(8), /0 index entries/);
    const huge = Buffer.from(blob);
    huge.writeUInt32BE(0x1000000, 4);
    rejects(huge, /data store of 16777216 bytes/);
  });

  it('rejects unknown types, stray offsets and unended strings', () => {
    const good = () =>
      buildHeader([str(RPM_TAG.name, 'abc')], { region: false });
    const badType = good();
    badType.writeUInt32BE(10, 8 + 4);
    rejects(badType, /type 10/);

    const badOffset = good();
    badOffset.writeInt32BE(-1, 8 + 8);
    rejects(badOffset, /outside the data store/);

    const unended = good();
    unended[unended.length - 1] = 0x41;
    rejects(unended, /runs past the data store/);

    const twoStrings = good();
    twoStrings.writeUInt32BE(2, 8 + 12);
    rejects(twoStrings, /runs past the data store/);

    const wide = buildHeader([int32(RPM_TAG.epoch, [1])], { region: false });
    wide.writeUInt32BE(2, 8 + 12);
    rejects(wide, /runs past the data store/);
  });

  it('rejects region tags with a broken trailer', () => {
    const blob = buildHeader([str(RPM_TAG.name, 'a')]);
    const trailerAt = 8 + 2 * 16 + blob.readInt32BE(8 + 8);
    const broken = Buffer.from(blob);
    broken.writeInt32BE(-48, trailerAt + 8);
    rejects(broken, /region trailer offset -48/);

    const notBin = Buffer.from(blob);
    notBin.writeUInt32BE(RPM_TYPE.int32, 8 + 4);
    notBin.writeUInt32BE(4, 8 + 12);
    rejects(notBin, /not a 16-byte trailer/);
  });
});
