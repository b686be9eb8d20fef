import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ImageSource } from '../image/source.js';
import { silentLogger } from '../log.js';
import { clairIndexReport } from '../report/clair.js';
import { SqliteStore } from '../store/sqlite.js';
import { makeTarGz, streamOf } from '../testutil/tar.js';
import { indexImage } from './indexer.js';
import type { IndexReport } from './report.js';
import { DEFAULT_SCANNERS } from './scanners.js';

const FIXTURES = '../shared/fixtures';
const PY = `${FIXTURES}/syft-python/site-packages`;
const NPM = `${FIXTURES}/trivy-npm/npm/node_modules`;
const SITE = 'usr/local/lib/python3.11/site-packages';
const APP = 'srv/app/node_modules';
const SIX = 'usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA';

/** The base layer: Debian with a dpkg-installed Python package. */
const BASE: Record<string, string | Buffer> = {
  'etc/os-release': 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n',
  'var/lib/dpkg/status':
    'Package: python3-six\nStatus: install ok installed\n' +
    'Architecture: all\nVersion: 1.16.0-4\n\n',
  'var/lib/dpkg/info/python3-six.list': `/.\n/usr\n/${SIX}\n`,
  [SIX]: 'Metadata-Version: 2.1\nName: six\nVersion: 1.16.0\n',
};

/** pip's layer: Pygments as a wheel, requests as an egg. */
const PIP: Record<string, string | Buffer> = {
  [`${SITE}/Pygments-2.6.1.dist-info/METADATA`]: readFileSync(
    `${PY}/nested/dist-name/dist-info/METADATA`,
  ),
  [`${SITE}/Pygments-2.6.1.dist-info/RECORD`]: readFileSync(
    `${PY}/nested/dist-name/dist-info/RECORD`,
  ),
  [`${SITE}/requests-2.22.0.egg-info/PKG-INFO`]: readFileSync(
    `${PY}/nested/egg-name/egg-info/PKG-INFO`,
  ),
};

/** npm's layer: a project, its installed tree, and a nested fixture. */
const NODE: Record<string, string | Buffer> = {
  'srv/app/package.json': '{"name":"app","version":"1.0.0"}',
  [`${APP}/jquery/package.json`]: readFileSync(`${NPM}/jquery/package.json`),
  [`${APP}/redux/package.json`]: readFileSync(`${NPM}/redux/package.json`),
  [`${APP}/@zeecoder/z-lock/package.json`]: readFileSync(
    `${NPM}/z-lock/package.json`,
  )
    .toString('utf8')
    .replace('"z-lock"', '"@zeecoder/z-lock"'),
  [`${APP}/react/node_modules/react-is/package.json`]: readFileSync(
    `${NPM}/react-is/package.json`,
  ),
  [`${APP}/redux/test/fixture/package.json`]: '{"private": true}',
};

const LAYERS = [BASE, PIP, NODE];

function digestOf(buf: Buffer): string {
  return `sha256:${createHash('sha256').update(buf).digest('hex')}`;
}

async function image(): Promise<ImageSource> {
  const blobs = await Promise.all(
    LAYERS.map((files) =>
      makeTarGz(Object.entries(files).map(([name, body]) => ({ name, body }))),
    ),
  );
  return {
    kind: 'oci-layout',
    manifestHash: 'sha256:language-packages',
    layers: blobs.map((b) => ({
      digest: digestOf(b),
      open: async () => streamOf(b),
    })),
    async close() {},
  };
}

/** name, version, ecosystem, path, layer index and owner of each. */
function languagePackages(r: IndexReport, layers: readonly string[]) {
  return Object.values(r.packages)
    .filter((p) => p.ecosystem !== undefined)
    .map((p) => {
      const env = r.environments[p.id]![0]!;
      return [
        p.name,
        p.version,
        p.ecosystem,
        env.packageDb,
        layers.indexOf(env.introducedIn),
        p.ownedBy?.name ?? '',
      ];
    });
}

const EXPECTED = [
  [
    '@zeecoder/z-lock',
    '1.0.0',
    'npm',
    `${APP}/@zeecoder/z-lock/package.json`,
    2,
    '',
  ],
  ['jquery', '3.3.9', 'npm', `${APP}/jquery/package.json`, 2, ''],
  [
    'pygments',
    '2.6.1',
    'PyPI',
    `${SITE}/Pygments-2.6.1.dist-info/METADATA`,
    1,
    '',
  ],
  [
    'react-is',
    '16.8.6',
    'npm',
    `${APP}/react/node_modules/react-is/package.json`,
    2,
    '',
  ],
  ['redux', '4.0.1', 'npm', `${APP}/redux/package.json`, 2, ''],
  [
    'requests',
    '2.22.0',
    'PyPI',
    `${SITE}/requests-2.22.0.egg-info/PKG-INFO`,
    1,
    '',
  ],
  ['six', '1.16.0', 'PyPI', SIX, 0, 'python3-six'],
];

describe('language packages in an image', () => {
  it('reports each with its path and layer, and OS-owned ones as owned', async () => {
    const store = SqliteStore.open(':memory:');
    const source = await image();
    const { report } = await indexImage(source, {
      store,
      scanners: DEFAULT_SCANNERS,
      log: silentLogger(),
    });
    await store.close();

    const layers = source.layers.map((l) => l.digest);
    assert.deepEqual(languagePackages(report, layers), EXPECTED);
    const six = Object.values(report.packages).find((p) => p.name === 'six');
    assert.deepEqual(six?.ownedBy, {
      name: 'python3-six',
      listedIn: 'var/lib/dpkg/info/python3-six.list',
    });
    const json = clairIndexReport(report).packages as Record<
      string,
      { owned_by?: unknown }
    >;
    assert.deepEqual(json[six!.id]?.owned_by, {
      name: 'python3-six',
      listed_in: 'var/lib/dpkg/info/python3-six.list',
    });
    const names = Object.values(report.packages).map((p) => p.name);
    assert.ok(names.includes('python3-six'), 'the OS package itself');
    assert.ok(!names.includes('app'), 'the project is not a package');
  });

  describe('in a root filesystem folder', () => {
    let root = '';
    before(async () => {
      root = await mkdtemp(join(tmpdir(), 'claro-rootfs-'));
      for (const files of LAYERS) {
        for (const [path, body] of Object.entries(files)) {
          await mkdir(dirname(join(root, path)), { recursive: true });
          await writeFile(join(root, path), body);
        }
      }
    });
    after(async () => rm(root, { recursive: true, force: true }));

    it('reports the same packages, found in the one layer', async () => {
      const store = SqliteStore.open(':memory:');
      const { report } = await indexImage(
        {
          kind: 'rootfs-folder',
          manifestHash: '',
          layers: [],
          folder: root,
          async close() {},
        },
        { store, scanners: DEFAULT_SCANNERS, log: silentLogger() },
      );
      await store.close();

      const folderView = EXPECTED.map((row) => [...row.slice(0, 4), 0, row[5]]);
      assert.deepEqual(languagePackages(report, ['']), folderView);
    });
  });
});
