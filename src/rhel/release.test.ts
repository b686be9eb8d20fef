import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { memoryFiles } from '../indexer/memory-files.js';
import { osReleaseScanner } from '../osrelease/scanner.js';
import { parseRedHatRelease, redHatReleaseScanner } from './release.js';

const FIXTURES = '../shared/fixtures';
const TRIVY = `${FIXTURES}/trivy-os-release`;
const SYFT = `${FIXTURES}/syft-os-release`;
const CLAIRCORE = `${FIXTURES}/claircore-os-release/rhel-releasefiles`;

/** [os-release file, did, versionId, version] */
const OS_RELEASES: readonly [string, string, string, string][] = [
  [`${TRIVY}/release/testdata/rhel`, 'rhel', '9', '9.4 (Plow)'],
  [`${CLAIRCORE}/7/etc/os-release`, 'rhel', '7', '7.7 (Maipo)'],
  [`${CLAIRCORE}/8/etc/os-release`, 'rhel', '8', '8.1 (Ootpa)'],
  [`${CLAIRCORE}/9/etc/os-release`, 'rhel', '9', '9.0 (Plow)'],
  [`${CLAIRCORE}/atomichost-7/etc/os-release`, 'rhel', '7', '7.9'],
  [`${TRIVY}/release/testdata/centos`, 'centos', '7', '7 (Core)'],
  [`${TRIVY}/release/testdata/centos-stream`, 'centos', '8', '8'],
  [`${SYFT}/os/centos/usr/lib/os-release`, 'centos', '8', '8 (Core)'],
  [`${TRIVY}/release/testdata/rocky`, 'rocky', '9', '9.3 (Blue Onyx)'],
  [
    `${SYFT}/os/rockylinux/from-os-release/etc/os-release`,
    'rocky',
    '8',
    '8.4 (Green Obsidian)',
  ],
  [`${TRIVY}/release/testdata/alma`, 'almalinux', '9', '9.4 (Seafoam Ocelot)'],
  [
    `${SYFT}/os/almalinux/from-os-release/etc/os-release`,
    'almalinux',
    '8',
    '8.4 (Electric Cheetah)',
  ],
  [`${TRIVY}/release/testdata/oracle`, 'ol', '8', '8.10'],
  [`${SYFT}/os/oraclelinux/etc/os-release`, 'ol', '8', '8.3'],
  [`${TRIVY}/release/testdata/fedora`, 'fedora', '42', '42 (Container Image)'],
  [
    `${SYFT}/os/fedora/usr/lib/os-release`,
    'fedora',
    '36',
    '36 (Container Image)',
  ],
  [
    `${SYFT}/os/scientific/from-os-release/etc/os-release`,
    'scientific',
    '7',
    '7.5 (Nitrogen)',
  ],
];

/** [release file, did, versionId, version, name] */
const RELEASE_FILES: readonly [string, string, string, string, string][] = [
  [
    `${TRIVY}/redhatbase/testdata/alma/almalinux-release`,
    'almalinux',
    '8',
    '8.4 (Electric Cheetah)',
    'AlmaLinux',
  ],
  [
    `${TRIVY}/redhatbase/testdata/centos/centos-release`,
    'centos',
    '7',
    '7.6.1810 (Core)',
    'CentOS Linux',
  ],
  [
    `${TRIVY}/redhatbase/testdata/fedora_29/fedora-release`,
    'fedora',
    '29',
    '29 (Twenty Nine)',
    'Fedora',
  ],
  [
    `${TRIVY}/redhatbase/testdata/oracle_7/oracle-release`,
    'ol',
    '7',
    '7.6',
    'Oracle Linux Server',
  ],
  [
    `${TRIVY}/redhatbase/testdata/rocky/rocky-release`,
    'rocky',
    '8',
    '8.4 (Green Obsidian)',
    'Rocky Linux',
  ],
  [
    `${SYFT}/os/redhat/from-redhat-release/etc/redhat-release`,
    'rhel',
    '8',
    '8.10 (Ootpa)',
    'Red Hat Enterprise Linux',
  ],
  [
    `${SYFT}/os/scientific/from-redhat-release/etc/redhat-release`,
    'scientific',
    '7',
    '7.9 (Nitrogen)',
    'Scientific Linux',
  ],
  [
    `${SYFT}/os/centos5/etc/redhat-release`,
    'centos',
    '5',
    '5.7 (Final)',
    'CentOS',
  ],
  [
    `${CLAIRCORE}/atomichost-7/etc/redhat-release`,
    'rhel',
    '7',
    '7.9',
    'Red Hat Enterprise Linux Atomic Host',
  ],
];

