import { createHash, type Hash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { extract, type Header } from 'tar-stream';
import { ClaroError, errorMessage } from '../errors.js';
import type { LayerFiles } from '../indexer/scanner.js';
import type { Notice } from '../indexer/types.js';
import { decompressor, detectCompression, peek } from './compression.js';
import type { CompiledSelector } from './selector.js';
import { basename, dirname, normalizeEntryName, resolveLink } from './paths.js';
import type { LayerRecord } from './record.js';

/** Whiteout markers, OCI image spec "Representing Changes", exactly. */
const WHITEOUT_PREFIX = '.wh.';
const OPAQUE_MARKER = '.wh..wh..opq';
/** aufs keeps its own bookkeeping under this prefix; not whiteouts. */
const AUFS_META_PREFIX = '.wh..wh.';
/** Symbolic links followed before giving up (as Linux's MAXSYMLINKS). */
const MAX_LINK_HOPS = 40;

export interface ReadLayerOptions {
  readonly selector: CompiledSelector;
  /** Digest the blob must have (`sha256:<hex>`); checked at its end. */
  readonly digest?: string;
  /** Names the layer in errors and notices. */
  readonly name: string;
}

/** Everything one streaming pass over a layer blob yields. */
export interface LayerContents {
  readonly files: LayerFiles;
  readonly record: LayerRecord;
  readonly notices: readonly Notice[];
  /** `sha256:<hex>` of the blob's bytes as read. */
  readonly digest: string;
}

/**
 * Reads one layer blob (a tar, gzip- or zstd-compressed or not) in one
 * pass: keeps only the files the selector wants, records whiteouts, opaque
 * folders and folder replacements, and checks the blob's digest. Nothing
 * is written to disk.
 */
export async function readLayer(
  blob: Readable,
  opts: ReadLayerOptions,
): Promise<LayerContents> {
  const hash = createHash('sha256');
  const { head, stream } = await peek(blob, 4);
  const kind = detectCompression(head);
  const collector = new Collector(opts);
  const tar = pipeTar(stream, hash, kind);
  try {
    for await (const entry of tar) {
      await collector.entry(entry.header as Header, entry);
    }
  } catch (err) {
    stream.destroy();
    throw layerError(opts.name, kind, err);
  }

  const digest = `sha256:${hash.digest('hex')}`;
  if (opts.digest !== undefined && digest !== opts.digest) {
    throw new ClaroError(
      'DIGEST_MISMATCH',
      `Cannot read layer ${opts.name}: its bytes hash to ${digest}`,
    );
  }
  return { ...collector.finish(), digest };
}

function pipeTar(stream: Readable, hash: Hash, kind: string) {
  const tar = extract();
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  const inflate = decompressor(kind as 'gzip' | 'zstd' | 'none');
  const fail = (err: Error) => tar.destroy(err);
  stream.on('error', fail);
  tap.on('error', fail);
  if (inflate) {
    inflate.on('error', fail);
    stream.pipe(tap).pipe(inflate).pipe(tar);
  } else {
    stream.pipe(tap).pipe(tar);
  }
  return tar;
}

function layerError(name: string, kind: string, err: unknown): ClaroError {
  if (err instanceof ClaroError) return err;
  const what = kind === 'none' ? 'tar archive' : `${kind} tar archive`;
  return new ClaroError(
    'INVALID_LAYER',
    `Cannot read layer ${name}: not a valid ${what} (${errorMessage(err)})`,
    { cause: err },
  );
}

/** The body of one tar entry, as tar-stream hands it out. */
interface EntryBody extends AsyncIterable<unknown> {
  resume(): unknown;
  once(event: 'end', fn: () => void): unknown;
  once(event: 'error', fn: (err: unknown) => void): unknown;
}

/** A link kept for a selected path, resolved when the layer is done. */
interface PendingLink {
  readonly kind: 'symlink' | 'hardlink';
  readonly target: string;
}

class Collector {
  private readonly files = new Map<string, Buffer>();
  private readonly links = new Map<string, PendingLink>();
  private readonly whiteouts = new Set<string>();
  private readonly opaque = new Set<string>();
  private readonly replaced = new Set<string>();
  private readonly paths = new Set<string>();
  private readonly notices: Notice[] = [];

  constructor(private readonly opts: ReadLayerOptions) {}

  async entry(header: Header, body: EntryBody): Promise<void> {
    const name = normalizeEntryName(header.name);
    if ('unsafe' in name) {
      if (name.unsafe !== 'empty') this.skipUnsafe(header.name, name.unsafe);
      return drain(body);
    }

    const path = name.path;
    if (this.whiteout(path)) return drain(body);
    if (header.type !== 'directory' && this.opts.selector.watchesFolder(path)) {
      this.replaced.add(path);
    }
    if (!this.opts.selector.wants(path)) return drain(body);

    this.forget(path);
    await this.keep(path, header, body);
  }

  finish(): Omit<LayerContents, 'digest'> {
    this.resolveHardLinks();
    const record: LayerRecord = {
      whiteouts: [...this.whiteouts].sort(),
      opaqueDirs: [...this.opaque].sort(),
      replaced: [...this.replaced].sort(),
      paths: [...this.paths].sort(),
      notices: this.notices,
    };
    const files = linkedFiles(this.files, this.links);
    return { files, record, notices: this.notices };
  }

  /** Records a whiteout entry; true when `path` was one. */
  private whiteout(path: string): boolean {
    const base = basename(path);
    if (!base.startsWith(WHITEOUT_PREFIX)) return false;

    const dir = dirname(path);
    if (base === OPAQUE_MARKER) this.opaque.add(dir);
    else if (!base.startsWith(AUFS_META_PREFIX)) {
      const target = base.slice(WHITEOUT_PREFIX.length);
      this.whiteouts.add(dir === '' ? target : `${dir}/${target}`);
    }
    return true;
  }

  /** A later entry at the same path replaces an earlier one. */
  private forget(path: string): void {
    this.files.delete(path);
    this.links.delete(path);
  }

  private async keep(path: string, header: Header, body: EntryBody) {
    this.paths.add(path);
    switch (header.type) {
      case 'file':
      case 'contiguous-file':
        return this.keepFile(path, header, body);
      case 'symlink':
        this.links.set(path, { kind: 'symlink', target: header.linkname });
        return drain(body);
      case 'link':
        return this.keepHardLink(path, header.linkname, body);
      default:
        this.paths.delete(path);
        return drain(body);
    }
  }

  private async keepFile(path: string, header: Header, body: EntryBody) {
    const max = this.opts.selector.maxSize(path);
    if (header.size > max) {
      this.notice('skipped-file', path, `larger than ${max} bytes`);
      return drain(body);
    }
    this.files.set(path, await collect(body, header.size));
  }

  private async keepHardLink(path: string, linkname: string, body: EntryBody) {
    const target = normalizeEntryName(linkname);
    if ('unsafe' in target) this.skipUnsafe(linkname, target.unsafe);
    else this.links.set(path, { kind: 'hardlink', target: target.path });
    return drain(body);
  }

  /**
   * Hard links name an earlier entry of the same archive. The target's
   * bytes are only here when the target was itself selected.
   */
  private resolveHardLinks(): void {
    for (const [path, link] of this.links) {
      if (link.kind !== 'hardlink') continue;
      this.links.delete(path);
      const body = this.files.get(link.target);
      if (body) this.files.set(path, body);
      else {
        this.notice(
          'unresolved-link',
          path,
          `hard link to ${link.target}, which was not read`,
        );
      }
    }
  }

  private skipUnsafe(name: string, reason: string): void {
    const why =
      reason === 'parent'
        ? 'climbs out of the root with ..'
        : reason === 'absolute'
          ? 'is an absolute path'
          : 'is empty';
    this.notice('skipped-entry', name, `entry name ${why}`);
  }

  private notice(code: Notice['code'], path: string, why: string): void {
    this.notices.push({
      code,
      message: `Skipped ${path} in layer ${this.opts.name}: ${why}`,
      layer: this.opts.name,
      path,
    });
  }
}

/** LayerFiles that follow this layer's symbolic links to its files. */
function linkedFiles(
  files: ReadonlyMap<string, Buffer>,
  links: ReadonlyMap<string, PendingLink>,
): LayerFiles {
  const sorted = [...files.keys()].sort();
  return {
    read(path: string): Buffer | undefined {
      let p = path;
      for (let hops = 0; hops <= MAX_LINK_HOPS; hops++) {
        const body = files.get(p);
        if (body) return body;
        const link = links.get(p);
        if (!link) return undefined;
        p = resolveLink(p, link.target);
      }
      return undefined;
    },
    paths: () => sorted,
  };
}

async function collect(body: EntryBody, size: number): Promise<Buffer> {
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for await (const chunk of body) {
    const c = chunk as Buffer;
    c.copy(out, at);
    at += c.length;
  }
  return at === size ? out : out.subarray(0, at);
}

async function drain(body: EntryBody): Promise<void> {
  body.resume();
  await new Promise<void>((resolve, reject) => {
    body.once('end', resolve);
    body.once('error', reject);
  });
}
