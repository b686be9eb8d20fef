import { createHash } from 'node:crypto';
import { ClaroError, errorMessage } from '../errors.js';
import type { ImageSource, LayerSource, SourceKind } from './source.js';
import type { FileTree } from './tree.js';

/** Largest manifest, index or config claro reads (the spec suggests 4 MiB). */
export const MAX_JSON = 4 * 1024 * 1024;

const MT_INDEX = 'application/vnd.oci.image.index.v1+json';
const MT_DOCKER_LIST =
  'application/vnd.docker.distribution.manifest.list.v2+json';
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const DEFAULT_PLATFORM = { os: 'linux', architecture: 'amd64' };

interface Descriptor {
  readonly mediaType?: string;
  readonly digest: string;
  readonly size?: number;
  readonly platform?: { os?: string; architecture?: string };
}

/**
 * Opens an OCI image layout (OCI image spec, "image-layout"): index.json
 * names the manifest, nested indexes are followed, and with several
 * platforms linux/amd64 is chosen. Every blob read is checked against its
 * digest; layers are checked as they are streamed.
 */
export async function openOciLayout(
  tree: FileTree,
  kind: SourceKind,
): Promise<ImageSource> {
  const index = await readJson(tree, 'index.json');
  const desc = await chooseManifest(tree, index, 'index.json');
  const manifest = await readBlobJson(tree, desc.digest);
  const layers = descriptors(tree, manifest, 'layers', desc.digest);
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
  where: string,
  depth = 0,
): Promise<Descriptor> {
  const list = descriptors(tree, index, 'manifests', where);
  const wanted = list.length === 1 ? list : list.filter(isDefaultPlatform);
  const [desc] = wanted;
  if (!desc || wanted.length > 1) {
    throw invalid(
      tree,
      `${where} names ${list.length} manifests, none ` +
        'or several for linux/amd64',
    );
  }
  const isIndex =
    desc.mediaType === MT_INDEX || desc.mediaType === MT_DOCKER_LIST;
  if (!isIndex) return desc;
  if (depth > 4) throw invalid(tree, 'image indexes nest too deeply');
  const nested = await readBlobJson(tree, desc.digest);
  return chooseManifest(tree, nested, desc.digest, depth + 1);
}

function isDefaultPlatform(d: Descriptor): boolean {
  return (
    d.platform?.os === DEFAULT_PLATFORM.os &&
    d.platform?.architecture === DEFAULT_PLATFORM.architecture
  );
}

function descriptors(
  tree: FileTree,
  doc: unknown,
  field: string,
  where: string,
): Descriptor[] {
  const list = (doc as Record<string, unknown> | null)?.[field];
  if (!Array.isArray(list)) {
    throw invalid(tree, `${where} has no "${field}" array`);
  }
  return list.map((d: unknown, i) => {
    const digest = (d as Descriptor | null)?.digest;
    if (typeof digest !== 'string' || !DIGEST.test(digest)) {
      throw invalid(tree, `${where} ${field}[${i}] has no valid sha256 digest`);
    }
    return d as Descriptor;
  });
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
  const actual = `sha256:${createHash('sha256').update(body).digest('hex')}`;
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
