/**
 * A small zip reader for Java archives held in memory, after PKWARE's
 * APPNOTE.TXT (".ZIP File Format Specification"): the end of central
 * directory record (4.3.16), its Zip64 locator and record (4.3.14,
 * 4.3.15), central directory headers (4.3.12) with the Zip64 extended
 * information extra field (4.5.3), and local file headers (4.3.7).
 * Entries are stored (method 0) or deflated (method 8, inflated with
 * node:zlib); names are decoded as UTF-8, as `java.util.zip` does.
 *
 * Bytes before the archive (a launch script prepended to an executable
 * jar) are allowed: central directory offsets are shifted by the distance
 * between where the directory says it starts and where it ends up.
 *
 * Known limitation: CRC-32 checksums are not verified, and multi-disk
 * archives are not read (Java never writes them).
 */

import { inflateRawSync } from 'node:zlib';

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_SIZE = 22;
const ZIP64_LOCATOR_SIZE = 20;
const ZIP64_EOCD_SIZE = 56;
const CENTRAL_SIZE = 46;
const LOCAL_SIZE = 30;
/** The end record's comment is at most this long. */
const MAX_COMMENT = 0xffff;
/** Header id of the Zip64 extended information extra field. */
const ZIP64_EXTRA_ID = 0x0001;
/** A 16- or 32-bit field holding this defers to the Zip64 fields. */
const U16_MAX = 0xffff;
const U32_MAX = 0xffffffff;
/** General purpose flag bit 0: the entry is encrypted. */
const FLAG_ENCRYPTED = 1;

/** Compression methods claro reads. */
export const STORED = 0;
export const DEFLATED = 8;

/** One central directory entry. */
export interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly flags: number;
  readonly compressedSize: number;
  /** Uncompressed size, as the directory records it. */
  readonly size: number;
  /** Where its local file header starts in the buffer. */
  readonly localOffset: number;
}

/** Where the central directory is and how many entries it holds. */
interface DirectoryEnd {
  readonly count: number;
  readonly size: number;
  readonly offset: number;
  /** File offset of the record that ends the directory. */
  readonly endAt: number;
}

/**
 * Lists the entries of the zip archive `data`, or says why it cannot: a
 * string naming what is malformed.
 */
export function readZipDirectory(data: Buffer): ZipEntry[] | string {
  const eocd = findEndRecord(data);
  if (eocd === undefined) return 'no end of central directory record';
  const end = readDirectoryEnd(data, eocd);
  if (typeof end === 'string') return end;

  const bias = end.endAt - (end.offset + end.size);
  if (bias < 0) return 'central directory overlaps its end record';
  return readEntries(data, end, bias);
}

/**
 * The contents of one entry, or why they cannot be read. Entries whose
 * uncompressed size exceeds `maxSize` are refused before inflating, and
 * inflating stops at `maxSize` bytes whatever the directory claimed.
 */
export function readZipEntry(
  data: Buffer,
  entry: ZipEntry,
  maxSize: number,
): Buffer | string {
  if (entry.flags & FLAG_ENCRYPTED) return 'entry is encrypted';
  if (entry.size > maxSize) return `larger than ${maxSize} bytes`;
  const body = entryBody(data, entry);
  if (typeof body === 'string') return body;

  if (entry.method === STORED) return body;
  if (entry.method !== DEFLATED) {
    return `unsupported compression method ${entry.method}`;
  }
  try {
    return inflateRawSync(body, { maxOutputLength: Math.max(1, maxSize) });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') return `larger than ${maxSize} bytes`;
    return 'deflate data is corrupt';
  }
}

/** Scans back over the longest possible comment for the end record. */
function findEndRecord(data: Buffer): number | undefined {
  const last = data.length - EOCD_SIZE;
  const first = Math.max(0, last - MAX_COMMENT);
  for (let at = last; at >= first; at--) {
    if (data.readUInt32LE(at) !== EOCD_SIGNATURE) continue;
    const comment = data.readUInt16LE(at + 20);
    if (at + EOCD_SIZE + comment <= data.length) return at;
  }
  return undefined;
}

function readDirectoryEnd(data: Buffer, at: number): DirectoryEnd | string {
  const end = {
    count: data.readUInt16LE(at + 10),
    size: data.readUInt32LE(at + 12),
    offset: data.readUInt32LE(at + 16),
    endAt: at,
  };
  const needs64 =
    end.count === U16_MAX || end.size === U32_MAX || end.offset === U32_MAX;
  const locator = at - ZIP64_LOCATOR_SIZE;
  if (locator < 0 || data.readUInt32LE(locator) !== ZIP64_LOCATOR_SIGNATURE) {
    return needs64 ? 'Zip64 end record missing' : end;
  }
  return readZip64End(data, locator);
}

/**
 * The Zip64 end record sits just before its locator; the locator's own
 * offset for it is relative to the archive's start, which a prefix moves.
 */
