import { createHash } from 'node:crypto';
import { ClaroError } from '../errors.js';
import { normalizeEntryName } from '../layer/paths.js';
import { detectCompression, peek } from '../layer/compression.js';
import {
  configPlatform,
  formatPlatform,
  platformMatches,
  type Platform,
} from './descriptors.js';
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
  if (asked) checkPlatform(tree, configBody, asked);
  const diffIds = diffIdsOf(configBody);
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

function checkPlatform(tree: FileTree, config: Buffer, want: Platform) {
  let doc: unknown;
  try {
    doc = JSON.parse(config.toString('utf8'));
  } catch {
    return;
  }
  const have = configPlatform(doc);
  if (!have || platformMatches(have, want)) return;
  throw new ClaroError(
    'NOT_FOUND',
    `Cannot read image ${tree.name}: it is an image for ` +
      `${formatPlatform(have)}, not ${formatPlatform(want)} as --platform asks`,
  );
}

function diffIdsOf(config: Buffer): readonly string[] {
  try {
    const doc = JSON.parse(config.toString('utf8')) as {
      rootfs?: { diff_ids?: unknown };
    };
    const ids = doc.rootfs?.diff_ids;
    return Array.isArray(ids) ? ids.filter((x) => typeof x === 'string') : [];
  } catch {
    return [];
  }
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
