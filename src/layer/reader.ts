import { createHash, type Hash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { ClaroError, errorMessage } from '../errors.js';
import type { LayerFiles, Scanner, ScannerInputs } from '../indexer/scanner.js';
import { gather } from './gather.js';
import { EntrySink, fanOut } from './fanout.js';
import type { Notice } from '../indexer/types.js';
import {
  decompressor,
  detectCompression,
  peek,
  type Compression,
} from './compression.js';
import { TarParser, type EntryHandler, type TarHeader } from '../tar/stream.js';
import {
  mergeSelections,
  type CompiledSelector,
  type Selection,
} from './selector.js';
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
  /**
   * Digest the blob must have (`sha256:<hex>`), checked at its end; omit
   * it for a stream that checks its own digest (see `checksOwnDigest`).
   */
  readonly digest?: string;
  /** Names the layer in errors and notices. */
  readonly name: string;
}

/**
 * Everything one streaming pass over a layer blob yields: the scanners'
 * inputs (`filesFor` in indexer/scanner.ts picks one scanner's), the
 * layer's record, and what was skipped.
 */
export interface LayerContents extends ScannerInputs {
  readonly record: LayerRecord;
  readonly notices: readonly Notice[];
  /** `sha256:<hex>` of the blob's bytes as read, when it was checked. */
  readonly digest?: string;
}

/**
 * Reads one layer blob (a tar, gzip- or zstd-compressed or not) in one
 * pass: keeps only the files the selector wants, streams those extracting
 * scanners want to their sinks, records whiteouts, opaque folders and
 * folder replacements, and checks the blob's digest. Nothing is written
 * to disk; memory holds the kept files (each within its scanners'
 * `maxFileSize`) and the sinks' extracts.
 *
 * The tar is parsed synchronously as decompressed chunks arrive (one
 * await per chunk, none per entry), while decompression runs off the
 * main thread (gzip on the inflate worker, see inflate.ts).
 */
export async function readLayer(
  blob: Readable,
  opts: ReadLayerOptions,
): Promise<LayerContents> {
  const hash = opts.digest !== undefined ? createHash('sha256') : undefined;
  const { head, stream } = await peek(blob, 4);
  const kind = detectCompression(head);
  const collector = new Collector(opts);
  const parser = new TarParser((h) => collector.entry(h));
  const tar = pipeTar(stream, hash, kind);
  try {
    // Bytes after the end-of-archive blocks are read (and hashed) but
    // belong to no entry.
    for await (const chunk of tar) parser.write(chunk as Buffer);
    parser.end();
  } catch (err) {
    stream.destroy();
    tar.destroy();
    throw layerError(opts.name, kind, err);
  }

  if (!hash) return collector.finish();
  const digest = `sha256:${hash.digest('hex')}`;
  if (digest !== opts.digest) {
    throw new ClaroError(
      'DIGEST_MISMATCH',
      `Cannot read layer ${opts.name}: its bytes hash to ${digest}`,
    );
  }
  return { ...collector.finish(), digest };
}

/**
 * The decompressed bytes of `stream`, hashing the blob's own bytes on
 * the way when asked. Compressed bytes reach the decompressor gathered
 * into large pieces, and its output chunks are large, so that neither
 * the thread pool nor the parser is called per small chunk.
 */
