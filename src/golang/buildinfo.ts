/**
 * Go build information embedded in ELF executables, as Go's
 * `debug/buildinfo` package documents and reads it: the toolchain version
 * and the module information text (modinfo.ts).
 *
 * The linker writes a blob starting with the 14-byte magic
 * `\xff Go buildinf:` at a 16-byte aligned address, at the start of the
 * `.go.buildinfo` section (or, without section headers, of the first
 * writable, non-executable loadable segment). Byte 14 is the pointer size
 * (4 or 8); byte 15 holds flags: bit 0 set means big endian, bit 1 set
 * (Go 1.18 and later) means the two strings follow inline.
 *
 * - Inline form: from offset 32 of the blob, the version and then the
 *   module information, each as an unsigned varint length
 *   (`encoding/binary.Uvarint`) followed by that many bytes.
 * - Pointer form (before Go 1.18): at offsets 16 and 16 + pointer size,
 *   the virtual addresses of two Go string headers (data address, length:
 *   two pointer-sized words), which are resolved through the segments.
 *
 * The module information is framed by two 16-byte sentinels; it counts
 * only when it is long enough for both and the byte before the closing
 * one is a newline (the check `debug/buildinfo` makes).
 */

import {
  bufferReader,
  findSection,
  parseElf,
  PF_W,
  PF_X,
  PT_LOAD,
  readVirtual,
  type ElfFile,
} from './elf.js';
import { parseModInfo, type ModInfo } from './modinfo.js';

/** The 14 bytes that open a build information blob. */
export const BUILDINFO_MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
/** The blob sits at an address that is a multiple of this. */
export const BUILDINFO_ALIGN = 16;
/** Magic, pointer size, flags and the two pointers (or padding). */
export const BUILDINFO_HEADER_SIZE = 32;

const FLAG_BIG_ENDIAN = 1;
const FLAG_INLINE_STRINGS = 2;
/** Length of each sentinel framing the module information. */
const SENTINEL_LENGTH = 16;
/** Bytes of the data section searched for the blob, as Go's reader does. */
const SEARCH_LIMIT = 64 * 1024;
/** Longest version or module information string accepted: 4 MiB. */
export const MAX_STRING_LENGTH = 4 * 1024 * 1024;

/** Everything a binary's build information says. */
export interface GoBuildInfo extends ModInfo {
  /** The toolchain's `runtime.Version()`: `go1.22.1`, `go1.22.1 X:loopvar`. */
  readonly goVersion: string;
}

/** The outcome of looking for build information in one file. */
export type BuildInfoRead =
  | { readonly kind: 'go'; readonly info: GoBuildInfo }
  | { readonly kind: 'not-go' }
  | { readonly kind: 'invalid'; readonly reason: string };

const NOT_GO: BuildInfoRead = { kind: 'not-go' };

/**
 * Reads the build information of the ELF executable `data`. Executables
 * without it (not built by Go) are `not-go`; Go blobs that cannot be
 * decoded are `invalid` with the reason.
 */
export function readGoBuildInfo(data: Buffer): BuildInfoRead {
  const elf = parseElf(data);
  if (typeof elf === 'string') return NOT_GO;

  const blob = findBlob(elf, data);
  if (blob === undefined) return NOT_GO;

  const read = bufferReader(data);
  const strings = decodeBlob(blob, (addr, length) =>
    readVirtual(elf, read, addr, length),
  );
  return toBuildInfo(strings);
}

/** Reads `length` bytes at a virtual address, if the file holds them. */
export type AddressReader = (
  addr: number,
  length: number,
) => Buffer | undefined;

/**
 * The two strings of a blob, as bytes (the module information's sentinels
 * are not UTF-8), or why they cannot be read.
 */
export type BlobStrings =
  { readonly version: Buffer; readonly modinfo: Buffer } | string;

/**
 * Decodes a blob that starts with the magic. `readAt` resolves the
 * pointer form's addresses; streams, which cannot, pass one that always
 * returns undefined.
 */
export function decodeBlob(blob: Buffer, readAt: AddressReader): BlobStrings {
  if (blob.length < BUILDINFO_HEADER_SIZE) return 'build information truncated';
  const ptrSize = blob[14]!;
  const flags = blob[15]!;
  if (flags & FLAG_INLINE_STRINGS) return inlineStrings(blob);
  if (ptrSize !== 4 && ptrSize !== 8) {
    return `unsupported pointer size ${ptrSize}`;
  }

  const word = wordReader(ptrSize, (flags & FLAG_BIG_ENDIAN) !== 0);
  const version = pointedString(word.read(blob, 16), word, readAt);
  const modinfo = pointedString(word.read(blob, 16 + ptrSize), word, readAt);
  if (version === undefined || modinfo === undefined) {
    return 'build information strings point outside the file';
  }
  return { version, modinfo };
}

/** True when the blob's flags say its strings follow inline (Go 1.18+). */
export function hasInlineStrings(blob: Buffer): boolean {
  return ((blob[15] ?? 0) & FLAG_INLINE_STRINGS) !== 0;
}

