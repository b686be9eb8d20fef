/**
 * Images pulled by reference: the manifest is resolved through indexes
 * to the platform's image manifest, and its layers are opened from the
 * blob cache or the registry.
 */
import type { Readable } from 'node:stream';
import { silentLogger, type Logger } from '../../log.js';
import {
  DEFAULT_PLATFORM,
  chooseEntry,
  configDigest,
  descriptorList,
  formatPlatform,
  platformMiss,
  type Descriptor,
  type Fail,
  type Platform,
} from '../descriptors.js';
import type { HeaderFields } from '../http-request.js';
import { MAX_INDEX_DEPTH } from '../oci.js';
import type { ImageSource, LayerSource } from '../source.js';
import type { BlobCache } from './blob-cache.js';
import { RegistryClient, type RegistryOptions } from './client.js';
import { formatReference, type ImageReference } from './reference.js';

/** How to reach the registry, and which platform to take. */
export interface PullOptions extends RegistryOptions {
  /** Chosen among an index's entries; linux/amd64 by default. */
  readonly platform?: Platform;
}

/** An image manifest found in a registry, with access to its blobs. */
export interface ResolvedImage {
  readonly client: RegistryClient;
  /** `sha256:<hex>` of the image manifest (not of an index above it). */
  readonly manifestDigest: string;
  /** Layers, bottom first. */
  readonly layers: readonly Descriptor[];
}

/** Config media types of container images (OCI, Docker schema 2). */
const IMAGE_CONFIGS = new Set([
  'application/vnd.oci.image.config.v1+json',
  'application/vnd.docker.container.image.v1+json',
]);

/**
 * Connects to the reference's registry and follows its manifest, through
 * image indexes (the entry for `opts.platform`), to an image manifest.
 * Only manifests are fetched, and one blob: when `opts.platform` is given
 * and the reference names an image manifest (no index), its config, to
 * refuse an image of another platform. Without `opts.platform`, such an
 * image is taken whatever its platform, as docker pulls it.
 */
export async function resolveImage(
  ref: ImageReference,
  opts: PullOptions = {},
): Promise<ResolvedImage> {
  const client = await RegistryClient.connect(ref, opts);
  const platform = opts.platform ?? DEFAULT_PLATFORM;
  const fail = (why: string) => client.fail('INVALID_IMAGE', why);
  const missing = (why: string) => client.fail('NOT_FOUND', why);
  let pin = ref.digest ?? ref.tag ?? 'latest';
  for (let depth = 0; depth <= MAX_INDEX_DEPTH; depth++) {
    const m = await client.manifest(pin);
    if (m.kind === 'schema1') {
      throw fail(
        'Docker image manifest schema 1 is not supported; push the image ' +
          'again with a current docker or skopeo to store schema 2',
      );
    }
    if (m.kind === 'manifest') {
      checkConfig(m.doc, fail);
      const layers = descriptorList(m.doc, 'layers', {
        where: `manifest ${m.digest}`,
        fail,
      });
      if (layers.length === 0) throw fail(`manifest ${m.digest} has no layers`);
      if (depth === 0 && opts.platform) {
        await checkPlatform(client, m, opts.platform, { fail, missing });
      }
      return { client, manifestDigest: m.digest, layers };
    }
    const where = `index ${m.digest}`;
    const entries = descriptorList(m.doc, 'manifests', { where, fail });
    pin = chooseEntry(entries, platform, { where, fail, missing }).digest;
    opts.log?.debug(
      { index: m.digest, manifest: pin, platform: formatPlatform(platform) },
      'platform chosen',
    );
  }
  throw fail('image indexes nest too deeply');
}

/**
 * Refuses an image whose config names another platform than `want`; a
 * config naming none passes.
 */
async function checkPlatform(
  client: RegistryClient,
  m: { digest: string; doc: unknown },
  want: Platform,
  errors: { fail: Fail; missing: Fail },
): Promise<void> {
  const where = `manifest ${m.digest}`;
  const digest = configDigest(m.doc, { where, fail: errors.fail });
  if (digest === undefined) return;
  const config = await client.jsonBlob(digest, 'image config');
  const miss = platformMiss(config, want);
  if (miss) throw errors.missing(`${where} is ${miss}`);
}

function checkConfig(doc: unknown, fail: (why: string) => Error): void {
  const type = (doc as { config?: { mediaType?: unknown } } | null)?.config
    ?.mediaType;
  if (typeof type === 'string' && !IMAGE_CONFIGS.has(type)) {
    throw fail(`not a container image (its config is ${type})`);
  }
}

/** A pull whose blobs may come from, and go to, a cache. */
export interface OpenOptions extends PullOptions {
  /** Where downloaded blobs are kept; none when absent. */
  readonly cache?: BlobCache;
}

/**
 * The image a reference names, as an ImageSource of kind 'registry':
 * its manifest digest, and layers that open from the blob cache or,
 * when missing there, from the registry while being written to the
 * cache (kept only when their digest matches).
 *
 * Layers read from the registry without the cache are checked by the
 * layer reader, which hashes every blob as it streams it.
 */
export async function openRegistryImage(
  ref: ImageReference,
  opts: OpenOptions = {},
): Promise<ImageSource> {
  const image = await resolveImage(ref, opts);
  const log = (opts.log ?? silentLogger()).child({
    image: formatReference(ref),
  });
  return {
    kind: 'registry',
    manifestHash: image.manifestDigest,
    layers: image.layers.map((d) => layerOf(image.client, d, opts.cache, log)),
    close: async () => {},
  };
}

function layerOf(
  client: RegistryClient,
  d: Descriptor,
  cache: BlobCache | undefined,
  log: Logger,
): LayerSource {
  const open = async (): Promise<Readable> => {
    const kept = await cache?.open(d.digest, d.size);
    if (kept) {
      log.debug({ layer: d.digest }, 'layer from cache');
      return kept;
    }
    log.debug({ layer: d.digest }, 'fetching layer');
    const blob = await client.openBlob(d.digest);
    if (!cache?.accepts(d.size)) return blob;
    const what = `layer ${d.digest} of ${formatReference(client.ref)}`;
    return cache.store(d.digest, blob, what);
  };
  return { digest: d.digest, open };
}

/**
 * The Clair v4 Manifest of a resolved image (the body of `POST
 * /indexer/api/v1/index_report`): each layer's digest, its blob URL and
 * the header fields that grant access to it.
 */
export function clairManifestOf(image: ResolvedImage): {
  hash: string;
  layers: { hash: string; uri: string; headers: HeaderFields }[];
} {
  const headers = image.client.authorization;
  return {
    hash: image.manifestDigest,
    layers: image.layers.map((d) => ({
      hash: d.digest,
      uri: image.client.blobUrl(d.digest),
      headers,
    })),
  };
}
