import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { memoryFiles } from '../indexer/memory-files.js';
import { dpkgScanner } from './scanner.js';

const FIXTURES = '../shared/fixtures';

/** A layer holding every file under `root`'s status.d folder. */
function statusDir(root: string): Record<string, Buffer> {
  const dir = `${root}/var/lib/dpkg/status.d`;
  return Object.fromEntries(
    readdirSync(dir).map((name) => [
      `var/lib/dpkg/status.d/${name}`,
      readFileSync(`${dir}/${name}`),
    ]),
  );
}

describe('dpkgScanner', () => {
  it('finds nothing in a layer without a dpkg database', () => {
    const files = memoryFiles({ 'etc/os-release': 'ID=debian\n' });
    assert.deepEqual(dpkgScanner.scan(files), {
      packages: [],
      distributions: [],
      notices: [],
    });
  });

  it('reads var/lib/dpkg/status of the Debian 7 layer', () => {
    const layer = `${FIXTURES}/clair-v2/DistUpgrade/wheezy.tar.gz`;
    const status = execFileSync('tar', [
      '-xzOf',
      layer,
      './var/lib/dpkg/status',
    ]);
    const result = dpkgScanner.scan(
      memoryFiles({ 'var/lib/dpkg/status': status }),
    );
    assert.equal(result.packages.length, 1);
    const finding = result.packages[0];
    assert.equal(finding?.path, 'var/lib/dpkg/status');
    assert.equal(finding?.packages.length, 80);
    assert.deepEqual(result.notices, []);
    for (const p of finding?.packages ?? []) {
      assert.equal(p.packageDb, 'var/lib/dpkg/status');
      assert.equal(p.scheme, 'dpkg');
    }
  });

  it('keys each distroless status.d file by its path and skips md5sums', () => {
    const root = `${FIXTURES}/syft-dpkg/image-distroless-deb`;
    const result = dpkgScanner.scan(memoryFiles(statusDir(root)));
    const path = 'var/lib/dpkg/status.d/libsqlite3-0';
    assert.deepEqual(result.packages, [
      {
        path,
        packages: [
          {
            name: 'libsqlite3-0',
            version: '3.34.1-3',
            kind: 'binary',
            source: { name: 'sqlite3', version: '3.34.1-3' },
            packageDb: path,
            arch: 'arm64',
            scheme: 'dpkg',
          },
        ],
      },
    ]);
    assert.deepEqual(result.notices, []);
  });

  it('reads every status.d file, skipping deinstalled and bad stanzas', () => {
    const root = `${FIXTURES}/syft-dpkg/status-d-and-opkg`;
    const result = dpkgScanner.scan(memoryFiles(statusDir(root)));
    const counts = result.packages.map((f) => [
      f.path.replace('var/lib/dpkg/status.d/', ''),
      f.packages.length,
    ]);
    assert.deepEqual(counts, [
      ['coreutils-relationships', 9],
      ['corrupt', 0],
      ['deinstall', 1],
      ['doc-examples', 5],
      ['empty', 0],
      ['installed-size-4KB', 1],
      ['libpam-runtime', 1],
      ['multiple', 2],
      ['single', 1],
    ]);
    assert.equal(result.notices.length, 20);
    const deinstall = result.packages[2]?.packages[0];
    assert.equal(deinstall?.name, 'linux-image-6.14.0-1012-aws');
  });

  it('reads status and status.d side by side in one layer', () => {
    const root = `${FIXTURES}/osv-scalibr-dpkg/dpkg`;
    const files = memoryFiles({
      'var/lib/dpkg/status': readFileSync(`${root}/single`),
      'var/lib/dpkg/status.d/foo': readFileSync(`${root}/status.d/foo`),
      'var/lib/dpkg/status.d/foo.md5sums': readFileSync(
        `${root}/status.d/foo.md5sums`,
      ),
      'var/lib/dpkg/status.d/sub/nested': 'Package: x\nVersion: 1\n',
    });
    const result = dpkgScanner.scan(files);
    assert.deepEqual(
      result.packages.map((f) => [f.path, f.packages.map((p) => p.name)]),
      [
        ['var/lib/dpkg/status', ['acl']],
        ['var/lib/dpkg/status.d/foo', ['foo']],
      ],
    );
  });

  it('reports skipped stanzas of a corrupt status file with its path', () => {
    const txtar = readFileSync(`${FIXTURES}/trivy-dpkg/corrupsed.txtar`);
    const status = txtar.toString('utf8').split('-- var/lib/dpkg/status --\n');
    const files = memoryFiles({ 'var/lib/dpkg/status': status[1] ?? '' });
    const result = dpkgScanner.scan(files);
    assert.deepEqual(
      result.packages[0]?.packages.map((p) => [p.name, p.source?.version]),
      [
        ['libpam-runtime', '1.1.8-3.1ubuntu3'],
        ['libpam-modules-bin', '1.1.8-3.1ubuntu3'],
        ['makedev', '2.3.1-93ubuntu1'],
        ['libgcc1', '5.1.1-12ubuntu1'],
      ],
    );
    assert.deepEqual(
      result.notices.map((n) => [n.code, n.path, n.message.split(': ').at(-1)]),
      [
        ['skipped-record', 'var/lib/dpkg/status', 'no Version field'],
        ['skipped-record', 'var/lib/dpkg/status', 'no Status field'],
      ],
    );
  });

  it('records the candidate files of each package list as owned', () => {
    const requests = [
      '/.',
      '/usr',
      '/usr/lib/python3/dist-packages',
      '/usr/lib/python3/dist-packages/requests',
      '/usr/lib/python3/dist-packages/requests/__init__.py',
      '/usr/lib/python3/dist-packages/requests-2.28.1.egg-info',
      '/usr/lib/python3/dist-packages/requests-2.28.1.egg-info/PKG-INFO',
      '/usr/share/doc/python3-requests/copyright',
    ].join('\n');
    const files = memoryFiles({
      'var/lib/dpkg/info/python3-requests.list': `${requests}\n`,
      'var/lib/dpkg/info/bash.list': '/.\n/bin\n/bin/bash\n/etc/bash.bashrc\n',
      'var/lib/dpkg/info/libc6:amd64.list':
        '/usr/lib/x86_64-linux-gnu/libc.so.6',
      'var/lib/dpkg/info/bash.md5sums': 'abc  bin/bash\n',
    });
    assert.deepEqual(dpkgScanner.scan(files).owned, [
      {
        path: 'var/lib/dpkg/info/bash.list',
        owners: [{ name: 'bash', files: ['usr/bin/bash'] }],
      },
      {
        path: 'var/lib/dpkg/info/python3-requests.list',
        owners: [
          {
            name: 'python3-requests',
            files: [
              'usr/lib/python3/dist-packages/requests-2.28.1.egg-info',
              'usr/lib/python3/dist-packages/requests-2.28.1.egg-info/PKG-INFO',
            ],
          },
        ],
      },
    ]);
  });

  it('names the package of a multi-arch list without its architecture', () => {
    const files = memoryFiles({
      'var/lib/dpkg/info/python3-six:all.list':
        '/usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA\n',
    });
    assert.equal(
      dpkgScanner.scan(files).owned?.[0]?.owners[0]?.name,
      'python3-six',
    );
  });
});