/** Turns decoded strings into build information, as `debug/buildinfo`. */
export function toBuildInfo(strings: BlobStrings): BuildInfoRead {
  if (typeof strings === 'string') return { kind: 'invalid', reason: strings };
  const goVersion = strings.version.toString('utf8');
  if (goVersion === '') return NOT_GO;

  const modinfo = unframe(strings.modinfo);
  return { kind: 'go', info: { goVersion, ...parseModInfo(modinfo) } };
}

/**
 * The blob's bytes: from the `.go.buildinfo` section when there is one,
 * else from the first loadable segment that is writable and not
 * executable; the first magic at an aligned offset within the first
 * 64 KiB.
 */
function findBlob(elf: ElfFile, data: Buffer): Buffer | undefined {
  const region = dataRegion(elf);
  if (region === undefined) return undefined;

  const end = Math.min(data.length, region.offset + region.size);
  const window = data.subarray(region.offset, end);
  const at = findAlignedMagic(window.subarray(0, SEARCH_LIMIT));
  return at === undefined ? undefined : window.subarray(at);
}

function dataRegion(
  elf: ElfFile,
): { offset: number; size: number } | undefined {
  const section = findSection(elf, '.go.buildinfo');
  if (section !== undefined) {
    return { offset: section.offset, size: section.size };
  }
  const segment = elf.segments.find(
    (s) => s.type === PT_LOAD && (s.flags & (PF_X | PF_W)) === PF_W,
  );
  return segment && { offset: segment.offset, size: segment.filesz };
}

/**
 * Offset of the first magic in `window` at a multiple of 16 with a whole
 * header after it. `window` must itself start at an aligned offset.
 */
export function findAlignedMagic(window: Buffer): number | undefined {
  for (let from = 0; ;) {
    const i = window.indexOf(BUILDINFO_MAGIC, from);
    if (i < 0 || window.length - i < BUILDINFO_HEADER_SIZE) return undefined;
    if (i % BUILDINFO_ALIGN === 0) return i;
    from = i + 1;
  }
}

function inlineStrings(blob: Buffer): BlobStrings {
  const version = varintString(blob, BUILDINFO_HEADER_SIZE);
  if (version === undefined) return 'toolchain version truncated';
  const modinfo = varintString(blob, version.next);
  if (modinfo === undefined) return 'module information truncated';
  return { version: version.value, modinfo: modinfo.value };
}

/** Go's `encoding/binary.Uvarint` length, then that many bytes. */
function varintString(
  buf: Buffer,
  at: number,
): { value: Buffer; next: number } | undefined {
  const len = uvarint(buf, at);
  if (len === undefined || len.value > MAX_STRING_LENGTH) return undefined;
  const end = len.next + len.value;
  if (end > buf.length) return undefined;
  return { value: buf.subarray(len.next, end), next: end };
}

/** Little-endian base-128 groups, high bit set on all but the last. */
export function uvarint(
  buf: Buffer,
  at: number,
): { value: number; next: number } | undefined {
  let value = 0;
  for (let i = 0; i < 8; i++) {
    const b = buf[at + i];
    if (b === undefined) return undefined;
    value += (b & 0x7f) * 2 ** (7 * i);
    if (b < 0x80) return { value, next: at + i + 1 };
  }
  return undefined;
}

/** Reads pointer-sized words in the binary's byte order. */
interface WordReader {
  readonly size: 4 | 8;
  /** The word at `at`; -1 for values beyond 2^53. */
  read(buf: Buffer, at: number): number;
}

function wordReader(size: 4 | 8, bigEndian: boolean): WordReader {
  if (size === 4) {
    return {
      size,
      read: (buf, at) =>
        bigEndian ? buf.readUInt32BE(at) : buf.readUInt32LE(at),
    };
  }
  return {
    size,
    read: (buf, at) => {
      const v = bigEndian ? buf.readBigUInt64BE(at) : buf.readBigUInt64LE(at);
      return v > BigInt(Number.MAX_SAFE_INTEGER) ? -1 : Number(v);
    },
  };
}

/** A Go string header at `addr`: data address and length, then the data. */
function pointedString(
  addr: number,
  word: WordReader,
  readAt: AddressReader,
): Buffer | undefined {
  const header = addr < 0 ? undefined : readAt(addr, 2 * word.size);
  if (header === undefined) return undefined;

  const dataAddr = word.read(header, 0);
  const length = word.read(header, word.size);
  if (dataAddr < 0 || length < 0 || length > MAX_STRING_LENGTH) {
    return undefined;
  }
  if (length === 0) return Buffer.alloc(0);
  return readAt(dataAddr, length);
}

/** Strips the sentinels framing module information; '' when unframed. */
function unframe(bytes: Buffer): string {
  const min = 2 * SENTINEL_LENGTH + 1;
  if (bytes.length < min) return '';
  if (bytes[bytes.length - SENTINEL_LENGTH - 1] !== 0x0a) return '';
  return bytes.toString(
    'utf8',
    SENTINEL_LENGTH,
    bytes.length - SENTINEL_LENGTH,
  );
}
