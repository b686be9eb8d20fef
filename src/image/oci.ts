import { ClaroError, errorMessage } from '../errors.js';
import {
  DEFAULT_PLATFORM,
  chooseEntry,
  configDigest,
  descriptorList,
  isIndexType,
  platformMiss,
  sha256Digest,
  type Descriptor,
  type Platform,
} from './descriptors.js';
import type { ImageSource, LayerSource, SourceKind } from './source.js';
import type { FileTree } from './tree.js';

/** Largest manifest, index or config claro reads (the spec suggests 4 MiB). */
export const MAX_JSON = 4 * 1024 * 1024;

/** Image indexes nested deeper than this are refused. */
export const MAX_INDEX_DEPTH = 4;

/**
 * Opens an OCI image layout (OCI image spec, "image-layout"): index.json
 * names the manifest, nested indexes are followed, and among several
 * platforms `asked` (linux/amd64 by default) is chosen. A manifest whose
 * index entry names no platform is taken whatever its platform, unless
 * `asked` is given: its config must then name that platform (or none).
 * Every blob read is checked against its digest; layers are checked as
 * they are streamed.
 */
export async function openOciLayout(
  tree: FileTree,
  kind: SourceKind,
  asked?: Platform,
): Promise<ImageSource> {
  const index = await readJson(tree, 'index.json');
  const desc = await chooseManifest(tree, index, asked ?? DEFAULT_PLATFORM);
  const manifest = await readBlobJson(tree, desc.digest);
  const fail = (why: string) => invalid(tree, why);
  if (asked && desc.platform === undefined) {
    await checkPlatform(tree, desc.digest, manifest, asked);
  }
  const layers = descriptorList(manifest, 'layers', {
    where: desc.digest,
    fail,
  });
  return {
    kind,
    manifestHash: desc.digest,
    layers: layers.map((d) => layerOf(tree, d.digest)),
    close: () => tree.close(),
  };
}

async function chooseManifest(
  tree: FileTree,
  index: unknown,
  platform: Platform,
): Promise<Descriptor> {
  const fail = (why: string) => invalid(tree, why);
  const missing = (why: string) => absent(tree, why);
  let where = 'index.json';
  let doc = index;
  for (let depth = 0; depth <= MAX_INDEX_DEPTH; depth++) {
    const list = descriptorList(doc, 'manifests', { where, fail });
    const desc = chooseEntry(list, platform, { where, fail, missing });
    if (!isIndexType(desc.mediaType)) return desc;
    where = desc.digest;
    doc = await readBlobJson(tree, desc.digest);
  }
  throw invalid(tree, 'image indexes nest too deeply');
}

/** Refuses an image whose config names another platform than `want`. */
async function checkPlatform(
  tree: FileTree,
  digest: string,
  manifest: unknown,
  want: Platform,
): Promise<void> {
  const where = `manifest ${digest}`;
  const fail = (why: string) => invalid(tree, why);
  const config = configDigest(manifest, { where, fail });
  if (config === undefined) return;
  const miss = platformMiss(await readBlobJson(tree, config), want);
  if (miss) throw absent(tree, `${where} is ${miss}`);
}

/**
 * Every layer blob must exist when the image is opened, even one whose
 * digest is already indexed: an incomplete layout is bad input.
 */
function layerOf(tree: FileTree, digest: string): LayerSource {
  const path = blobPath(tree, digest);
  return { digest, open: () => tree.open(path) };
}

function blobPath(tree: FileTree, digest: string): string {
  const path = `blobs/${digest.replace(':', '/')}`;
  if (!tree.has(path)) throw invalid(tree, `blob ${digest} is missing`);
  return path;
}

async function readBlobJson(tree: FileTree, digest: string) {
  const body = await tree.read(blobPath(tree, digest), MAX_JSON);
  const actual = sha256Digest(body);
  if (actual !== digest) {
    throw new ClaroError(
      'DIGEST_MISMATCH',
      `Cannot read ${tree.name}: blob ${digest} hashes to ${actual}`,
    );
  }
  return parseJson(tree, body, digest);
}

/** Reads and parses a JSON file of the tree, naming it in errors. */
export async function readJson(tree: FileTree, path: string) {
  if (!tree.has(path)) throw invalid(tree, `${path} is missing`);
  return parseJson(tree, await tree.read(path, MAX_JSON), path);
}

function parseJson(tree: FileTree, body: Buffer, what: string): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw invalid(tree, `${what} is not valid JSON (${errorMessage(err)})`);
  }
}

export function invalid(tree: FileTree, why: string): ClaroError {
  return new ClaroError(
    'INVALID_IMAGE',
    `Cannot read image ${tree.name}: ${why}`,
  );
}

/** The image asked for is not in the tree (another platform's is). */
function absent(tree: FileTree, why: string): ClaroError {
  return new ClaroError('NOT_FOUND', `Cannot read image ${tree.name}: ${why}`);
}
