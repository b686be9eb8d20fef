/**
 * A synchronous, push-driven tar parser: bytes go in with `write` as they
 * arrive, each entry's header is handed to `onEntry`, and its body goes,
 * as views of the written chunks (never copied, never changed), to the
 * handler `onEntry` returned. No stream, promise or event per entry: a layer of
 * thousands of files costs one call per header and per body piece.
 *
 * The end follows Go's archive/tar (what container runtimes apply layers
 * with): two zero blocks end the archive and anything after them is
 * padding; a zero block followed by a header is an error; input that ends
 * cleanly between entries, without the zero blocks, is accepted.
 */
import {
  BLOCK,
  applyMeta,
  entryType,
  isMeta,
  isZeroBlock,
  readHeader,
  type EntryType,
  type Overrides,
} from './header.js';

/** An entry's header, with pax and GNU long-name records applied. */
export interface TarHeader {
  readonly name: string;
  readonly type: EntryType;
  readonly mode: number;
  readonly size: number;
  readonly linkname: string;
}

/** Where one entry's body goes. */
export interface EntryHandler {
  /**
   * A piece of the body: a view of a chunk given to `write`, as lasting
   * as that chunk's memory (which the caller must not reuse).
   */
  data(chunk: Buffer): void;
  /** The body is over. */
  end(): void;
}

/** A malformed archive; the message says what and at which byte. */
export class TarError extends Error {
  override readonly name = 'TarError';
}

/** Metadata bodies (pax records, GNU long names) larger than this fail. */
const MAX_META_BYTES = 1 << 20;

type State =
  | { kind: 'header' }
  | { kind: 'body'; left: number; pad: number; to?: EntryHandler }
  | { kind: 'meta'; flag: string; left: number; pad: number; got: Buffer[] }
  | { kind: 'zero' }
  | { kind: 'done' };

/** Parses one tar archive from its bytes, in order. */
export class TarParser {
  private state: State = { kind: 'header' };
  /** Bytes of a header block split across writes. */
  private partial: Buffer | undefined;
  private ext: Overrides = {};
  /** Bytes consumed so far, for error messages. */
  private at = 0;

  constructor(
    private readonly onEntry: (h: TarHeader) => EntryHandler | undefined,
  ) {}

  /** Parses `chunk`; throws TarError on a malformed archive. */
  write(chunk: Buffer): void {
    let off = 0;
    while (off < chunk.length && this.state.kind !== 'done') {
      const s = this.state;
      const n =
        s.kind === 'body'
          ? this.body(s, chunk, off)
          : s.kind === 'meta'
            ? this.meta(s, chunk, off)
            : this.block(chunk, off);
      off += n;
      this.at += n;
    }
  }

  /** The input is over; throws TarError when it stops inside an entry. */
  end(): void {
    const s = this.state;
    if (s.kind === 'done' || s.kind === 'zero') return;
    if (s.kind === 'header' && this.partial === undefined) return;
    throw new TarError(`archive truncated at byte ${this.at}`);
  }

  /** Takes in (part of) a header or zero block; returns bytes used. */
  private block(chunk: Buffer, off: number): number {
    const have = this.partial?.length ?? 0;
    const take = Math.min(BLOCK - have, chunk.length - off);
    let b: Buffer;
    if (have === 0 && take === BLOCK) {
      b = chunk.subarray(off, off + BLOCK);
    } else {
      const piece = chunk.subarray(off, off + take);
      b = this.partial ? Buffer.concat([this.partial, piece]) : piece;
      if (b.length < BLOCK) {
        this.partial = Buffer.from(b);
        return take;
      }
    }
    this.partial = undefined;
    this.header(b, this.at + take - BLOCK);
    return take;
  }

  private header(b: Buffer, pos: number): void {
    if (isZeroBlock(b)) {
      this.state =
        this.state.kind === 'zero' ? { kind: 'done' } : { kind: 'zero' };
      return;
    }
    if (this.state.kind === 'zero') {
      throw new TarError(`header after an end-of-archive block at byte ${pos}`);
    }
    const h = readHeader(b, this.ext);
    if (h === undefined) {
      throw new TarError(`bad header checksum at byte ${pos}`);
    }
    if (!Number.isSafeInteger(h.size) || h.size < 0) {
      throw new TarError(`bad entry size at byte ${pos}`);
    }

    const pad = (BLOCK - (h.size % BLOCK)) % BLOCK;
    if (isMeta(h.flag)) {
      if (h.size > MAX_META_BYTES) {
        throw new TarError(`metadata entry too large at byte ${pos}`);
      }
      this.state = { kind: 'meta', flag: h.flag, left: h.size, pad, got: [] };
      return this.finishMeta();
    }
    this.ext = {};
    const to = this.onEntry({
      name: h.name,
      type: entryType(h.flag),
      mode: h.mode,
      size: h.size,
      linkname: h.linkname,
    });
    this.state = { kind: 'body', left: h.size, pad, ...(to ? { to } : {}) };
    this.finishBody();
  }

  private body(
    s: Extract<State, { kind: 'body' }>,
    chunk: Buffer,
    off: number,
  ): number {
    if (s.left > 0) {
      const n = Math.min(s.left, chunk.length - off);
      s.left -= n;
      s.to?.data(chunk.subarray(off, off + n));
      this.finishBody();
      return n;
    }
    const n = Math.min(s.pad, chunk.length - off);
    s.pad -= n;
    this.finishBody();
    return n;
  }

  private finishBody(): void {
    const s = this.state;
    if (s.kind !== 'body' || s.left > 0) return;
    if (s.to) {
      s.to.end();
      delete s.to;
    }
    if (s.pad === 0) this.state = { kind: 'header' };
  }

  private meta(
    s: Extract<State, { kind: 'meta' }>,
    chunk: Buffer,
    off: number,
  ): number {
    const n = Math.min(s.left > 0 ? s.left : s.pad, chunk.length - off);
    if (s.left > 0) {
      s.got.push(Buffer.from(chunk.subarray(off, off + n)));
      s.left -= n;
    } else {
      s.pad -= n;
    }
    this.finishMeta();
    return n;
  }

  private finishMeta(): void {
    const s = this.state;
    if (s.kind !== 'meta' || s.left > 0 || s.pad > 0) return;
    this.ext = applyMeta(this.ext, s.flag, Buffer.concat(s.got));
    this.state = { kind: 'header' };
  }
}
