import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { memoryFiles } from '../indexer/memory-files.js';
import { osReleaseScanner } from './scanner.js';

const FIXTURES = '../shared/fixtures';

function scanEtc(file: string) {
  const data = readFileSync(`${FIXTURES}/${file}`);
  return osReleaseScanner.scan(memoryFiles({ 'etc/os-release': data }));
}

describe('osReleaseScanner', () => {
  // [fixture, did, versionId, versionCodeName, prettyName]; the RPM
  // families' keys are tested in their folders (rhel/, amazon/, ...)
  const generic: [string, string, string, string, string][] = [
    [
      'syft-os-release/ubuntu-20.04',
      'ubuntu',
      '20.04',
      'focal',
      'Ubuntu 20.04 LTS',
    ],
    ['syft-os-release/centos-8', 'centos', '8', '', 'CentOS Linux 8 (Core)'],
    [
      'trivy-os-release/release/testdata/rhel',
      'rhel',
      '9',
      '',
      'Red Hat Enterprise Linux 9.4 (Plow)',
    ],
    [
      'trivy-os-release/release/testdata/sles',
      'sles',
      '15.3',
      '',
      'SUSE Linux Enterprise Server 15 SP3',
    ],
    [
      'trivy-os-release/release/testdata/oracle',
      'ol',
      '8',
      '',
      'Oracle Linux Server 8.10',
    ],
    ['syft-os-release/os/wolfi/etc/os-release', 'wolfi', '', '', 'Wolfi'],
    [
      'syft-os-release/os/photon/etc/os-release',
      'photon',
      '2.0',
      '',
      'VMware Photon OS/Linux',
    ],
    // CRLF line ends
    [
      'syft-os-release/unprintable',
      'debian',
      '8',
      'jessie',
      'Debian GNU/Linux 8 (jessie)',
    ],
  ];
  for (const [file, did, versionId, codeName, prettyName] of generic) {
    it(`reports ${did} ${versionId} from ${file}`, () => {
      const result = scanEtc(file);
      assert.deepEqual(result.notices, []);
      assert.equal(result.distributions.length, 1);
      const finding = result.distributions[0];
      assert.equal(finding?.path, 'etc/os-release');
      assert.equal(finding?.priority, 0);
      const d = finding?.distribution;
      assert.deepEqual(
        [d?.did, d?.versionId, d?.versionCodeName, d?.prettyName],
        [did, versionId, codeName, prettyName],
      );
    });
  }

  it('ranks usr/lib/os-release after etc/os-release', () => {
    const root = `${FIXTURES}/syft-os-release/os`;
    const files = memoryFiles({
      'etc/os-release': readFileSync(`${root}/arch/etc/os-release`),
      'usr/lib/os-release': readFileSync(
        `${root}/redhat/from-os-release/usr/lib/os-release`,
      ),
    });
    const result = osReleaseScanner.scan(files);
    assert.deepEqual(
      result.distributions.map((f) => [f.path, f.priority, f.distribution.did]),
      [
        ['etc/os-release', 0, 'arch'],
        ['usr/lib/os-release', 1, 'rhel'],
      ],
    );
  });

  it('reads a layer that holds only usr/lib/os-release', () => {
    const file = 'syft-os-release/partial-fields/unknown-id/usr/lib/os-release';
    const data = readFileSync(`${FIXTURES}/${file}`);
    const result = osReleaseScanner.scan(
      memoryFiles({ 'usr/lib/os-release': data }),
    );
    assert.deepEqual(
      result.distributions.map((f) => [f.path, f.priority]),
      [['usr/lib/os-release', 1]],
    );
  });

  it('gives a skipped-file notice for a file that is not os-release', () => {
    for (const file of [
      'syft-os-release/bad-redhat-release',
      'syft-os-release/os/empty/etc/os-release',
    ]) {
      const result = scanEtc(file);
      assert.deepEqual(result.distributions, [], file);
      assert.deepEqual(result.notices, [
        {
          code: 'skipped-file',
          message:
            'Cannot read release file etc/os-release: no KEY=value assignment',
          path: 'etc/os-release',
        },
      ]);
    }
  });

  it('finds nothing in a layer without release files', () => {
    const files = memoryFiles({ 'var/lib/dpkg/status': '' });
    assert.deepEqual(osReleaseScanner.scan(files), {
      packages: [],
      distributions: [],
      notices: [],
    });
  });
});
