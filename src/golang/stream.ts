/**
 * Go build information from an ELF executable read once, front to back,
 * without holding the file: for scanners that stream large executables.
 *
 * The ELF header and program header table come first; they say which file
 * ranges are loadable and not executable (read-only data, then writable
 * data). The blob (buildinfo.ts) is looked for at 16-byte aligned offsets
 * of the writable ranges, where Go's linker puts `.go.buildinfo`.
 *
 * - Inline form (Go 1.18 and later): the strings follow the blob; once
 *   they are read the stream needs no more bytes. Only the blob is kept.
 * - Pointer form (before Go 1.18): the strings sit in read-only data that
 *   has streamed past before the blob shows up, so the non-executable
 *   ranges are kept while they pass, up to POINTER_FORM_KEEP bytes in all,
 *   and the pointers are resolved at the end. Executables with note
 *   segments (within the first 64 KiB) but without Go's build ID note
 *   among them are not Go-linked, and nothing is kept for them. Known limitation: a pointer
 *   form binary with more non-executable data than that, or without the
 *   note, is reported as invalid, with the reason.
 */

import {
  BUILDINFO_HEADER_SIZE,
  BUILDINFO_MAGIC,
  MAX_STRING_LENGTH,
  decodeBlob,
  hasInlineStrings,
  toBuildInfo,
  type BuildInfoRead,
} from './buildinfo.js';
import {
  ELF_HEADER_SIZE,
  hasGoBuildIdNote,
  PF_W,
  PF_X,
  PT_LOAD,
  parseElf,
  readVirtual,
  type ElfFile,
} from './elf.js';

/** The program header table must lie within the first 64 KiB. */
const HEAD_LIMIT = 64 * 1024;
/** Non-executable bytes kept for a pre-1.18 binary: 32 MiB. */
export const POINTER_FORM_KEEP = 32 * 1024 * 1024;
/** An inline blob longer than this is not waited for. */
const MAX_BLOB = BUILDINFO_HEADER_SIZE + 2 * (MAX_STRING_LENGTH + 10);
const ALIGN = 16;

/** A file range of one non-executable loadable segment. */
interface Range {
  readonly start: number;
  readonly end: number;
  readonly writable: boolean;
  /** Its bytes, when kept; allocated as the stream reaches it. */
  kept?: Buffer;
  dropped?: boolean;
}

/**
 * Takes an executable's bytes in order (`write`) and then says what build
 * information it holds (`result`). `write` returns false once no more
 * bytes are needed.
 */
export class BuildInfoStream {
  private pos = 0;
  private head: Buffer[] = [];
  private elf: ElfFile | undefined;
  private ranges: Range[] = [];
  private keptBytes = 0;
  private readonly search = new MagicSearch();
  private blob: Buffer | undefined;
  private blobAt = 0;
  private done: BuildInfoRead | undefined;

  /** `keepLimit`: non-executable bytes kept for the pointer form. */
  constructor(private keepLimit = POINTER_FORM_KEEP) {}

  /** Takes the next bytes; false when no more are needed. */
  write(chunk: Buffer): boolean {
    if (this.done) return false;
    if (this.elf === undefined) return this.writeHead(chunk);

    this.take(chunk, this.pos);
    this.pos += chunk.length;
    return this.done === undefined;
  }

  /** What the bytes written so far hold. */
  result(): BuildInfoRead {
    if (this.done) return this.done;
    if (this.blob === undefined || this.elf === undefined) {
      return { kind: 'not-go' };
    }
    if (hasInlineStrings(this.blob))
      return toBuildInfo(decodeBlob(this.blob, none));
    return this.resolvePointers(this.elf, this.blob);
  }

  private writeHead(chunk: Buffer): boolean {
    this.head.push(chunk);
    this.pos += chunk.length;
    // Joined only when the head spans pieces, and then once: the pieces
    // are views that stay valid, and one alone needs no copy.
    const head =
      this.head.length === 1 ? this.head[0]! : Buffer.concat(this.head);
    this.head = [head];
    const elf = this.parseHead(head);
    if (elf === 'wait') return true;
    this.head = [];
    if (typeof elf === 'string') {
      this.done = { kind: 'not-go' };
      return false;
    }

    this.elf = elf;
    this.ranges = dataRanges(elf);
    if (hasGoBuildIdNote(elf, head) === false) this.keepLimit = 0;
    this.take(head, 0);
    return this.done === undefined;
  }

  /** The ELF layout once the head holds it; 'wait' for more bytes. */
  private parseHead(head: Buffer): ElfFile | string | 'wait' {
    if (head.length < ELF_HEADER_SIZE) return 'wait';
    const elf = parseElf(head, { sections: false });
    if (typeof elf !== 'string') return elf;
    return head.length < HEAD_LIMIT ? 'wait' : elf;
  }

