import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { memoryFiles } from '../indexer/memory-files.js';
import { osReleaseScanner } from '../osrelease/scanner.js';
import { parsePhotonRelease, photonReleaseScanner } from './release.js';

const TRIVY = '../shared/fixtures/trivy-os-release/release/testdata/photon';
const SYFT = '../shared/fixtures/syft-os-release/os/photon/etc/os-release';

describe('Photon OS', () => {
  it('keys os-release by VERSION_ID as written', () => {
    for (const [file, versionId] of [
      [TRIVY, '4.0'],
      [SYFT, '2.0'],
    ] as const) {
      const files = memoryFiles({ 'etc/os-release': readFileSync(file) });
      const d = osReleaseScanner.scan(files).distributions[0]?.distribution;
      assert.deepEqual([d?.did, d?.versionId], ['photon', versionId]);
    }
  });

  it('reads etc/photon-release of both names', () => {
    const cases: [string, string][] = [
      ['VMware Photon OS 4.0\nPHOTON_BUILD_NUMBER=1526e30ba\n', '4.0'],
      ['VMware Photon Linux 2.0\nPHOTON_BUILD_NUMBER=304b817\n', '2.0'],
    ];
    for (const [text, versionId] of cases) {
      const d = parsePhotonRelease(text);
      assert.deepEqual([d?.did, d?.versionId], ['photon', versionId]);
    }
    assert.equal(parsePhotonRelease('Photon 4'), undefined);
  });

  it('gives a finding at priority 2', () => {
    const result = photonReleaseScanner.scan(
      memoryFiles({ 'etc/photon-release': 'VMware Photon OS 5.0\n' }),
    );
    assert.deepEqual(
      result.distributions.map((f) => [
        f.path,
        f.priority,
        f.distribution.versionId,
      ]),
      [['etc/photon-release', 2, '5.0']],
    );
  });
});
