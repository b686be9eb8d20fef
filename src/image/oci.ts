import { ClaroError, errorMessage } from '../errors.js';
import {
  DEFAULT_PLATFORM,
  chooseEntry,
  descriptorList,
  isIndexType,
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
 * platforms `platform` (linux/amd64 by default) is chosen. Every blob read
 * is checked against its digest; layers are checked as they are streamed.
 */
export async function openOciLayout(
  tree: FileTree,
  kind: SourceKind,
  platform: Platform = DEFAULT_PLATFORM,
): Promise<ImageSource> {
  const index = await readJson(tree, 'index.json');
  const desc = await chooseManifest(tree, index, platform);
  const manifest = await readBlobJson(tree, desc.digest);
  const fail = (why: string) => invalid(tree, why);
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
  let where = 'index.json';
  let doc = index;
  for (let depth = 0; depth <= MAX_INDEX_DEPTH; depth++) {
    const list = descriptorList(doc, 'manifests', { where, fail });
    const desc = chooseEntry(list, platform, { where, fail });
    if (!isIndexType(desc.mediaType)) return desc;
    where = desc.digest;
    doc = await readBlobJson(tree, desc.digest);
  }
  throw invalid(tree, 'image indexes nest too deeply');
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
