/**
 * Pulling from a real registry (Debian's docker-registry on 127.0.0.1,
 * anonymous, behind a counting proxy): scans by reference match scans of
 * the same images from their files, indexes choose their platform, the
 * blob cache spares downloads, and failures are clear.
 */
import assert from 'node:assert/strict';
import {
  copyFileSync,
  mkdirSync,
  existsSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isClaroError } from '../../src/errors.js';
import { parsePlatform } from '../../src/image/descriptors.js';
import { parseManifest, manifestSource } from '../../src/image/manifest.js';
import { BlobCache } from '../../src/image/registry/blob-cache.js';
import {
  clairManifestOf,
  openRegistryImage,
  resolveImage,
  type OpenOptions,
} from '../../src/image/registry/pull.js';
import { parseReference } from '../../src/image/registry/reference.js';
import type { VulnerabilityReport } from '../../src/matcher/report.js';
import { scanSource } from '../../src/scan.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { makeTar } from '../../src/testutil/tar.js';
import {
  loadedStore,
  log,
  scanImage,
  tempDir,
  vulnsByPackage,
} from '../helpers.js';
import {
  CountingProxy,
  missingTools,
  needRegistry,
  sha256,
  startRegistry,
  type Registry,
} from './harness.js';
import {
  ALPINE_AMD64,
  ALPINE_ARM64,
  DEBIAN_ARCHIVE,
  getManifest,
  imageLayout,
  pushAll,
  pushAsIs,
  type Pushed,
} from './images.js';

const ready = missingTools().length === 0;
const tmp = tempDir('claro-pull-');
/** Quick retries, so that failures come back within the test's time. */
const FAST = { attempts: 3, baseDelayMs: 20, maxDelayMs: 2_000 };

let registry: Registry;
let proxy: CountingProxy;
let pushed: Pushed;
let template: string;
let stores = 0;

before(async () => {
  if (!ready) return;
  registry = await startRegistry();
  proxy = await new CountingProxy(registry.host).start();
  mkdirSync(join(tmp.dir, 'template'));
  const [p, store] = await Promise.all([
    pushAll(registry, join(tmp.dir, 'images')),
    loadedStore(join(tmp.dir, 'template')),
  ]);
  pushed = p;
  await store.close();
  template = join(tmp.dir, 'template', 'claro.db');
});

after(async () => {
  await proxy?.stop();
  await registry?.stop();
  tmp.remove();
});

/** A store holding the feeds and no image, its own copy of the template. */
async function freshStore(): Promise<Store> {
  const file = join(tmp.dir, `store-${++stores}.db`);
  copyFileSync(template, file);
  return openStore(file);
}

/** A cache folder of its own. */
function freshCache(): BlobCache {
  return new BlobCache({
    dir: join(tmp.dir, `cache-${++stores}`),
    maxBytes: 1024 ** 3,
  });
}

/** Scans `name` (repo:tag) through the proxy the way `claro scan` does. */
async function scanRef(
  name: string,
  store: Store,
  opts: OpenOptions = {},
): Promise<VulnerabilityReport> {
  const ref = parseReference(`${proxy.host}/${name}`);
  const source = await openRegistryImage(ref, {
    cache: freshCache(),
    retry: FAST,
    log,
    ...opts,
  });
  try {
    return (await scanSource(source, { store, log })).report;
  } finally {
    await source.close();
  }
}

async function scanFile(path: string): Promise<VulnerabilityReport> {
  const store = await freshStore();
  try {
    return await scanImage(path, store);
  } finally {
    await store.close();
  }
}

async function scanRefFresh(name: string, opts: OpenOptions = {}) {
  const store = await freshStore();
  try {
    return await scanRef(name, store, opts);
  } finally {
    await store.close();
  }
}

/**
 * What a scan found, with each package's introducing layer as an index
 * into the report's layers, so that images whose layer digests differ
 * compare equal when they hold the same files.
 */
function summary(r: VulnerabilityReport) {
  const at = (digest: string | undefined) =>
    r.index.layers.indexOf(digest ?? '');
  const where = (set: typeof r.index) =>
    Object.fromEntries(
      Object.values(set.packages).map((p) => [
        `${p.name} ${p.version}`,
        at(set.environments[p.id]?.[0]?.introducedIn),
      ]),
    );
  return {
    dist: Object.values(r.index.distributions).map((d) => [d.did, d.versionId]),
    packages: where(r.index),
    lower: Object.keys(where(r.index.lowerLayersOnly as typeof r.index)).sort(),
    vulns: vulnsByPackage(r),
    lowerVulns: vulnsByPackage(r, true),
    layerCount: r.index.layers.length,
  };
}