  /** Keeps, searches and collects the bytes at file offset `at`. */
  private take(chunk: Buffer, at: number): void {
    for (const r of this.ranges) {
      const from = Math.max(r.start, at);
      const to = Math.min(r.end, at + chunk.length);
      if (from >= to) continue;

      const part = chunk.subarray(from - at, to - at);
      this.keep(r, part, from);
      if (r.writable && this.blob === undefined) this.find(part, from);
    }
    if (this.blob !== undefined && this.done === undefined) {
      this.collect(chunk, at);
    }
  }

  private keep(r: Range, part: Buffer, at: number): void {
    if (r.dropped) return;
    if (r.kept === undefined) {
      const size = r.end - r.start;
      if (this.keptBytes + size > this.keepLimit) {
        r.dropped = true;
        return;
      }
      this.keptBytes += size;
      r.kept = Buffer.alloc(size);
    }
    part.copy(r.kept, at - r.start);
  }

  private find(part: Buffer, at: number): void {
    const found = this.search.push(part, at);
    if (found === undefined) return;
    this.blob = found.bytes;
    this.blobAt = found.at;
  }

  /**
   * Appends what follows the blob: its header, and for the inline form
   * its strings, decoded once whole.
   */
  private collect(chunk: Buffer, at: number): void {
    let blob = this.blob!;
    if (blob.length >= BUILDINFO_HEADER_SIZE && !hasInlineStrings(blob)) {
      return;
    }
    const have = this.blobAt + blob.length;
    if (at <= have && have < at + chunk.length) {
      const room = MAX_BLOB - blob.length;
      const from = have - at;
      blob = Buffer.concat([blob, chunk.subarray(from, from + room)]);
      this.blob = blob;
    }
    if (blob.length < BUILDINFO_HEADER_SIZE || !hasInlineStrings(blob)) return;

    const strings = decodeBlob(blob, none);
    if (typeof strings === 'string' && blob.length < MAX_BLOB) return;
    this.done = toBuildInfo(strings);
    this.release();
  }

  private resolvePointers(elf: ElfFile, blob: Buffer): BuildInfoRead {
    const read = (offset: number, length: number) => {
      const r = this.ranges.find(
        (x) => x.start <= offset && offset + length <= x.end,
      );
      return r?.kept?.subarray(offset - r.start, offset - r.start + length);
    };
    const strings = decodeBlob(blob, (addr, length) =>
      readVirtual(elf, read, addr, length),
    );
    const got = toBuildInfo(strings);
    if (got.kind !== 'invalid' || !this.ranges.some((r) => r.dropped)) {
      return got;
    }
    return {
      kind: 'invalid',
      reason:
        `${got.reason} (before Go 1.18, strings are only found in the ` +
        `first ${this.keepLimit} bytes of data)`,
    };
  }

  private release(): void {
    for (const r of this.ranges) delete r.kept;
  }
}

const none = (): undefined => undefined;

/** Loadable, non-executable file ranges, in file order. */
function dataRanges(elf: ElfFile): Range[] {
  return elf.segments
    .filter((s) => s.type === PT_LOAD && (s.flags & PF_X) === 0)
    .filter((s) => s.filesz > 0)
    .map((s) => ({
      start: s.offset,
      end: s.offset + s.filesz,
      writable: (s.flags & PF_W) !== 0,
    }))
    .sort((a, b) => a.start - b.start);
}

/**
 * Finds the magic at a 16-byte aligned file offset across chunks, keeping
 * only the few bytes a magic split between two chunks needs.
 */
class MagicSearch {
  private tail = Buffer.alloc(0);
  private tailAt = 0;

  /** Bytes from the first aligned magic on, with their offset. */
  push(part: Buffer, at: number): { bytes: Buffer; at: number } | undefined {
    const joined =
      this.tailAt + this.tail.length === at
        ? Buffer.concat([this.tail, part])
        : part;
    const base = joined === part ? at : this.tailAt;
    for (let from = 0; ;) {
      const i = joined.indexOf(BUILDINFO_MAGIC, from);
      if (i < 0) break;
      if ((base + i) % ALIGN === 0) {
        return { bytes: Buffer.from(joined.subarray(i)), at: base + i };
      }
      from = i + 1;
    }
    const keep = Math.min(joined.length, BUILDINFO_MAGIC.length - 1);
    this.tail = Buffer.from(joined.subarray(joined.length - keep));
    this.tailAt = base + joined.length - keep;
    return undefined;
  }
}