describe('Red Hat-like os-release', () => {
  for (const [file, did, versionId, version] of OS_RELEASES) {
    it(`keys ${did} by major release ${versionId}: ${file}`, () => {
      const files = memoryFiles({ 'etc/os-release': readFileSync(file) });
      const [finding] = osReleaseScanner.scan(files).distributions;
      const d = finding?.distribution;
      assert.deepEqual(
        [d?.did, d?.versionId, d?.version],
        [did, versionId, version],
      );
    });
  }

  it('keeps CPE and pretty name as os-release writes them', () => {
    const data = readFileSync(`${TRIVY}/release/testdata/rhel`);
    const files = memoryFiles({ 'etc/os-release': data });
    const d = osReleaseScanner.scan(files).distributions[0]?.distribution;
    assert.equal(d?.cpe, 'cpe:/o:redhat:enterprise_linux:9::baseos');
    assert.equal(d?.prettyName, 'Red Hat Enterprise Linux 9.4 (Plow)');
  });
});

describe('parseRedHatRelease', () => {
  for (const [file, did, versionId, version, name] of RELEASE_FILES) {
    it(`reads ${did} ${versionId} from ${file}`, () => {
      const text = readFileSync(file, 'utf8');
      assert.deepEqual(parseRedHatRelease(text), {
        did,
        name,
        versionId,
        version,
        versionCodeName: '',
        prettyName: text.split('\n')[0]?.trim(),
      });
    });
  }

  it('rejects other text and old Red Hat Linux', () => {
    const redHatLinux = readFileSync(
      `${TRIVY}/redhatbase/testdata/redhat_6/redhat-release`,
      'utf8',
    );
    assert.equal(parseRedHatRelease(redHatLinux), undefined);
    assert.equal(parseRedHatRelease(''), undefined);
    assert.equal(parseRedHatRelease('Fedora release rawhide'), undefined);
    assert.equal(parseRedHatRelease('Debian release 12'), undefined);
  });
});

describe('redHatReleaseScanner', () => {
  it("ranks Oracle's own file before its RHEL redhat-release", () => {
    const dir = `${CLAIRCORE}/oracle-8/etc`;
    const result = redHatReleaseScanner.scan(
      memoryFiles({
        'etc/oracle-release': readFileSync(`${dir}/oracle-release`),
        'etc/redhat-release': readFileSync(`${dir}/redhat-release`),
      }),
    );
    assert.deepEqual(
      result.distributions.map((f) => [
        f.path,
        f.priority,
        f.distribution.did,
        f.distribution.versionId,
      ]),
      [
        ['etc/oracle-release', 2, 'ol', '8'],
        ['etc/redhat-release', 3, 'rhel', '8'],
      ],
    );
    assert.deepEqual(result.notices, []);
  });

  it('reports a release file it cannot read', () => {
    const result = redHatReleaseScanner.scan(
      memoryFiles({ 'etc/redhat-release': 'Red Hat Linux release 6.2 (Zoot)' }),
    );
    assert.deepEqual(result.distributions, []);
    assert.deepEqual(result.notices, [
      {
        code: 'skipped-file',
        message:
          'Cannot read release file etc/redhat-release: ' +
          'no release claro knows',
        path: 'etc/redhat-release',
      },
    ]);
  });
});
