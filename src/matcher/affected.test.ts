import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createHash } from 'node:crypto';
import {
  ALPINE_MANIFEST,
  alpineSource,
  installedWithout,
  loadAlpineSecdb,
} from '../api/testdata/alpine.js';
import { makeTarGz, streamOf } from '../testutil/tar.js';
import { indexImage } from '../indexer/indexer.js';
import { DEFAULT_SCANNERS } from '../indexer/scanners.js';
import { silentLogger } from '../log.js';
import { SqliteStore } from '../store/sqlite.js';
import type { Store } from '../store/store.js';
import { affectedManifests } from './affected.js';
import { vulnerabilityId } from './engine.js';
import { DEFAULT_MATCHERS } from './registry.js';
import type { IndexedVulnerability } from './report.js';

const log = silentLogger();
const OTHER = `sha256:${'0'.repeat(64)}`;
const UPGRADED = `sha256:${'1'.repeat(64)}`;

/** Indexes the minirootfs under UPGRADED with openssl removed on top. */
async function indexWithoutOpenssl(store: Store): Promise<void> {
  const removed = ['libcrypto3', 'libssl3', 'ssl_client', 'apk-tools'];
  const installed = await installedWithout(removed);
  const top = await makeTarGz([
    { name: 'lib/apk/db/installed', body: installed },
  ]);
  const digest = `sha256:${createHash('sha256').update(top).digest('hex')}`;
  const base = alpineSource(UPGRADED);
  const layers = [...base.layers, { digest, open: async () => streamOf(top) }];
  await indexImage(
    { ...base, layers },
    { store, scanners: DEFAULT_SCANNERS, log },
  );
}

describe('affectedManifests', () => {
  let store: Store;
  const opts = () => ({ store, matchers: DEFAULT_MATCHERS, log });

  before(async () => {
    store = SqliteStore.open(':memory:');
    await loadAlpineSecdb(store);
    const scanners = DEFAULT_SCANNERS;
    await indexImage(alpineSource(), { store, scanners, log });
  });
  after(() => store.close());

  /** The stored secdb record of `pkg` in Alpine 3.20 named `cve`. */
  async function record(pkg: string, cve: string) {
    const found = await store.vulnerabilities({
      updaters: ['alpine-'],
      distribution: { did: 'alpine', versionId: '3.20' },
      packageName: pkg,
    });
    const v = found.find((r) => r.name === cve);
    assert.ok(v, `${cve} of ${pkg} is in the mirror`);
    return { id: vulnerabilityId(v), ...v };
  }

  it('finds the image for a fix newer than its installed package', async () => {
    // libcrypto3 and libssl3 3.3.2-r0 (origin openssl); fixed in 3.3.2-r1.
    const v = await record('openssl', 'CVE-2024-9143');
    assert.deepEqual(await affectedManifests([v], opts()), {
      [v.id]: [ALPINE_MANIFEST],
    });
  });

  it('does not find it for a fix it already has', async () => {
    // Fixed in 3.3.2-r0, the installed version.
    const v = await record('openssl', 'CVE-2024-6119');
    assert.deepEqual(await affectedManifests([v], opts()), {});
  });

  it('answers each record of a batch on its own', async () => {
    const fixed = await record('busybox', 'CVE-2023-42364'); // 1.36.1-r29
    const open = await record('busybox', 'CVE-2024-58251'); // 1.36.1-r31
    assert.deepEqual(await affectedManifests([fixed, open], opts()), {
      [open.id]: [ALPINE_MANIFEST],
    });
  });

  it('does not find it for a package it lacks or another release', async () => {
    const curl = await record('curl', 'CVE-2024-9681');
    const v = await record('openssl', 'CVE-2024-9143');
    const older = { ...v, distribution: { did: 'alpine', versionId: '3.19' } };
    assert.deepEqual(await affectedManifests([curl, older], opts()), {});
  });

  it('does not find it for a record of another updater family', async () => {
    const v = await record('openssl', 'CVE-2024-9143');
    const debian: IndexedVulnerability = { ...v, updater: 'debian-dsa' };
    assert.deepEqual(await affectedManifests([debian], opts()), {});
  });

  it('decides a record without an updater by package and release', async () => {
    const v = await record('openssl', 'CVE-2024-9143');
    const bare: IndexedVulnerability = { ...v, updater: '' };
    assert.deepEqual(await affectedManifests([bare], opts()), {
      [v.id]: [ALPINE_MANIFEST],
    });
  });

  it('finds an image holding the package only in a lower layer', async () => {
    await indexWithoutOpenssl(store);
    const report = await store.getIndexReport(UPGRADED);
    const lower = Object.values(report?.lowerLayersOnly.packages ?? {});
    assert.ok(lower.some((p) => p.name === 'libcrypto3'));
    const v = await record('openssl', 'CVE-2024-9143');
    assert.deepEqual(await affectedManifests([v], opts()), {
      [v.id]: [ALPINE_MANIFEST, UPGRADED].sort(),
    });
    await store.deleteIndexReport(UPGRADED);
  });

  it('skips manifests whose indexing failed', async () => {
    const v = await record('openssl', 'CVE-2024-9143');
    const report = await store.getIndexReport(ALPINE_MANIFEST);
    assert.ok(report);
    await store.putIndexReport({
      ...report,
      manifestHash: OTHER,
      state: 'IndexError',
      success: false,
    });
    assert.deepEqual(await affectedManifests([v], opts()), {
      [v.id]: [ALPINE_MANIFEST],
    });
  });
});