/** The layer digests of the registry's manifest for `name:tag`. */
async function registryLayers(name: string, tag: string) {
  const m = await getManifest(registry.host, name, tag);
  return {
    digest: m.digest,
    layers: (m.doc.layers as { digest: string }[]).map((l) => l.digest),
  };
}

/** Where the registry keeps a blob's bytes (its filesystem driver). */
function blobFile(digest: string): string {
  const hex = digest.slice(7);
  return join(
    registry.dataDir,
    'docker/registry/v2/blobs/sha256',
    hex.slice(0, 2),
    hex,
    'data',
  );
}

describe('scanning by reference', () => {
  it('finds in the Debian image (OCI) what its file holds', async (t) => {
    if (!needRegistry(t)) return;
    const [file, pulled, m] = await Promise.all([
      scanFile(DEBIAN_ARCHIVE),
      scanRefFresh('debian:oci'),
      registryLayers('debian', 'oci'),
    ]);
    assert.deepEqual(summary(pulled), summary(file));
    assert.equal(pulled.index.manifestHash, m.digest);
    assert.deepEqual(pulled.index.layers, m.layers);
    assert.ok(Object.keys(summary(pulled).packages).length > 80);
    assert.ok(summary(pulled).lower.includes('openssl 3.0.22-1~deb12u2'));
  });

  it('reads the Debian image pushed as Docker schema 2', async (t) => {
    if (!needRegistry(t)) return;
    const [file, pulled, m] = await Promise.all([
      scanFile(DEBIAN_ARCHIVE),
      scanRefFresh('debian:docker'),
      getManifest(registry.host, 'debian', 'docker'),
    ]);
    assert.equal(
      m.type,
      'application/vnd.docker.distribution.manifest.v2+json',
    );
    assert.deepEqual(summary(pulled), summary(file));
    assert.equal(pulled.index.manifestHash, m.digest);
  });

  it("follows the registry's digests for a docker-archive skopeo compressed", async (t) => {
    if (!needRegistry(t)) return;
    const [file, pulled, m] = await Promise.all([
      scanFile(pushed.alpine310Archive),
      scanRefFresh('alpine310:latest'),
      registryLayers('alpine310', 'latest'),
    ]);
    assert.deepEqual(summary(pulled), summary(file));
    assert.deepEqual(summary(pulled).dist, [['alpine', '3.10']]);
    assert.equal(pulled.index.manifestHash, m.digest);
    assert.deepEqual(pulled.index.layers, m.layers);
    assert.notDeepEqual(pulled.index.layers, file.index.layers);
    const introduced = Object.values(pulled.index.environments).map(
      (e) => e[0]?.introducedIn,
    );
    assert.deepEqual([...new Set(introduced)], [m.layers[0]]);
  });

  it('takes linux/amd64 from an index by default', async (t) => {
    if (!needRegistry(t)) return;
    const [file, pulled] = await Promise.all([
      scanFile(ALPINE_AMD64),
      scanRefFresh('alpine:3.20.3'),
    ]);
    assert.deepEqual(summary(pulled), summary(file));
    assert.ok(Object.keys(summary(pulled).vulns).length > 0);
    assert.equal(pulled.index.manifestHash, pushed.alpineManifests.amd64);
    assert.deepEqual(pulled.index.layers, [pushed.alpineLayers.amd64]);
  });

  it('takes the platform asked for, arm64 matching arm64/v8', async (t) => {
    if (!needRegistry(t)) return;
    const platform = parsePlatform('linux/arm64');
    const [file, pulled] = await Promise.all([
      scanFile(ALPINE_ARM64),
      scanRefFresh('alpine:3.20.3', { platform }),
    ]);
    assert.deepEqual(summary(pulled), summary(file));
    assert.equal(pulled.index.manifestHash, pushed.alpineManifests.arm64);
    assert.deepEqual(pulled.index.layers, [pushed.alpineLayers.arm64]);
  });

  it('takes the platform from a Docker manifest list', async (t) => {
    if (!needRegistry(t)) return;
    const platform = parsePlatform('linux/arm64/v8');
    const [file, pulled, m] = await Promise.all([
      scanFile(ALPINE_ARM64),
      scanRefFresh('alpine:list', { platform }),
      getManifest(registry.host, 'alpine', 'arm64-v2s2'),
    ]);
    assert.equal(
      m.type,
      'application/vnd.docker.distribution.manifest.v2+json',
    );
    assert.deepEqual(summary(pulled), summary(file));
    assert.equal(pulled.index.manifestHash, m.digest);
    assert.deepEqual(pulled.index.layers, [pushed.alpineLayers.arm64]);
  });

  it('checks a single image manifest against the platform asked for', async (t) => {
    if (!needRegistry(t)) return;
    const [asked, any] = await Promise.all([
      scanRefFresh('alpine:arm64-v2s2', {
        platform: parsePlatform('linux/arm64'),
      }),
      scanRefFresh('alpine:arm64-v2s2'),
    ]);
    assert.deepEqual(asked.index.layers, [pushed.alpineLayers.arm64]);
    // Without --platform, an image manifest is taken as it is.
    assert.deepEqual(any.index.layers, [pushed.alpineLayers.arm64]);
  });

  it('pulls by digest', async (t) => {
    if (!needRegistry(t)) return;
    const pulled = await scanRefFresh(`alpine@${pushed.alpineIndex}`);
    assert.equal(pulled.index.manifestHash, pushed.alpineManifests.amd64);
  });
});

