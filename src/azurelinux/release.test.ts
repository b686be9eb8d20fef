import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { memoryFiles } from '../indexer/memory-files.js';
import { osReleaseScanner } from '../osrelease/scanner.js';
import { marinerReleaseScanner, parseMarinerRelease } from './release.js';

const TRIVY = '../shared/fixtures/trivy-os-release/release/testdata';
const SYFT = '../shared/fixtures/syft-os-release/os/mariner/etc/os-release';

describe('Azure Linux and CBL-Mariner', () => {
  it('keys os-release by VERSION_ID as written', () => {
    const cases: [string, string, string, string][] = [
      [`${TRIVY}/mariner-1.0`, 'mariner', '1.0', '1.0.20230713'],
      [`${TRIVY}/mariner-2.0`, 'mariner', '2.0', '2.0.20240123'],
      [SYFT, 'mariner', '1.0', '1.0.20210901'],
      [`${TRIVY}/azurelinux-3.0`, 'azurelinux', '3.0', '3.0.20240624'],
    ];
    for (const [file, did, versionId, version] of cases) {
      const files = memoryFiles({ 'etc/os-release': readFileSync(file) });
      const d = osReleaseScanner.scan(files).distributions[0]?.distribution;
      assert.deepEqual(
        [d?.did, d?.versionId, d?.version],
        [did, versionId, version],
      );
    }
  });

  it('reads etc/mariner-release under both names', () => {
    const mariner = parseMarinerRelease(
      'CBL-Mariner 2.0.20240123\nMARINER_BUILD_NUMBER=rc\n',
    );
    assert.deepEqual(mariner, {
      did: 'mariner',
      name: 'Common Base Linux Mariner',
      versionId: '2.0',
      version: '2.0.20240123',
      versionCodeName: '',
      prettyName: 'CBL-Mariner 2.0.20240123',
    });
    const azure = parseMarinerRelease('Azure Linux 3.0.20240624\n');
    assert.deepEqual([azure?.did, azure?.versionId], ['azurelinux', '3.0']);
    assert.equal(parseMarinerRelease('Mariner 2'), undefined);
  });

  it('gives a finding at priority 2', () => {
    const result = marinerReleaseScanner.scan(
      memoryFiles({ 'etc/mariner-release': 'CBL-Mariner 2.0.20240123\n' }),
    );
    assert.deepEqual(
      result.distributions.map((f) => [f.path, f.priority]),
      [['etc/mariner-release', 2]],
    );
  });
});
