import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { readGoBuildInfo, type BuildInfoRead } from './buildinfo.js';
import {
  framed,
  inlineBlob,
  makeElf,
  pointerPayload,
  SENTINEL_END,
  SENTINEL_START,
} from './testdata/elf.js';

const FIXTURES = '../shared/fixtures';
const SCALIBR = `${FIXTURES}/osv-scalibr-gobinary`;
const TRIVY = `${FIXTURES}/trivy-gobinary`;

function read(path: string): BuildInfoRead {
  return readGoBuildInfo(readFileSync(path));
}

function info(r: BuildInfoRead) {
  assert.equal(r.kind, 'go', JSON.stringify(r));
  return (r as Extract<BuildInfoRead, { kind: 'go' }>).info;
}

const XERRORS_REPLACED = {
  path: 'golang.org/x/xerrors',
  version: 'v0.0.0-20220907171357-04be3eba64a2',
  replace: {
    path: 'github.com/golang/xerrors',
    version: 'v0.0.0-20220907171357-04be3eba64a2',
    sum: 'h1:Wpqq3XyrlysiTYqXPoaibAPvTMmnbHE42soloZAxtZY=',
  },
};

const MODINFO = [
  'path\texample.com/cmd/tool',
  'mod\texample.com\tv1.4.0\th1:main=',
  'dep\tgolang.org/x/text\tv0.14.0\th1:text=',
  '',
].join('\n');

describe('readGoBuildInfo', () => {
  for (const arch of ['amd64', 'arm64']) {
    it(`reads go1.22 inline strings from the linux-${arch} binary`, () => {
      const got = info(
        read(`${SCALIBR}/binary_with_module_replacement-linux-${arch}`),
      );
      assert.equal(got.goVersion, 'go1.22.0');
      assert.equal(got.path, 'binary_with_module_replacement');
      assert.deepEqual(got.main, {
        path: 'binary_with_module_replacement',
        version: '(devel)',
      });
      assert.deepEqual(got.deps, [XERRORS_REPLACED]);
      assert.deepEqual(got.settings.slice(0, 2), [
        { key: '-buildmode', value: 'exe' },
        { key: '-compiler', value: 'gc' },
      ]);
      assert.deepEqual(got.skipped, []);
    });
  }

  it('reads pre-1.18 pointer strings through the segments', () => {
    const got = info(read(`${TRIVY}/test.elf`));
    assert.equal(got.goVersion, 'go1.15.2');
    assert.deepEqual(
      got.deps.map((d) => [d.path, d.version]),
      [
        [
          'github.com/aquasecurity/go-pep440-version',
          'v0.0.0-20210121094942-22b2f8951d46',
        ],
        [
          'github.com/aquasecurity/go-version',
          'v0.0.0-20210121072130-637058cfe492',
        ],
        ['golang.org/x/xerrors', 'v0.0.0-20200804184101-5ec99f83aff1'],
      ],
    );
    assert.deepEqual(got.settings, []);
  });

  it('keeps the experiment suffix of the toolchain version', () => {
    const got = info(read(`${TRIVY}/goexperiment`));
    assert.equal(got.goVersion, 'go1.22.1 X:loopvar');
    assert.equal(got.path, 'command-line-arguments');
    assert.equal(got.main, undefined);
    assert.deepEqual(got.deps, []);
  });

  it('unquotes a quoted -ldflags setting', () => {
    const got = info(read(`${TRIVY}/main-version-via-ldflags.elf`));
    assert.deepEqual(
      got.settings.find((s) => s.key === '-ldflags'),
      { key: '-ldflags', value: '-w -X main.version=v1.0.0' },
    );
  });

  it('answers not-go for ELF files that no Go toolchain built', () => {
    const elf = makeElf(Buffer.alloc(256), { bits: 64, littleEndian: true });
    assert.deepEqual(readGoBuildInfo(elf), { kind: 'not-go' });
  });

  it('answers not-go for files that are not ELF', () => {
    const blob = inlineBlob('go1.22.0', framed(MODINFO));
    assert.deepEqual(readGoBuildInfo(blob), { kind: 'not-go' });
  });

  it('finds the blob in the writable segment without sections', () => {
    const blob = inlineBlob('go1.21.5', framed(MODINFO));
    const got = info(
      readGoBuildInfo(makeElf(blob, { bits: 64, littleEndian: true })),
    );
    assert.equal(got.goVersion, 'go1.21.5');
    assert.deepEqual(got.main, {
      path: 'example.com',
      version: 'v1.4.0',
      sum: 'h1:main=',
    });
  });

  it('ignores a magic that is not 16-byte aligned', () => {
    const blob = inlineBlob('go1.21.5', framed(MODINFO));
    const shifted = Buffer.concat([Buffer.alloc(8), blob]);
    const elf = makeElf(shifted, { bits: 64, littleEndian: true });
    assert.deepEqual(readGoBuildInfo(elf), { kind: 'not-go' });
  });

  it('ignores an executable segment in the fallback search', () => {
    const blob = inlineBlob('go1.21.5', framed(MODINFO));
    const elf = makeElf(blob, { bits: 64, littleEndian: true, flags: 7 });
    assert.deepEqual(readGoBuildInfo(elf), { kind: 'not-go' });
  });

  for (const [bits, le] of [
    [32, false],
    [32, true],
    [64, false],
  ] as const) {
    const order = le ? 'little' : 'big';
    it(`resolves ${bits}-bit ${order}-endian pointer strings`, () => {
      const payload = pointerPayload('go1.16.15', framed(MODINFO), {
        ptrSize: bits === 32 ? 4 : 8,
        littleEndian: le,
      });
      const elf = makeElf(payload, { bits, littleEndian: le });
      const got = info(readGoBuildInfo(elf));
      assert.equal(got.goVersion, 'go1.16.15');
      assert.deepEqual(
        got.deps.map((d) => d.path),
        ['golang.org/x/text'],
      );
    });
  }

  it('reports invalid when pointer strings lie outside the file', () => {
    const payload = pointerPayload('go1.16.15', framed(MODINFO), {
      ptrSize: 8,
      littleEndian: true,
    });
    payload.writeBigUInt64LE(0x7fff0000n, 16);
    const elf = makeElf(payload, { bits: 64, littleEndian: true });
    assert.deepEqual(readGoBuildInfo(elf), {
      kind: 'invalid',
      reason: 'build information strings point outside the file',
    });
  });

  it('reports invalid when the inline strings are truncated', () => {
    const blob = inlineBlob('go1.21.5', framed(MODINFO));
    const elf = makeElf(blob.subarray(0, 60), {
      bits: 64,
      littleEndian: true,
    });
    assert.deepEqual(readGoBuildInfo(elf), {
      kind: 'invalid',
      reason: 'module information truncated',
    });
  });

  it('drops module information without its newline before the end', () => {
    const text = Buffer.concat([
      SENTINEL_START,
      Buffer.from('path\tx\nmod\tx\tv1.0.0\t'),
      SENTINEL_END,
    ]);
    const elf = makeElf(inlineBlob('go1.21.5', text), {
      bits: 64,
      littleEndian: true,
    });
    const got = info(readGoBuildInfo(elf));
    assert.equal(got.path, undefined);
    assert.equal(got.main, undefined);
  });

  it('answers not-go for a blob with an empty version', () => {
    const elf = makeElf(inlineBlob('', framed(MODINFO)), {
      bits: 64,
      littleEndian: true,
    });
    assert.deepEqual(readGoBuildInfo(elf), { kind: 'not-go' });
  });
});