describe('pull failures', () => {
  const fails = async (
    name: string,
    code: Parameters<typeof isClaroError>[1],
    message: string | RegExp,
    opts: OpenOptions = {},
  ) =>
    assert.rejects(scanRefFresh(name, opts), (err) => {
      assert.ok(isClaroError(err, code), String(err));
      if (typeof message === 'string') assert.equal(err.message, message);
      else assert.match(err.message, message);
      return true;
    });

  it('names the platforms an index has when the one asked is missing', async (t) => {
    if (!needRegistry(t)) return;
    await fails(
      'alpine:3.20.3',
      'NOT_FOUND',
      `Cannot pull ${proxy.host}/alpine:3.20.3: index ` +
        `${pushed.alpineIndex} has no manifest for linux/s390x ` +
        '(it has linux/amd64, linux/arm64/v8)',
      { platform: parsePlatform('linux/s390x') },
    );
  });

  it('refuses a single image manifest of another platform than asked', async (t) => {
    if (!needRegistry(t)) return;
    const m = await getManifest(registry.host, 'alpine', 'arm64-v2s2');
    await fails(
      'alpine:arm64-v2s2',
      'NOT_FOUND',
      new RegExp(
        `^Cannot pull ${proxy.host}/alpine:arm64-v2s2: manifest ` +
          `${m.digest} is an image for linux/arm64(/v8)?, not linux/amd64 ` +
          'as --platform asks$',
      ),
      { platform: parsePlatform('linux/amd64') },
    );
  });

  it('fails an unknown tag with NOT_FOUND naming the reference', async (t) => {
    if (!needRegistry(t)) return;
    await fails(
      'debian:no-such-tag',
      'NOT_FOUND',
      `Cannot pull ${proxy.host}/debian:no-such-tag: registry ` +
        `${proxy.host} has no such image (404 MANIFEST_UNKNOWN)`,
    );
  });

  it('fails a blob altered in the registry, and caches nothing', async (t) => {
    if (!needRegistry(t)) return;
    const marker = `unique ${Date.now()} ${Math.random()}`;
    const layer = await makeTar([
      { name: 'etc/alpine-release', body: '3.20.3\n' },
      { name: 'etc/unique', body: `${marker}\n` },
    ]);
    const digest = sha256(layer);
    const dir = imageLayout(join(tmp.dir, 'tamper'), layer, 'amd64').dir;
    await pushAsIs(registry.host, 'tamper', '1', dir);
    const data = blobFile(digest);
    const bytes = readFileSync(data);
    bytes[bytes.indexOf(marker)] ^= 0x20;
    writeFileSync(data, bytes);

    const cacheDir = join(tmp.dir, 'tamper-cache');
    const cache = new BlobCache({ dir: cacheDir, maxBytes: 1024 ** 3 });
    await fails(
      'tamper:1',
      'DIGEST_MISMATCH',
      `Cannot read layer ${digest} of ${proxy.host}/tamper:1: its bytes ` +
        `hash to ${sha256(bytes)}`,
      { cache },
    );
    assert.equal(existsSync(cache.pathOf(digest)), false);
    assert.deepEqual(readdirSync(join(cacheDir, 'blobs', 'tmp')), []);
  });

  it('resumes a blob the registry stops sending mid-way', async (t) => {
    if (!needRegistry(t)) return;
    proxy.reset();
    const blob = `/blobs/${pushed.alpineLayers.amd64}`;
    let stalled = false;
    proxy.fault = (method, path) => {
      if (method !== 'GET' || !path.endsWith(blob) || stalled) return;
      stalled = true;
      return { stallAfter: 1_000_000 };
    };
    const pulled = await scanRefFresh('alpine:amd64', { timeoutMs: 500 });
    assert.deepEqual(pulled.index.layers, [pushed.alpineLayers.amd64]);
    const gets = proxy.seen.filter((s) => s.path.endsWith(blob));
    assert.deepEqual(
      gets.map((g) => g.range),
      [undefined, 'bytes=1000000-'],
    );
    proxy.reset();
  });

  it('fails a blob the registry never finishes, after its tries', async (t) => {
    if (!needRegistry(t)) return;
    proxy.reset();
    const blob = `/blobs/${pushed.alpineLayers.amd64}`;
    proxy.fault = (method, path) =>
      method === 'GET' && path.endsWith(blob)
        ? { stallAfter: 1000 }
        : undefined;
    await fails(
      'alpine:amd64',
      'FETCH_FAILED',
      `Cannot fetch layer ${pushed.alpineLayers.amd64} of ` +
        `${proxy.host}/alpine:amd64: GET http://${proxy.host}/v2/alpine` +
        `${blob} stopped sending for 300 ms (3 attempts)`,
      { timeoutMs: 300 },
    );
    assert.equal(proxy.count('GET', blob), 3);
    proxy.reset();
  });

  it('tries a manifest again after 503, and after 429 as Retry-After says', async (t) => {
    if (!needRegistry(t)) return;
    proxy.reset();
    let n = 0;
    proxy.fault = (method, path) => {
      if (!path.includes('/manifests/')) return;
      n++;
      if (n === 1) return { status: 503 };
      if (n === 2) return { status: 429, headers: { 'Retry-After': '1' } };
      return undefined;
    };
    const t0 = Date.now();
    const ref = parseReference(`${proxy.host}/alpine:amd64`);
    const image = await resolveImage(ref, { retry: FAST });
    assert.ok(Date.now() - t0 >= 1000);
    assert.equal(image.manifestDigest, pushed.alpineManifests.amd64);
    assert.equal(proxy.count('GET', '/manifests/'), 3);
    proxy.reset();
  });
});

