import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { memoryFiles } from '../indexer/memory-files.js';
import { osReleaseScanner } from '../osrelease/scanner.js';
import { debianVersionScanner, parseDebianVersion } from './release.js';

const FIXTURES = '../shared/fixtures';
const CLAIRCORE = `${FIXTURES}/claircore-os-release/debian`;

/** Testing's os-release as base-files 13.x writes it before the release. */
const TRIXIE_SID = `PRETTY_NAME="Debian GNU/Linux trixie/sid"
NAME="Debian GNU/Linux"
VERSION_CODENAME=trixie
ID=debian
HOME_URL="https://www.debian.org/"
`;

function distributions(files: Record<string, string | Buffer>) {
  const result = osReleaseScanner.scan(memoryFiles(files));
  assert.deepEqual(result.notices, []);
  return result.distributions.map((f) => f.distribution);
}

describe('parseDebianVersion', () => {
  const table: [string, string, string][] = [
    // etc/debian_version content, versionId, code name
    ['12.5\n', '12', 'bookworm'],
    ['7.11\n', '7', 'wheezy'],
    ['8.0', '8', 'jessie'],
    ['13.5\n', '13', 'trixie'],
    ['14.1', '14', 'forky'],
    ['6.0.10\n', '6', ''],
    ['bookworm/sid\n', '', 'bookworm'],
    ['trixie/sid\n', '', 'trixie'],
    ['sid', '', 'sid'],
  ];
  for (const [text, versionId, codeName] of table) {
    it(`reads ${JSON.stringify(text)} as ${versionId} ${codeName}`, () => {
      assert.deepEqual(parseDebianVersion(text), { versionId, codeName });
    });
  }

  it('reads the files of real images', () => {
    const files: [string, string, string][] = [
      ['trivy-os-release/debian/testdata/debian_9', '9', 'stretch'],
      ['trivy-os-release/debian/testdata/debian_sid', '', 'buster'],
      ['syft-os-release/os/debian/from-debian_version', '10', 'buster'],
      ['syft-os-release/os/debian/with-point-release', '13', 'trixie'],
    ];
    for (const [dir, versionId, codeName] of files) {
      const text = readFileSync(`${FIXTURES}/${dir}/etc/debian_version`);
      assert.deepEqual(parseDebianVersion(text.toString()), {
        versionId,
        codeName,
      });
    }
  });

  it('refuses anything else', () => {
    for (const text of ['', '\n', 'Debian 12', '12.x', 'trixie/Sid', '\0']) {
      assert.equal(parseDebianVersion(text), undefined, text);
    }
  });
});