function pipeTar(stream: Readable, hash: Hash | undefined, kind: Compression) {
  const inflate = decompressor(kind);
  const tap = hash
    ? new Transform({
        transform(chunk: Buffer, _enc, cb) {
          hash.update(chunk);
          cb(null, chunk);
        },
      })
    : undefined;
  const steps = [tap, ...(inflate ? [gather(), inflate] : [])];
  let out: Readable = stream;
  for (const step of steps) {
    if (!step) continue;
    out.on('error', (err) => step.destroy(err));
    out = out.pipe(step);
  }
  return out;
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

/** A link kept for a selected path, resolved when the layer is done. */
interface PendingLink {
  readonly kind: 'symlink' | 'hardlink';
  readonly target: string;
}

/** Permission bits of an executable file, any of user, group, other. */
const EXEC_BITS = 0o111;

class Collector {
  /** Files kept whole, for scanners that keep files. */
  private readonly kept = new Map<string, Buffer>();
  /** Scanner name → path → what that scanner's sink returned. */
  private readonly extracts = new Map<string, Map<string, Buffer>>();
  private readonly links = new Map<string, PendingLink>();
  /** Regular files selected only by their first bytes. */
  private readonly byHead = new Set<string>();
  private readonly whiteouts = new Set<string>();
  private readonly opaque = new Set<string>();
  private readonly replaced = new Set<string>();
  private readonly paths = new Set<string>();
  private readonly notices: Notice[] = [];

  constructor(private readonly opts: ReadLayerOptions) {}

  /**
   * Takes in one entry's header; returns where its body goes, or
   * undefined when nothing wants it (the parser then skips it).
   */
  entry(header: TarHeader): EntryHandler | undefined {
    const name = normalizeEntryName(header.name);
    if ('unsafe' in name) {
      if (name.unsafe !== 'empty') this.skipUnsafe(header.name, name.unsafe);
      return undefined;
    }

    const path = name.path;
    if (this.whiteout(path)) return undefined;
    if (header.type !== 'dir' && this.opts.selector.watchesFolder(path)) {
      this.replaced.add(path);
    }
    const sel = this.opts.selector.select(path);
    if (header.type === 'file') return this.file(path, header, sel);
    if (!sel && !this.linksToHeadSelected(header)) return undefined;

    this.forget(path);
    this.keep(path, header);
    return undefined;
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
    const files = linkedFiles(this.kept, this.links);
    const extracts = new Map<string, LayerFiles>();
    for (const [scanner, m] of this.extracts) {
      extracts.set(scanner, linkedFiles(m, this.links));
    }
    return { files, extracts, record, notices: this.notices };
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
    this.kept.delete(path);
    this.links.delete(path);
    this.byHead.delete(path);
    for (const m of this.extracts.values()) m.delete(path);
  }

  /**
   * An executable selected by its first bytes, replaced later in the same
   * layer by a file that is not selected, is gone from the layer.
   */
  private unselect(path: string): void {
    this.forget(path);
    this.paths.delete(path);
  }

  /** A hard link to a file selected by its first bytes is selected too. */
  private linksToHeadSelected(header: TarHeader): boolean {
    if (header.type !== 'hardlink' || this.byHead.size === 0) return false;
    const target = normalizeEntryName(header.linkname);
    return 'path' in target && this.byHead.has(target.path);
  }

  /**
   * A regular file: selected by its path, or, having an execute bit, by
   * its first bytes (held until there are enough to decide); then kept
   * whole, streamed to extracting scanners, or both.
   */
  private file(
    path: string,
    header: TarHeader,
    bySelector: Selection | undefined,
  ): EntryHandler | undefined {
    const need = header.mode & EXEC_BITS ? this.opts.selector.headBytes : 0;
    if (!bySelector && need === 0) return undefined;

    const intake = new HeadIntake(need, (head) => {
      const byHead = head ? this.opts.selector.selectHead(head) : undefined;
      const sel = mergeSelections(bySelector, byHead);
      if (!sel && this.byHead.has(path)) this.unselect(path);
      const sink = sel ? this.start(path, header, sel) : undefined;
      if (sink && byHead && !bySelector) this.byHead.add(path);
      return sink;
    });
    return { data: (chunk) => intake.write(chunk), end: () => intake.end() };
  }

  /** Starts taking in a selected file: records it, plans its bytes. */
  private start(path: string, header: TarHeader, sel: Selection): EntrySink {
    this.forget(path);
    this.paths.add(path);
    const file = { path, size: header.size, mode: header.mode };
    return fanOut(file, sel, {
      kept: (body) => this.kept.set(path, body),
      extracted: (s, body) => this.extractsOf(s).set(path, body),
      skipped: (why) => this.notice('skipped-file', path, why),
      failed: (s, why) =>
        this.notice('skipped-file', path, `scanner ${s.name}: ${why}`),
    });
  }

  private extractsOf(s: Scanner): Map<string, Buffer> {
    let m = this.extracts.get(s.name);
    if (!m) this.extracts.set(s.name, (m = new Map()));
    return m;
  }

  /** Keeps a link entry (regular files go through `file`). */
  private keep(path: string, header: TarHeader): void {
    switch (header.type) {
      case 'symlink':
        this.paths.add(path);
        this.links.set(path, { kind: 'symlink', target: header.linkname });
        return;
      case 'hardlink':
        this.paths.add(path);
        return this.keepHardLink(path, header.linkname);
      default:
        this.paths.delete(path);
    }
  }

  private keepHardLink(path: string, linkname: string): void {
    const target = normalizeEntryName(linkname);
    if ('unsafe' in target) return this.skipUnsafe(linkname, target.unsafe);
    this.links.set(path, { kind: 'hardlink', target: target.path });
    if (this.byHead.has(target.path)) this.byHead.add(path);
  }

  /**
   * Hard links name an earlier entry of the same archive. The target's
   * bytes (or extracts) are only here when the target was itself
   * selected.
   */
  private resolveHardLinks(): void {
    for (const [path, link] of this.links) {
      if (link.kind !== 'hardlink') continue;
      this.links.delete(path);
      let found = copyEntry(this.kept, link.target, path);
      for (const m of this.extracts.values()) {
        found = copyEntry(m, link.target, path) || found;
      }
      if (!found && !this.paths.has(link.target)) {
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

function copyEntry(m: Map<string, Buffer>, from: string, to: string) {
  const body = m.get(from);
  if (body) m.set(to, body);
  return body !== undefined;
}

/**
 * A file's bytes before and after the decision on it: the first `need`
 * bytes are held until `decide` (given them, or undefined when nothing
 * needs them) says where the file goes; held and later bytes then go
 * there, or nowhere.
 */
class HeadIntake {
  private held: Buffer[] = [];
  private got = 0;
  private decided = false;
  private sink: EntrySink | undefined;

  constructor(
    private readonly need: number,
    private readonly decide: (
      head: Buffer | undefined,
    ) => EntrySink | undefined,
  ) {
    if (need === 0) this.settle(undefined);
  }

  write(chunk: Buffer): void {
    if (this.decided) {
      this.sink?.write(chunk);
      return;
    }
    this.held.push(chunk);
    this.got += chunk.length;
    if (this.got >= this.need) this.settle(this.head());
  }

  end(): void {
    if (!this.decided) this.settle(this.head());
    this.sink?.end();
  }

  /** The first `need` bytes held (fewer for a shorter file), copied alone. */
  private head(): Buffer {
    const first = this.held[0];
    if (first && first.length >= this.need) return first.subarray(0, this.need);
    return Buffer.concat(this.held, Math.min(this.got, this.need));
  }

  private settle(head: Buffer | undefined): void {
    this.decided = true;
    this.sink = this.decide(head);
    for (const c of this.held) this.sink?.write(c);
    this.held = [];
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
