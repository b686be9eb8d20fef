import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { indexImage } from '../indexer/indexer.js';
import { DEFAULT_SCANNERS } from '../indexer/scanners.js';
import { silentLogger } from '../log.js';
import { affectedManifests } from '../matcher/affected.js';
import { matchReport, vulnerabilityId } from '../matcher/engine.js';
import { DEFAULT_MATCHERS } from '../matcher/registry.js';
import type { VulnerabilityReport } from '../matcher/report.js';
import { SqliteStore } from '../store/sqlite.js';
import type { Store } from '../store/store.js';
import { makeTarGz, streamOf } from '../testutil/tar.js';
import { fileRecord, rangesOf } from '../vuln/testdata/osv.js';
import type { Vulnerability } from '../vuln/types.js';
import { LANGUAGE_RELEASE } from './ecosystems.js';

const log = silentLogger();
const SITE = 'usr/local/lib/python3.11/site-packages';

/** PYSEC records of the mirror for pygments, as osv-pypi stores them. */
function pygmentsRecords(): Vulnerability[] {
  return ['PYSEC-2021-140', 'PYSEC-2023-117'].map((id) => ({
    updater: 'osv-pypi',
    name: id,
    description: '',
    issued: '',
    links: '',
    severity: '',
    normalizedSeverity: 'Unknown',
    packageName: 'pygments',
    packageKind: 'binary',
    distribution: LANGUAGE_RELEASE,
    fixedInVersion: '',
    scheme: 'pep440',
    ecosystem: 'PyPI',
    ...rangesOf(fileRecord(`pypi/vulns/pygments/${id}.yaml`), 'pygments'),
  }));
}

function metadata(name: string, version: string): string {
  return `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n`;
}

describe('matching language packages', () => {
  let root = '';
  let store: Store;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'claro-osv-engine-'));
  });
  after(() => rm(root, { recursive: true, force: true }));
  beforeEach(() => {
    store = SqliteStore.open(':memory:');
  });
  afterEach(() => store.close());

  /** Indexes a root filesystem of `files` and matches it. */
  async function scan(
    name: string,
    files: Record<string, string>,
  ): Promise<VulnerabilityReport> {
    const folder = join(root, name);
    for (const [path, body] of Object.entries(files)) {
      await mkdir(dirname(join(folder, path)), { recursive: true });
      await writeFile(join(folder, path), body);
    }
    const source = {
      kind: 'rootfs-folder' as const,
      manifestHash: '',
      layers: [],
      folder,
      async close() {},
    };
    const scanners = DEFAULT_SCANNERS;
    const { report } = await indexImage(source, { store, scanners, log });
    return matchReport(report, { store, matchers: DEFAULT_MATCHERS, log });
  }

  function names(r: VulnerabilityReport): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [id, vids] of Object.entries(r.packageVulnerabilities)) {
      const pkg = r.index.packages[id]!;
      out[pkg.name] = vids.map((v) => r.vulnerabilities[v]!.name).sort();
    }
    return out;
  }

  it('matches them in an image without a distribution', async () => {
    await store.applyUpdate('osv-pypi', 'f1', {
      vulnerabilities: pygmentsRecords(),
      coverage: [LANGUAGE_RELEASE],
    });
    const r = await scan('bare', {
      [`${SITE}/Pygments-2.6.1.dist-info/METADATA`]: metadata(
        'Pygments',
        '2.6.1',
      ),
    });
    assert.deepEqual(Object.values(r.index.distributions), []);
    assert.deepEqual(names(r), {
      pygments: ['PYSEC-2021-140', 'PYSEC-2023-117'],
    });
    const codes = r.notices.map((n) => n.code);
    assert.deepEqual(codes, ['no-distribution']);
  });

  it('says when their ecosystem has no data loaded', async () => {
    await store.applyUpdate('osv-npm', 'f1', {
      vulnerabilities: [],
      coverage: [LANGUAGE_RELEASE],
    });
    const r = await scan('no-pypi', {
      'etc/os-release': 'ID=debian\nVERSION_ID="12"\n',
      [`${SITE}/Pygments-2.6.1.dist-info/METADATA`]: metadata(
        'Pygments',
        '2.6.1',
      ),
      'srv/node_modules/ms/package.json': '{"name":"ms","version":"2.1.3"}',
    });
    assert.deepEqual(names(r), {});
    const missing = r.notices.filter((n) => n.code === 'no-vulnerability-data');
    assert.deepEqual(
      missing.map((n) => n.message),
      [
        'No vulnerability data for PyPI packages is loaded (matcher pypi): ' +
          'they are not known to be safe',
      ],
    );
  });

  it('reports a version it cannot compare instead of passing it', async () => {
    await store.applyUpdate('osv-pypi', 'f1', {
      vulnerabilities: pygmentsRecords(),
      coverage: [LANGUAGE_RELEASE],
    });
    const r = await scan('odd-version', {
      [`${SITE}/Pygments-2.6.1.dist-info/METADATA`]: metadata(
        'Pygments',
        '2.6.1-custom!',
      ),
    });
    assert.deepEqual(names(r), {});
    const unknown = r.notices.filter((n) => n.code === 'unknown-version');
    assert.deepEqual(
      unknown.map((n) => n.message.split(':')[0]),
      [
        'Cannot decide PYSEC-2021-140 for pygments 2.6.1-custom!',
        'Cannot decide PYSEC-2023-117 for pygments 2.6.1-custom!',
      ],
    );
  });
});

describe('affected manifests for a language record', () => {
  let store: Store;
  before(() => {
    store = SqliteStore.open(':memory:');
  });
  after(() => store.close());

  /** Indexes a one-layer image of `files` under `manifestHash`. */
  async function index(
    manifestHash: string,
    files: Record<string, string>,
  ): Promise<void> {
    const entries = Object.entries(files).map(([name, body]) => ({
      name,
      body,
    }));
    const blob = await makeTarGz(entries);
    const digest = `sha256:${createHash('sha256').update(blob).digest('hex')}`;
    const source = {
      kind: 'oci-layout' as const,
      manifestHash,
      layers: [{ digest, open: async () => streamOf(blob) }],
      async close() {},
    };
    await indexImage(source, { store, scanners: DEFAULT_SCANNERS, log });
  }

  it('finds the images holding an affected version, whatever their OS', async () => {
    const debian = `sha256:${'d'.repeat(64)}`;
    const bare = `sha256:${'b'.repeat(64)}`;
    const fixed = `sha256:${'f'.repeat(64)}`;
    const pygments = `${SITE}/Pygments-2.6.1.dist-info/METADATA`;
    await index(debian, {
      'etc/os-release': 'ID=debian\nVERSION_ID="12"\n',
      [pygments]: metadata('Pygments', '2.6.1'),
    });
    await index(bare, { [pygments]: metadata('Pygments', '2.6.1') });
    await index(fixed, { [pygments]: metadata('Pygments', '2.15.1') });

    const [record] = pygmentsRecords();
    const v = { id: vulnerabilityId(record!), ...record! };
    const found = await affectedManifests([v], {
      store,
      matchers: DEFAULT_MATCHERS,
      log,
    });
    assert.deepEqual(found, { [v.id]: [bare, debian] });
  });
});