function readZip64End(data: Buffer, locator: number): DirectoryEnd | string {
  const at = locator - ZIP64_EOCD_SIZE;
  if (at < 0 || data.readUInt32LE(at) !== ZIP64_EOCD_SIGNATURE) {
    return 'Zip64 end record missing';
  }
  const count = u64(data, at + 32);
  const size = u64(data, at + 40);
  const offset = u64(data, at + 48);
  if (count < 0 || size < 0 || offset < 0) return 'Zip64 sizes out of range';
  return { count, size, offset, endAt: at };
}

function readEntries(
  data: Buffer,
  end: DirectoryEnd,
  bias: number,
): ZipEntry[] | string {
  const entries: ZipEntry[] = [];
  let at = end.offset + bias;
  for (let i = 0; i < end.count; i++) {
    const entry = readCentralHeader(data, at, bias);
    if (typeof entry === 'string') return `entry ${i}: ${entry}`;
    entries.push(entry.entry);
    at = entry.next;
  }
  return entries;
}

function readCentralHeader(
  data: Buffer,
  at: number,
  bias: number,
): { entry: ZipEntry; next: number } | string {
  if (at + CENTRAL_SIZE > data.length) return 'directory truncated';
  if (data.readUInt32LE(at) !== CENTRAL_SIGNATURE) return 'bad signature';
  const nameLength = data.readUInt16LE(at + 28);
  const extraLength = data.readUInt16LE(at + 30);
  const commentLength = data.readUInt16LE(at + 32);
  const nameAt = at + CENTRAL_SIZE;
  const next = nameAt + nameLength + extraLength + commentLength;
  if (next > data.length) return 'directory truncated';

  const extra = data.subarray(
    nameAt + nameLength,
    nameAt + nameLength + extraLength,
  );
  const sizes = zip64Sizes(extra, {
    size: data.readUInt32LE(at + 24),
    compressedSize: data.readUInt32LE(at + 20),
    localOffset: data.readUInt32LE(at + 42),
  });
  if (typeof sizes === 'string') return sizes;

  const entry: ZipEntry = {
    name: data.toString('utf8', nameAt, nameAt + nameLength),
    method: data.readUInt16LE(at + 10),
    flags: data.readUInt16LE(at + 8),
    compressedSize: sizes.compressedSize,
    size: sizes.size,
    localOffset: sizes.localOffset + bias,
  };
  return { entry, next };
}

interface EntrySizes {
  readonly size: number;
  readonly compressedSize: number;
  readonly localOffset: number;
}

/**
 * Replaces each 32-bit field holding 0xFFFFFFFF with the next 64-bit value
 * of the Zip64 extra field, in the order the specification fixes:
 * uncompressed size, compressed size, local header offset.
 */
function zip64Sizes(extra: Buffer, sizes: EntrySizes): EntrySizes | string {
  const wanted = (['size', 'compressedSize', 'localOffset'] as const).filter(
    (k) => sizes[k] === U32_MAX,
  );
  if (wanted.length === 0) return sizes;

  const field = findExtra(extra, ZIP64_EXTRA_ID);
  if (field === undefined || field.length < 8 * wanted.length) {
    return 'Zip64 extra field missing';
  }
  const out: Record<keyof EntrySizes, number> = { ...sizes };
  for (const [i, key] of wanted.entries()) {
    const v = u64(field, 8 * i);
    if (v < 0) return 'Zip64 sizes out of range';
    out[key] = v;
  }
  return out;
}

/** Extra fields: (id u16, size u16, data) records (APPNOTE 4.5.1). */
function findExtra(extra: Buffer, id: number): Buffer | undefined {
  for (let at = 0; at + 4 <= extra.length;) {
    const size = extra.readUInt16LE(at + 2);
    if (extra.readUInt16LE(at) === id) {
      return extra.subarray(at + 4, Math.min(extra.length, at + 4 + size));
    }
    at += 4 + size;
  }
  return undefined;
}

/** The compressed bytes after an entry's local header. */
function entryBody(data: Buffer, entry: ZipEntry): Buffer | string {
  const at = entry.localOffset;
  if (at + LOCAL_SIZE > data.length) return 'local header out of range';
  if (data.readUInt32LE(at) !== LOCAL_SIGNATURE) {
    return 'local header has a bad signature';
  }
  const start =
    at + LOCAL_SIZE + data.readUInt16LE(at + 26) + data.readUInt16LE(at + 28);
  const end = start + entry.compressedSize;
  if (end > data.length) return 'entry data out of range';
  return data.subarray(start, end);
}

/** A little-endian u64 as a number; -1 beyond 2^53. */
function u64(buf: Buffer, at: number): number {
  if (at + 8 > buf.length) return -1;
  const v = buf.readBigUInt64LE(at);
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? -1 : Number(v);
}
