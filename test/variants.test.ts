import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { PackageSet } from '../src/indexer/report.js';
import { openStore } from '../src/store/open.js';
import { SHARED, scanImage, tempDir } from './helpers.js';

const run = promisify(execFile);

const DEBIAN = `${SHARED}/images/debian-bookworm-3layer.oci.tar`;
const SOURCE = `oci-archive:${DEBIAN}`;

/** What a variant's own manifest says claro should report. */
interface Expected {
  readonly manifestHash: string;
  readonly layers: readonly string[];
}

interface Variant {
  readonly name: string;
  readonly path: string;
  /** skopeo copies, in order, that produce `path`. */
  readonly copies: readonly (readonly string[])[];
  readonly expected: () => Expected;
}

const tmp = tempDir('claro-variants-');
const at = (name: string) => join(tmp.dir, name);
const skopeo = ['copy', '-q', '--insecure-policy'];

/**
 * The Debian image rewritten by skopeo. skopeo 1.9 decompresses only into
 * its `dir:` transport, so the uncompressed layout goes through one.
 */
const VARIANTS: readonly Variant[] = [
  {
    name: 'OCI layout with zstd layers',
    path: at('zstd'),
    copies: [
      [
        ...skopeo,
        '--dest-compress-format',
        'zstd',
        SOURCE,
        `oci:${at('zstd')}`,
      ],
    ],
    expected: () => fromLayout(at('zstd')),
  },
  {
    name: 'OCI layout with uncompressed layers',
    path: at('plain'),
    copies: [
      [...skopeo, '--dest-decompress', SOURCE, `dir:${at('plain-dir')}`],
      [
        ...skopeo,
        '--dest-oci-accept-uncompressed-layers',
        `dir:${at('plain-dir')}`,
        `oci:${at('plain')}`,
      ],
    ],
    expected: () => fromLayout(at('plain')),
  },
  {
    name: 'docker-archive',
    path: at('docker.tar'),
    copies: [[...skopeo, SOURCE, `docker-archive:${at('docker.tar')}`]],
    expected: () => fromDockerArchive(at('docker.tar')),
  },
];

function sha256(body: Buffer): string {
  return `sha256:${createHash('sha256').update(body).digest('hex')}`;
}

/** index.json → manifest (OCI image spec, "image-layout"). */
function fromLayout(dir: string): Expected {
  const blob = (d: string) =>
    readFileSync(join(dir, 'blobs', d.replace(':', '/')), 'utf8');
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
  const manifestHash = index.manifests[0].digest as string;
  const manifest = JSON.parse(blob(manifestHash));
  const layers = manifest.layers.map((l: { digest: string }) => l.digest);
  return { manifestHash, layers };
}

/**
 * A docker-archive is known by its config digest (the image id); its
 * layers are plain tars, known by their diff_ids.
 */
function fromDockerArchive(tar: string): Expected {
  const member = (name: string) =>
    execFileSync('tar', ['-xOf', tar, name], { maxBuffer: 1 << 20 });
  const [entry] = JSON.parse(member('manifest.json').toString('utf8'));
  const config = member(entry.Config);
  const layers = JSON.parse(config.toString('utf8')).rootfs.diff_ids;
  return { manifestHash: sha256(config), layers };
}

function hasSkopeo(): boolean {
  try {
    execFileSync('skopeo', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const available = hasSkopeo();

/** Skips visibly without skopeo; on CI its absence is a failure. */
function needSkopeo(t: TestContext): boolean {
  if (available) return true;
  if (process.env['CI'] === 'true') {
    assert.fail('skopeo is required on CI: apt-get install -y skopeo');
  }
  t.skip('skopeo not installed');
  return false;
}

interface Summary {
  readonly manifestHash: string;
  readonly dist: readonly string[][];
  /** "name version" → index of the introducing layer. */
  readonly packages: Record<string, number>;
  /** "name version" → [introduced, removed] layer indexes. */
  readonly lower: Record<string, [number, number]>;
  readonly layersSeen: readonly string[];
}

/** Scans `path` with a fresh empty store and summarises the index. */
async function summarise(path: string, layers: readonly string[]) {
  const dir = tempDir('claro-variant-store-');
  const store = await openStore(join(dir.dir, 'claro.db'));
  try {
    const r = await scanImage(path, store);
    const seen = new Set<string>();
    const layerIndex = (digest: string) => {
      seen.add(digest);
      return layers.indexOf(digest);
    };
    const summary: Summary = {
      manifestHash: r.index.manifestHash,
      dist: Object.values(r.index.distributions).map((d) => [
        d.did,
        d.versionId,
        d.versionCodeName,
      ]),
      packages: byPackage(r.index, (e) => layerIndex(e.introducedIn)),
      lower: byPackage(r.index.lowerLayersOnly, (e) => [
        layerIndex(e.introducedIn),
        layerIndex(e.removedIn ?? ''),
      ]),
      layersSeen: [...seen].sort(),
    };
    return summary;
  } finally {
    await store.close();
    dir.remove();
  }
}

function byPackage<T>(
  set: PackageSet,
  fn: (env: PackageSet['environments'][string][number]) => T,
): Record<string, T> {
  const out: Record<string, T> = {};
  for (const p of Object.values(set.packages)) {
    const env = set.environments[p.id]?.[0];
    assert.ok(env, `${p.name} has an environment`);
    out[`${p.name} ${p.version}`] = fn(env);
  }
  return out;
}

let reference: Summary;
let gzipLayers: readonly string[];

before(async () => {
  gzipLayers = fromLayoutArchive();
  reference = await summarise(DEBIAN, gzipLayers);
  if (!available) return;
  await Promise.all(
    VARIANTS.map(async (v) => {
      for (const args of v.copies) await run('skopeo', [...args]);
    }),
  );
});
after(() => tmp.remove());

/** The gzip layer digests of the shared oci-archive, from its manifest. */
function fromLayoutArchive(): string[] {
  const member = (name: string) =>
    execFileSync('tar', ['-xOf', DEBIAN, name], { maxBuffer: 1 << 20 });
  const index = JSON.parse(member('index.json').toString('utf8'));
  const digest = index.manifests[0].digest as string;
  const manifest = JSON.parse(
    member(`blobs/${digest.replace(':', '/')}`).toString('utf8'),
  );
  return manifest.layers.map((l: { digest: string }) => l.digest);
}

describe('the Debian image in other forms', { concurrency: true }, () => {
  it('reference: gzip oci-archive indexes debian 12 with openssl purged', () => {
    assert.deepEqual(reference.dist, [['debian', '12', 'bookworm']]);
    assert.equal(Object.keys(reference.packages).length, 89);
    assert.deepEqual(Object.keys(reference.lower), [
      'openssl 3.0.22-1~deb12u2',
    ]);
    assert.deepEqual(reference.lower['openssl 3.0.22-1~deb12u2'], [1, 2]);
    assert.deepEqual(reference.layersSeen, [...gzipLayers].sort());
  });

  for (const v of VARIANTS) {
    it(`${v.name}: same packages, its own digests`, async (t) => {
      if (!needSkopeo(t)) return;
      const want = v.expected();
      assert.equal(want.layers.length, 3);
      for (const d of want.layers) assert.ok(!gzipLayers.includes(d), d);

      const got = await summarise(v.path, want.layers);
      assert.equal(got.manifestHash, want.manifestHash);
      assert.deepEqual(got.dist, reference.dist);
      assert.deepEqual(got.packages, reference.packages);
      assert.deepEqual(got.lower, reference.lower);
      assert.deepEqual(got.layersSeen, [...want.layers].sort());
    });
  }
});
