import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { memoryFiles } from '../indexer/memory-files.js';
import { osReleaseScanner } from '../osrelease/scanner.js';
import { parseSuseRelease, suseReleaseScanner } from './release.js';

const TRIVY = '../shared/fixtures/trivy-os-release/release/testdata';
const SYFT = '../shared/fixtures/syft-os-release/os';

/** [os-release file, did, versionId, version] */
const OS_RELEASES: readonly [string, string, string, string][] = [
  [`${TRIVY}/sles`, 'sles', '15.3', '15-SP3'],
  [`${SYFT}/sles/etc/os-release`, 'sles', '15.2', '15-SP2'],
  [`${TRIVY}/opensuseleap-15.2.1`, 'opensuse-leap', '15.2.1', '15.2.1 Beta'],
  [`${SYFT}/opensuse-leap/etc/os-release`, 'opensuse-leap', '15.2', '15.2'],
  [`${TRIVY}/opensuseleap-42.3`, 'opensuse', '42.3', '42.3'],
  [`${TRIVY}/opensusetumbleweed`, 'opensuse-tumbleweed', '', '20220412'],
  [`${TRIVY}/slemicro`, 'sle-micro', '5.3', '5.3'],
  [`${TRIVY}/slemicro6.0`, 'sl-micro', '6.0', '6.0'],
];

describe('SUSE os-release', () => {
  for (const [file, did, versionId, version] of OS_RELEASES) {
    it(`keys ${did} as ${JSON.stringify(versionId)}: ${file}`, () => {
      const files = memoryFiles({ 'etc/os-release': readFileSync(file) });
      const d = osReleaseScanner.scan(files).distributions[0]?.distribution;
      assert.deepEqual(
        [d?.did, d?.versionId, d?.version],
        [did, versionId, version],
      );
    });
  }
});

describe('parseSuseRelease', () => {
  it('reads SUSE Linux Enterprise with its service pack', () => {
    const text = [
      'SUSE Linux Enterprise Server 12 (x86_64)',
      'VERSION = 12',
      'PATCHLEVEL = 3',
      '# This file is deprecated and will be removed in a future service pack or release.',
      '',
    ].join('\n');
    assert.deepEqual(parseSuseRelease(text), {
      did: 'sles',
      name: 'SUSE Linux Enterprise Server 12',
      versionId: '12.3',
      version: '12-SP3',
      versionCodeName: '',
      prettyName: 'SUSE Linux Enterprise Server 12',
    });
  });

  it('reads a GA release without its zero patch level', () => {
    const text =
      'SUSE Linux Enterprise Desktop 11 (i586)\nVERSION = 11\nPATCHLEVEL = 0\n';
    const d = parseSuseRelease(text);
    assert.deepEqual([d?.did, d?.versionId, d?.version], ['sled', '11', '11']);
  });

  it('reads openSUSE with its code name', () => {
    const text =
      'openSUSE 42.3 (x86_64)\nVERSION = 42.3\nCODENAME = Malachite\n';
    const d = parseSuseRelease(text);
    assert.deepEqual(
      [d?.did, d?.versionId, d?.versionCodeName],
      ['opensuse', '42.3', 'Malachite'],
    );
  });

  it('rejects other products and missing versions', () => {
    assert.equal(
      parseSuseRelease('SUSE Manager 4 (x86_64)\nVERSION = 4\n'),
      undefined,
    );
    assert.equal(parseSuseRelease('openSUSE 42.3 (x86_64)\n'), undefined);
    const result = suseReleaseScanner.scan(
      memoryFiles({ 'etc/SuSE-release': 'nothing' }),
    );
    assert.equal(result.notices[0]?.code, 'skipped-file');
  });
});
