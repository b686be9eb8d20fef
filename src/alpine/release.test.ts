import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { memoryFiles } from '../indexer/memory-files.js';
import { osReleaseScanner } from '../osrelease/scanner.js';
import { alpineReleaseScanner, alpineVersionId } from './release.js';

const FIXTURES = '../shared/fixtures';

/** A file of an Alpine minirootfs tarball. */
function minirootfs(file: string, path: string): Buffer {
  const tarball = `${FIXTURES}/alpine-minirootfs/${file}`;
  return execFileSync('tar', ['-xzOf', tarball, `./${path}`]);
}

/**
 * etc/os-release of a minirootfs. In edge it links to usr/lib/os-release,
 * which the layer reader follows; `tar -O` prints a link as nothing.
 */
function osReleaseOf(tarball: string): Buffer {
  const data = minirootfs(tarball, 'etc/os-release');
  return data.length > 0 ? data : minirootfs(tarball, 'usr/lib/os-release');
}

describe('alpineVersionId', () => {
  const table: [string, string | undefined][] = [
    ['3.20.3', '3.20'],
    ['3.20.3\n', '3.20'],
    ['3.6.5', '3.6'],
    ['3.13.12', '3.13'],
    ['3.10', '3.10'],
    ['3.21_alpha20240923', 'edge'],
    ['3.21.0_alpha20240923', 'edge'],
    ['3.19_alpha20230901', 'edge'],
    ['', undefined],
    ['edge', undefined],
    ['3', undefined],
    ['v3.20.3', undefined],
  ];
  for (const [release, versionId] of table) {
    it(`reads ${JSON.stringify(release)} as ${versionId}`, () => {
      assert.equal(alpineVersionId(release), versionId);
    });
  }
});

describe('Alpine from os-release and alpine-release', () => {
  // [tarball, versionId, version, prettyName]
  const rootfs: [string, string, string, string][] = [
    [
      'alpine-minirootfs-3.20.3-x86_64.tar.gz',
      '3.20',
      '3.20.3',
      'Alpine Linux v3.20',
    ],
    [
      'alpine-minirootfs-3.20.3-aarch64.tar.gz',
      '3.20',
      '3.20.3',
      'Alpine Linux v3.20',
    ],
    [
      'alpine-minirootfs-3.13.12-x86_64.tar.gz',
      '3.13',
      '3.13.12',
      'Alpine Linux v3.13',
    ],
    [
      'alpine-minirootfs-3.6.5-x86_64.tar.gz',
      '3.6',
      '3.6.5',
      'Alpine Linux v3.6',
    ],
    [
      'alpine-minirootfs-20240923-x86_64-edge.tar.gz',
      'edge',
      '3.21.0_alpha20240923',
      'Alpine Linux edge',
    ],
  ];
  for (const [tarball, versionId, version, prettyName] of rootfs) {
    it(`reads ${tarball} as Alpine ${versionId}`, () => {
      const osRelease = osReleaseScanner.scan(
        memoryFiles({ 'etc/os-release': osReleaseOf(tarball) }),
      );
      assert.deepEqual(osRelease.notices, []);
      assert.deepEqual(
        osRelease.distributions.map((f) => [f.path, f.priority]),
        [['etc/os-release', 0]],
      );
      const fromOs = osRelease.distributions[0]?.distribution;
      assert.deepEqual(
        [fromOs?.did, fromOs?.name, fromOs?.versionId, fromOs?.version],
        ['alpine', 'Alpine Linux', versionId, version],
      );
      assert.equal(fromOs?.prettyName, prettyName);

      const release = minirootfs(tarball, 'etc/alpine-release');
      const fallback = alpineReleaseScanner.scan(
        memoryFiles({ 'etc/alpine-release': release }),
      );
      const fromFile = fallback.distributions[0];
      assert.equal(fromFile?.priority, 2);
      assert.equal(fromFile?.distribution.versionId, versionId);
    });
  }

  it('reads the edge os-release of claircore as edge', () => {
    const dir = `${FIXTURES}/claircore-os-release/alpine/edge`;
    const data = readFileSync(`${dir}/etc/os-release`);
    const result = osReleaseScanner.scan(
      memoryFiles({ 'etc/os-release': data }),
    );
    assert.deepEqual(result.distributions[0]?.distribution, {
      did: 'alpine',
      name: 'Alpine Linux',
      versionId: 'edge',
      version: '3.19_alpha20230901',
      versionCodeName: '',
      prettyName: 'Alpine Linux edge',
    });
  });

  it('reads every Alpine release of claircore as major.minor', () => {
    const releases = ['3.3', '3.4', '3.5', '3.6', '3.7', '3.8', '3.9'];
    releases.push('3.10', '3.11', '3.12', '3.13', '3.14', '3.15', '3.16');
    releases.push('3.17', '3.18');
    for (const release of releases) {
      const file = `${FIXTURES}/claircore-os-release/alpine/${release}/etc/os-release`;
      const result = osReleaseScanner.scan(
        memoryFiles({ 'etc/os-release': readFileSync(file) }),
      );
      const d = result.distributions[0]?.distribution;
      assert.equal(d?.versionId, release, file);
      assert.ok(d?.version.startsWith(`${release}.`), file);
    }
  });

  it('keeps VERSION_ID as it is when it is not an Alpine release', () => {
    const text = 'ID=alpine\nVERSION_ID=weird\nPRETTY_NAME="Alpine Linux"\n';
    const result = osReleaseScanner.scan(
      memoryFiles({ 'etc/os-release': text }),
    );
    assert.equal(result.distributions[0]?.distribution.versionId, 'weird');
  });

  it('reports etc/alpine-release of an edge build', () => {
    const files = memoryFiles({ 'etc/alpine-release': '3.21_alpha20240923\n' });
    assert.deepEqual(alpineReleaseScanner.scan(files), {
      packages: [],
      distributions: [
        {
          path: 'etc/alpine-release',
          priority: 2,
          distribution: {
            did: 'alpine',
            name: 'Alpine Linux',
            versionId: 'edge',
            version: '3.21_alpha20240923',
            versionCodeName: '',
            prettyName: 'Alpine Linux edge',
          },
        },
      ],
      notices: [],
    });
  });

  it('gives a skipped-file notice for an unreadable alpine-release', () => {
    const files = memoryFiles({ 'etc/alpine-release': 'Alpine\n' });
    assert.deepEqual(alpineReleaseScanner.scan(files), {
      packages: [],
      distributions: [],
      notices: [
        {
          code: 'skipped-file',
          message:
            'Cannot read release file etc/alpine-release: not an Alpine release',
          path: 'etc/alpine-release',
        },
      ],
    });
  });
});
