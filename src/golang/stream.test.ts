import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { readGoBuildInfo, type BuildInfoRead } from './buildinfo.js';
import { BuildInfoStream } from './stream.js';
import { framed, inlineBlob, makeElf, pointerPayload } from './testdata/elf.js';

const BINARIES = [
  'osv-scalibr-gobinary/binary_with_module_replacement-linux-amd64',
  'osv-scalibr-gobinary/binary_with_module_replacement-linux-arm64',
  'trivy-gobinary/goexperiment',
  'trivy-gobinary/main-version-via-ldflags.elf',
  'trivy-gobinary/test.elf',
].map((p) => `../shared/fixtures/${p}`);

const MODINFO = 'path\tx\nmod\tx\tv1.0.0\t\ndep\ty\tv2.0.0\th1:y=\n';

/** Streams `data` in chunks; the result and the bytes taken. */
function stream(
  data: Buffer,
  chunk: number,
  keepLimit?: number,
): { read: BuildInfoRead; taken: number } {
  const s = new BuildInfoStream(keepLimit);
  let taken = 0;
  for (let at = 0; at < data.length; at += chunk) {
    const part = data.subarray(at, at + chunk);
    taken += part.length;
    if (!s.write(part)) break;
  }
  return { read: s.result(), taken };
}

describe('BuildInfoStream', () => {
  for (const path of BINARIES) {
    const name = path.slice(path.lastIndexOf('/') + 1);
    it(`reads ${name} as the whole-file reader does`, () => {
      const data = readFileSync(path);
      const want = readGoBuildInfo(data);
      assert.equal(want.kind, 'go');
      for (const chunk of [1 << 20, 65536, 4093, 61]) {
        assert.deepEqual(stream(data, chunk).read, want, `chunk ${chunk}`);
      }
    });
  }

  it('stops taking bytes once inline strings are read', () => {
    const path = BINARIES[0]!;
    const data = readFileSync(path);
    const { taken } = stream(data, 4096);
    assert.ok(taken < data.length, `${taken} of ${data.length}`);
  });

  it('reads a magic split across two chunks', () => {
    const elf = makeElf(inlineBlob('go1.21.5', framed(MODINFO)), {
      bits: 64,
      littleEndian: true,
    });
    for (let chunk = 1; chunk < 40; chunk++) {
      const { read } = stream(elf, chunk);
      assert.equal(read.kind, 'go', `chunk ${chunk}`);
    }
  });

  it('resolves big-endian 32-bit pointer strings at the end', () => {
    const payload = pointerPayload('go1.16.15', framed(MODINFO), {
      ptrSize: 4,
      littleEndian: false,
    });
    const elf = makeElf(payload, { bits: 32, littleEndian: false });
    assert.deepEqual(stream(elf, 13).read, readGoBuildInfo(elf));
  });

  it('says why pointer strings are out of reach past the keep limit', () => {
    const data = readFileSync(BINARIES[4]!);
    assert.deepEqual(stream(data, 65536, 1000).read, {
      kind: 'invalid',
      reason:
        'build information strings point outside the file (before ' +
        'Go 1.18, strings are only found in the first 1000 bytes of data)',
    });
  });

  it('answers not-go for other executables and non-ELF files', () => {
    const elf = makeElf(Buffer.alloc(4096), { bits: 64, littleEndian: true });
    assert.deepEqual(stream(elf, 100).read, { kind: 'not-go' });
    assert.deepEqual(stream(Buffer.from('#!/bin/sh\n'), 4).read, {
      kind: 'not-go',
    });
    assert.deepEqual(stream(readFileSync('/bin/sh'), 65536).read, {
      kind: 'not-go',
    });
  });

  it('reports truncated inline strings at the end of the file', () => {
    const elf = makeElf(inlineBlob('go1.21.5', framed(MODINFO)), {
      bits: 64,
      littleEndian: true,
    });
    const cut = elf.subarray(0, elf.length - 20);
    assert.deepEqual(stream(cut, 16).read, {
      kind: 'invalid',
      reason: 'module information truncated',
    });
  });
});
