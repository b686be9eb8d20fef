import { createHash } from 'node:crypto';
import { ClaroError } from '../errors.js';
import { normalizeEntryName } from '../layer/paths.js';
import { detectCompression, peek } from '../layer/compression.js';
import { platformMiss, type Platform } from './descriptors.js';
import { MAX_JSON, invalid, readJson } from './oci.js';
import type { ImageSource, LayerSource } from './source.js';
import type { FileTree } from './tree.js';

interface DockerManifestEntry {
  readonly Config: string;
  readonly Layers: readonly string[];
}

/**
 * Opens a `docker save` archive (and skopeo's docker-archive): the first
 * image of manifest.json. The manifest hash is the config's digest (the
 * image id); a layer's digest is the sha256 of its file, which for the
 * uncompressed layer.tar files docker writes equals the config's diff_id.
 * With `asked`, the config must name that platform (or none).
 */
export async function openDockerArchive(
  tree: FileTree,
  asked?: Platform,
): Promise<ImageSource> {
  const entry = firstImage(tree, await readJson(tree, 'manifest.json'));
  const configBody = await tree.read(inside(tree, entry.Config), MAX_JSON);
  const configDigest = sha256(configBody);
  const config = parseConfig(configBody);
  const miss = asked && platformMiss(config, asked);
  if (miss) {
    throw new ClaroError(
      'NOT_FOUND',
      `Cannot read image ${tree.name}: it is ${miss}`,
    );
  }
  const diffIds = diffIdsOf(config);
  const layers: LayerSource[] = [];
  for (const [i, file] of entry.Layers.entries()) {
    layers.push(await layerOf(tree, inside(tree, file), diffIds[i]));
  }
  return {
    kind: 'docker-archive',
    manifestHash: configDigest,
    layers,
    close: () => tree.close(),
  };
}

function firstImage(tree: FileTree, doc: unknown): DockerManifestEntry {
  const first = Array.isArray(doc) ? (doc[0] as unknown) : undefined;
  const e = first as Partial<DockerManifestEntry> | undefined;
  const ok =
    typeof e?.Config === 'string' &&
    Array.isArray(e.Layers) &&
    e.Layers.every((l) => typeof l === 'string');
  if (!ok) {
    throw invalid(tree, 'manifest.json has no image with Config and Layers');
  }
  return e as DockerManifestEntry;
}

/** The image config's JSON; undefined when it is not JSON. */
function parseConfig(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function diffIdsOf(config: unknown): readonly string[] {
  const ids = (config as { rootfs?: { diff_ids?: unknown } } | undefined)
    ?.rootfs?.diff_ids;
  return Array.isArray(ids) ? ids.filter((x) => typeof x === 'string') : [];
}

/**
 * A layer file that starts as a plain tar has its diff_id as digest, and
 * the reader verifies it while streaming; a compressed one is hashed first.
 */
async function layerOf(
  tree: FileTree,
  path: string,
  diffId: string | undefined,
): Promise<LayerSource> {
  const open = () => tree.open(path);
  const { head, stream } = await peek(await open(), 6);
  stream.destroy();
  if (diffId && detectCompression(head) === 'none') {
    return { digest: diffId, open };
  }
  const hash = createHash('sha256');
  for await (const chunk of await open()) hash.update(chunk as Buffer);
  return { digest: `sha256:${hash.digest('hex')}`, open };
}

function inside(tree: FileTree, name: string): string {
  const n = normalizeEntryName(name);
  if ('unsafe' in n) {
    throw new ClaroError(
      'INVALID_IMAGE',
      `Cannot read image ${tree.name}: manifest.json names ${name}, ` +
        'which is outside the archive',
    );
  }
  return n.path;
}

function sha256(body: Buffer): string {
  return `sha256:${createHash('sha256').update(body).digest('hex')}`;
}