describe('Debian from os-release', () => {
  // [claircore fixture folder, versionId, code name]
  const releases: [string, string, string][] = [
    ['dist/7', '7', 'wheezy'],
    ['dist/8', '8', 'jessie'],
    ['dist/9', '9', 'stretch'],
    ['dist/10', '10', 'buster'],
    ['dist/11', '11', 'bullseye'],
    ['dist/12', '12', 'bookworm'],
    ['distroless_dist/9', '9', 'stretch'],
    ['distroless_dist/10', '10', 'buster'],
    ['distroless_dist/11', '11', 'bullseye'],
  ];
  for (const [dir, versionId, codeName] of releases) {
    it(`reads ${dir} as Debian ${versionId} (${codeName})`, () => {
      const data = readFileSync(`${CLAIRCORE}/${dir}/etc/os-release`);
      const [d, ...rest] = distributions({ 'etc/os-release': data });
      assert.equal(rest.length, 0);
      assert.deepEqual(
        [d?.did, d?.name, d?.versionId, d?.versionCodeName],
        ['debian', 'Debian GNU/Linux', versionId, codeName],
      );
    });
  }

  it('keeps the os-release fields of a distroless image', () => {
    const data = readFileSync(`${CLAIRCORE}/distroless_dist/11/etc/os-release`);
    assert.deepEqual(distributions({ 'etc/os-release': data }), [
      {
        did: 'debian',
        name: 'Debian GNU/Linux',
        versionId: '11',
        version: 'Debian GNU/Linux 11 (bullseye)',
        versionCodeName: 'bullseye',
        prettyName: 'Distroless',
      },
    ]);
  });

  it('completes the Debian 7 layer whose os-release has only two lines', () => {
    const layer = `${FIXTURES}/clair-v2/DistUpgrade/wheezy.tar.gz`;
    const data = execFileSync('tar', ['-xzOf', layer, './etc/os-release']);
    assert.deepEqual(distributions({ 'etc/os-release': data }), [
      {
        did: 'debian',
        name: 'Debian GNU/Linux',
        versionId: '7',
        version: '',
        versionCodeName: 'wheezy',
        prettyName: 'Debian GNU/Linux 7 (wheezy)',
      },
    ]);
  });

  it('takes the version from "VERSION=7 (wheezy)" without VERSION_ID', () => {
    const text = 'ID=debian\nVERSION="7 (wheezy)"\n';
    const [d] = distributions({ 'etc/os-release': text });
    assert.deepEqual([d?.versionId, d?.versionCodeName], ['7', 'wheezy']);
  });

  it('takes a missing VERSION_ID from debian_version in the same layer', () => {
    const dir = `${FIXTURES}/syft-os-release/os/debian/from-debian_version`;
    const [d] = distributions({
      'etc/os-release': readFileSync(`${dir}/etc/os-release`),
      'etc/debian_version': readFileSync(`${dir}/etc/debian_version`),
    });
    assert.deepEqual(
      [d?.versionId, d?.versionCodeName, d?.prettyName],
      ['10', 'buster', 'Distroless'],
    );
  });

  it('prefers os-release over a point release in debian_version', () => {
    const dir = `${FIXTURES}/syft-os-release/os/debian/with-point-release`;
    const [d] = distributions({
      'etc/os-release': readFileSync(`${dir}/etc/os-release`),
      'etc/debian_version': readFileSync(`${dir}/etc/debian_version`),
    });
    assert.deepEqual(
      [d?.versionId, d?.version, d?.versionCodeName],
      ['13', '13 (trixie)', 'trixie'],
    );
  });

  it('gives testing/sid no version id and the testing code name', () => {
    const noCodename = TRIXIE_SID.replace('VERSION_CODENAME=trixie\n', '');
    for (const text of [TRIXIE_SID, noCodename]) {
      const [d] = distributions({
        'etc/os-release': text,
        'etc/debian_version': 'trixie/sid\n',
      });
      assert.deepEqual(
        [d?.versionId, d?.versionCodeName, d?.prettyName],
        ['', 'trixie', 'Debian GNU/Linux trixie/sid'],
      );
    }
  });

  it('reads usr/lib/os-release at priority 1', () => {
    const file = `${FIXTURES}/syft-os-release/os/debian/from-os-release/usr/lib/os-release`;
    const result = osReleaseScanner.scan(
      memoryFiles({ 'usr/lib/os-release': readFileSync(file) }),
    );
    assert.deepEqual(
      result.distributions.map((f) => [
        f.path,
        f.priority,
        f.distribution.versionId,
        f.distribution.versionCodeName,
      ]),
      [['usr/lib/os-release', 1, '8', 'jessie']],
    );
  });
});

describe('debianVersionScanner', () => {
  it('reports etc/debian_version at priority 2', () => {
    const files = memoryFiles({ 'etc/debian_version': '12.5\n' });
    assert.deepEqual(debianVersionScanner.scan(files), {
      packages: [],
      distributions: [
        {
          path: 'etc/debian_version',
          priority: 2,
          distribution: {
            did: 'debian',
            name: 'Debian GNU/Linux',
            versionId: '12',
            version: '12.5',
            versionCodeName: 'bookworm',
            prettyName: 'Debian GNU/Linux 12 (bookworm)',
          },
        },
      ],
      notices: [],
    });
  });

  it('reports testing/sid without a version id', () => {
    const dir = `${FIXTURES}/trivy-os-release/debian/testdata/debian_sid`;
    const files = memoryFiles({
      'etc/debian_version': readFileSync(`${dir}/etc/debian_version`),
    });
    const d = debianVersionScanner.scan(files).distributions[0]?.distribution;
    assert.deepEqual(
      [d?.versionId, d?.version, d?.versionCodeName, d?.prettyName],
      ['', 'buster/sid', 'buster', 'Debian GNU/Linux buster/sid'],
    );
  });

  it('gives a skipped-file notice for a file it cannot read', () => {
    const files = memoryFiles({ 'etc/debian_version': 'not a release\n' });
    assert.deepEqual(debianVersionScanner.scan(files), {
      packages: [],
      distributions: [],
      notices: [
        {
          code: 'skipped-file',
          message:
            'Cannot read release file etc/debian_version: not a Debian release',
          path: 'etc/debian_version',
        },
      ],
    });
  });
});
