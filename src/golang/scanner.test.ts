import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { filesFor } from '../indexer/scanner.js';
import type { ScanResult } from '../indexer/types.js';
import { readLayer } from '../layer/reader.js';
import { compileSelector } from '../layer/selector.js';
import { makeTar, streamOf, type TestEntry } from '../testutil/tar.js';
import { goBinaryScanner } from './scanner.js';
import { framed, inlineBlob, makeElf } from './testdata/elf.js';

const FIXTURES = '../shared/fixtures';
const AMD64 = readFileSync(
  `${FIXTURES}/osv-scalibr-gobinary/binary_with_module_replacement-linux-amd64`,
);
const OLD = readFileSync(`${FIXTURES}/trivy-gobinary/test.elf`);
const GO = { kind: 'binary', scheme: 'go', ecosystem: 'Go' } as const;

async function scan(entries: readonly TestEntry[]): Promise<ScanResult> {
  const tar = await makeTar(entries);
  const contents = await readLayer(streamOf(tar, 65536), {
    selector: compileSelector([goBinaryScanner]),
    name: 'layer',
  });
  return goBinaryScanner.scan(filesFor(contents, goBinaryScanner));
}

describe('goBinaryScanner', () => {
  it('reports modules and stdlib of executables anywhere', async () => {
    const got = await scan([
      { name: 'usr/local/bin/replaced', body: AMD64, mode: 0o755 },
      { name: 'opt/old/test', body: OLD, mode: 0o700 },
    ]);
    assert.deepEqual(got.notices, []);
    assert.deepEqual(
      got.packages.map((f) => [
        f.path,
        f.packages.map((p) => `${p.name}@${p.version} ${p.packageDb}`),
      ]),
      [
        [
          'opt/old/test',
          [
            'stdlib@go1.15.2 opt/old/test',
            'github.com/aquasecurity/test@(devel) opt/old/test',
            'github.com/aquasecurity/go-pep440-version@' +
              'v0.0.0-20210121094942-22b2f8951d46 opt/old/test',
            'github.com/aquasecurity/go-version@' +
              'v0.0.0-20210121072130-637058cfe492 opt/old/test',
            'golang.org/x/xerrors@v0.0.0-20200804184101-5ec99f83aff1 ' +
              'opt/old/test',
          ],
        ],
        [
          'usr/local/bin/replaced',
          [
            'stdlib@go1.22.0 usr/local/bin/replaced',
            'binary_with_module_replacement@(devel) usr/local/bin/replaced',
            'github.com/golang/xerrors@v0.0.0-20220907171357-04be3eba64a2 ' +
              'usr/local/bin/replaced',
          ],
        ],
      ],
    );
    const stdlib = got.packages[1]!.packages[0];
    assert.deepEqual(stdlib, {
      name: 'stdlib',
      version: 'go1.22.0',
      packageDb: 'usr/local/bin/replaced',
      ...GO,
    });
  });

  it('skips files without an execute bit and other executables', async () => {
    const got = await scan([
      { name: 'srv/not-executable', body: AMD64, mode: 0o644 },
      { name: 'bin/script', body: '#!/bin/sh\necho hi\n', mode: 0o755 },
      {
        name: 'bin/c-tool',
        body: makeElf(Buffer.alloc(512), { bits: 64, littleEndian: true }),
        mode: 0o755,
      },
    ]);
    assert.deepEqual(got, { packages: [], distributions: [], notices: [] });
  });

  it('notices a Go binary whose build information is broken', async () => {
    const blob = inlineBlob('go1.21.5', framed('path\tx\nbogus\n'));
    const elf = makeElf(blob, { bits: 64, littleEndian: true });
    const cut = makeElf(blob.subarray(0, 40), {
      bits: 64,
      littleEndian: true,
    });
    const got = await scan([
      { name: 'bin/odd', body: elf, mode: 0o755 },
      { name: 'bin/cut', body: cut, mode: 0o755 },
    ]);
    assert.deepEqual(got.notices, [
      {
        code: 'skipped-file',
        message:
          'Cannot read Go build information of bin/cut: ' +
          'toolchain version truncated',
        path: 'bin/cut',
      },
      {
        code: 'skipped-record',
        message:
          'Cannot read Go build information of bin/odd: ' +
          'module information line 2: unknown line kind "bogus"',
        path: 'bin/odd',
      },
    ]);
    assert.deepEqual(
      got.packages.map((f) => f.packages.map((p) => p.name)),
      [['stdlib']],
    );
  });
});