describe('the blob cache', () => {
  it('spares every blob download on a second scan', async (t) => {
    if (!needRegistry(t)) return;
    const cache = freshCache();
    const scan = async () => {
      proxy.reset();
      const store = await openStore(':memory:');
      try {
        return await scanRef('debian:oci', store, { cache });
      } finally {
        await store.close();
      }
    };
    const first = await scan();
    assert.equal(proxy.count('GET', '/blobs/'), 3);
    const second = await scan();
    assert.equal(proxy.count('GET', '/blobs/'), 0);
    assert.equal(proxy.count('GET', '/manifests/'), 1);
    assert.deepEqual(summary(second), summary(first));
    proxy.reset();
  });
});

describe('Clair manifests of registry images', () => {
  it('index through the service path to the same report', async (t) => {
    if (!needRegistry(t)) return;
    const ref = parseReference(`${proxy.host}/alpine:3.20.3`);
    const image = await resolveImage(ref, {});
    const m = parseManifest(JSON.parse(JSON.stringify(clairManifestOf(image))));
    assert.equal(m.hash, pushed.alpineManifests.amd64);
    assert.deepEqual(m.layers, [
      {
        hash: pushed.alpineLayers.amd64,
        uri: `http://${proxy.host}/v2/alpine/blobs/${pushed.alpineLayers.amd64}`,
        headers: {},
      },
    ]);
    const store = await freshStore();
    try {
      const viaClair = await scanSource(manifestSource(m), { store, log });
      const file = await scanFile(ALPINE_AMD64);
      assert.deepEqual(summary(viaClair.report), summary(file));
    } finally {
      await store.close();
    }
  });
});
