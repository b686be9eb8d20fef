import { createReadStream, existsSync } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { ClaroError, errorMessage } from '../errors.js';
import { decompressor, type Compression } from '../layer/compression.js';
import { normalizeEntryName, resolveLink } from '../layer/paths.js';
import { TarParser, type EntryHandler } from '../tar/stream.js';
import { indexTar, type TarEntry } from './tar-index.js';
import type { FileTree } from './tree.js';

/** Symbolic links followed inside an archive before giving up. */
const MAX_HOPS = 40;
/** Entries of a compressed archive kept in memory by the first pass. */
const SMALL_ENTRY = 4 * 1024 * 1024;

/** A FileTree over a folder on disk (an OCI image layout). */
export function folderTree(root: string): FileTree {
  const full = (p: string) => join(root, ...checked(root, p).split('/'));
  return {
    name: root,
    has: (p) => existsSync(full(p)),
    read: async (p, max) => {
      const s = await stat(full(p)).catch((e) => missing(root, p, e));
      if (s.size > max) throw tooLarge(root, p, max);
      return readFile(full(p));
    },
    open: async (p) => {
      await stat(full(p)).catch((e) => missing(root, p, e));
      return createReadStream(full(p), { highWaterMark: 1 << 20 });
    },
    close: async () => {},
  };
}

/** A FileTree over an uncompressed tar file, read by seeking. */
export async function seekableTarTree(file: string): Promise<FileTree> {
  const entries = byName(await indexTar(file));
  const find = (p: string) => resolveEntry(file, entries, p);
  return {
    name: file,
    has: (p) => entries.has(p),
    read: async (p, max) => {
      const e = find(p);
      if (e.size > max) throw tooLarge(file, p, max);
      const buf = Buffer.alloc(e.size);
      const fh = await open(file, 'r');
      try {
        await fh.read(buf, 0, e.size, e.offset);
      } finally {
        await fh.close();
      }
      return buf;
    },
    open: async (p) => {
      const e = find(p);
      if (e.size === 0) return emptyStream();
      const end = e.offset + e.size - 1;
      return createReadStream(file, {
        start: e.offset,
        end,
        highWaterMark: 1 << 20,
      });
    },
    close: async () => {},
  };
}

/**
 * A FileTree over a compressed tar (`docker save | gzip`). One pass lists
 * the entries and keeps the small ones; opening a large entry makes a new
 * pass that streams just that entry.
 */
export async function streamedTarTree(
  file: string,
  kind: Compression,
): Promise<FileTree> {
  const small = new Map<string, Buffer>();
  const entries = new Map<string, TarEntry>();
  await pass(file, kind, (e) => {
    entries.set(e.name, e);
    if (e.type !== 'file' || e.size > SMALL_ENTRY || !isMetadata(e.name)) {
      return undefined;
    }
    const parts: Buffer[] = [];
    return {
      data: (c) => parts.push(c),
      end: () => small.set(e.name, Buffer.concat(parts)),
    };
  });
  const find = (p: string) => resolveEntry(file, entries, p);
  return {
    name: file,
    has: (p) => entries.has(p),
    read: async (p, max) => {
      const e = find(p);
      if (e.size > max) throw tooLarge(file, p, max);
      return small.get(e.name) ?? collect(await streamEntry(file, kind, e));
    },
    open: async (p) => {
      const e = find(p);
      const kept = small.get(e.name);
      if (kept) return readableOf(kept);
      return streamEntry(file, kind, e);
    },
    close: async () => {},
  };
}

/**
 * Whether an entry may be image metadata worth keeping from the first
 * pass: the layout's and docker's index files and blobs, never the files
 * of a root filesystem archive.
 */
function isMetadata(name: string): boolean {
  if (name.startsWith('blobs/')) return true;
  if (name.split('/').length > 2) return false;
  return name.endsWith('.json') || name === 'oci-layout';
}

