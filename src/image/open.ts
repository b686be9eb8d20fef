import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { ClaroError } from '../errors.js';
import { detectCompression } from '../layer/compression.js';
import type { Platform } from './descriptors.js';
import { openDockerArchive } from './docker-archive.js';
import { openOciLayout } from './oci.js';
import type { ImageSource } from './source.js';
import { folderTree, seekableTarTree, streamedTarTree } from './trees.js';
import type { FileTree } from './tree.js';

/**
 * Opens an image from a path, recognising its form by content: an OCI
 * image layout folder, a root filesystem folder, or a file that is (maybe
 * gzip- or zstd-compressed) a tar of an OCI layout (oci-archive), a
 * `docker save` output (docker-archive) or a root filesystem. An image
 * index picks `opts.platform`, linux/amd64 by default; a single image
 * is checked against `opts.platform` when it is given.
 */
export async function openImage(
  path: string,
  opts: { readonly platform?: Platform } = {},
): Promise<ImageSource> {
  const platform = opts.platform;
  const info = await stat(path).catch((cause: unknown) => {
    throw new ClaroError(
      'NOT_FOUND',
      `Cannot open image ${path}: no such file or folder`,
      { cause },
    );
  });
  if (info.isDirectory()) return openFolder(path, platform);
  if (!info.isFile()) {
    throw new ClaroError(
      'INVALID_IMAGE',
      `Cannot open image ${path}: not a regular file or folder`,
    );
  }
  return openArchive(path, platform);
}

async function openFolder(
  path: string,
  platform: Platform | undefined,
): Promise<ImageSource> {
  const tree = folderTree(path);
  if (tree.has('oci-layout') && tree.has('index.json')) {
    return openOciLayout(tree, 'oci-layout', platform);
  }
  return {
    kind: 'rootfs-folder',
    manifestHash: '',
    layers: [],
    folder: path,
    close: async () => {},
  };
}

async function openArchive(
  path: string,
  platform: Platform | undefined,
): Promise<ImageSource> {
  const head = await readHead(path, 512);
  const kind = detectCompression(head);
  if (kind === 'none' && !looksLikeTar(head)) {
    throw new ClaroError(
      'INVALID_IMAGE',
      `Cannot open image ${path}: not a tar archive, compressed tar, ` +
        'OCI layout or folder',
    );
  }
  const tree =
    kind === 'none'
      ? await seekableTarTree(path)
      : await streamedTarTree(path, kind);
  return fromTree(path, tree, platform);
}

async function fromTree(
  path: string,
  tree: FileTree,
  platform: Platform | undefined,
): Promise<ImageSource> {
  if (tree.has('oci-layout') && tree.has('index.json')) {
    return openOciLayout(tree, 'oci-archive', platform);
  }
  if (tree.has('manifest.json')) return openDockerArchive(tree, platform);
  await tree.close();
  return rootfsArchive(path);
}

/** A root filesystem tarball is one layer, known by the file's digest. */
async function rootfsArchive(path: string): Promise<ImageSource> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, {
    highWaterMark: 1 << 20,
  })) {
    hash.update(chunk as Buffer);
  }
  const digest = `sha256:${hash.digest('hex')}`;
  const layer = {
    digest,
    open: async () => createReadStream(path, { highWaterMark: 1 << 20 }),
  };
  return {
    kind: 'rootfs-archive',
    manifestHash: digest,
    layers: [layer],
    close: async () => {},
  };
}

async function readHead(path: string, n: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** A ustar header carries "ustar" at offset 257; old v7 tars do not. */
function looksLikeTar(head: Buffer): boolean {
  if (head.length < 512) return false;
  return head.toString('latin1', 257, 262) === 'ustar' || v7Checksum(head);
}

function v7Checksum(b: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : b[i]!;
  const field = b.toString('latin1', 148, 156).replace(/[\0 ]+/g, '');
  return field !== '' && parseInt(field, 8) === sum;
}