/** Where an entry's body goes in a pass, and when the pass may go on. */
interface PassHandler extends EntryHandler {
  /** Set while the body's reader is behind; the pass waits for it. */
  readonly wait?: () => Promise<void> | undefined;
}

/**
 * Streams a compressed tar once, handing each entry (its name made safe;
 * unsafe names are passed over) to `each`, and its body to the handler
 * `each` returns.
 */
async function pass(
  file: string,
  kind: Compression,
  each: (e: TarEntry) => PassHandler | undefined,
): Promise<void> {
  let current: PassHandler | undefined;
  const parser = new TarParser((h) => {
    const name = normalizeEntryName(h.name);
    if ('unsafe' in name) return (current = undefined);
    const { type, linkname, size } = h;
    const e = { name: name.path, type, linkname, size, offset: 0 };
    return (current = each(e));
  });
  const input = createReadStream(file, { highWaterMark: 1 << 20 });
  const inflate = decompressor(kind);
  const tar = inflate ? input.pipe(inflate) : input;
  input.on('error', (err) => tar.destroy(err));
  try {
    for await (const chunk of tar) {
      parser.write(chunk as Buffer);
      await current?.wait?.();
    }
    parser.end();
  } catch (err) {
    input.destroy();
    tar.destroy();
    throw new ClaroError(
      'INVALID_IMAGE',
      `Cannot read archive ${file}: ${errorMessage(err)}`,
      { cause: err },
    );
  }
}

/** A new pass over the archive that streams `want`'s body alone. */
async function streamEntry(file: string, kind: Compression, want: TarEntry) {
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  let drained: Promise<void> | undefined;
  pass(file, kind, (e) => {
    if (e.name !== want.name) return undefined;
    return {
      data: (c) => {
        // A reader that gave up ends the pass (pass turns this into an
        // error that nobody is left to hear).
        if (out.destroyed) throw new Error('entry no longer read');
        if (out.write(c) || drained) return;
        drained = new Promise((r) => out.once('drain', r).once('close', r));
      },
      end: () => out.end(),
      wait: () => drained?.finally(() => (drained = undefined)),
    };
  }).catch((err: Error) => out.destroy(err));
  return out;
}

function byName(list: readonly TarEntry[]): Map<string, TarEntry> {
  const out = new Map<string, TarEntry>();
  for (const e of list) {
    const n = normalizeEntryName(e.name);
    if ('path' in n) out.set(n.path, { ...e, name: n.path });
  }
  return out;
}

/**
 * Finds a regular file entry, following symbolic and hard links inside the
 * archive (skopeo's docker-archive links `layer.tar` files).
 */
function resolveEntry(
  file: string,
  entries: ReadonlyMap<string, TarEntry>,
  path: string,
): TarEntry {
  let p = path;
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const e = entries.get(p);
    if (!e) break;
    if (e.type === 'file') return e;
    if (e.type === 'symlink') p = resolveLink(p, e.linkname);
    else if (e.type === 'hardlink') p = resolveLink('', e.linkname);
    else break;
  }
  throw new ClaroError(
    'INVALID_IMAGE',
    `Cannot read archive ${file}: ${path} is missing or not a file`,
  );
}

function checked(root: string, p: string): string {
  const n = normalizeEntryName(p);
  if ('path' in n) return n.path;
  throw new ClaroError(
    'INVALID_IMAGE',
    `Cannot read ${p} in ${root}: not a path inside the image`,
  );
}

function missing(root: string, p: string, cause: unknown): never {
  throw new ClaroError(
    'INVALID_IMAGE',
    `Cannot read ${root}: ${p} is missing`,
    {
      cause,
    },
  );
}

function tooLarge(root: string, p: string, max: number): ClaroError {
  return new ClaroError(
    'INVALID_IMAGE',
    `Cannot read ${p} in ${root}: larger than ${max} bytes`,
  );
}

async function collect(body: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function readableOf(buf: Buffer): Readable {
  const s = new PassThrough();
  s.end(buf);
  return s;
}

function emptyStream(): Readable {
  return readableOf(Buffer.alloc(0));
}
