/**
 * Tar headers as POSIX.1-2001 (pax, ustar) and GNU tar write them: the
 * 512-byte header block, pax extended records ('x') and GNU long names
 * ('L', 'K'). Shared by the archive index (which seeks past bodies) and
 * the streaming parser (which reads layers in one pass).
 */

/** Tar's block size: headers and padded bodies come in these. */
export const BLOCK = 512;

/** What an entry is, from its type flag. */
export type EntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';

/** One header block, read. */
export interface RawHeader {
  /** The type flag as a character (`'0'`, `'x'`, `'L'`, ...). */
  readonly flag: string;
  readonly name: string;
  readonly linkname: string;
  readonly mode: number;
  /** Bytes of body that follow the header (before padding). */
  readonly size: number;
}

/** pax or GNU records that override the next entry's header fields. */
export type Overrides = Readonly<Record<string, string>>;

/** Flags of headers that describe the next entry rather than being one. */
const META_FLAGS = new Set(['x', 'g', 'L', 'K']);

/** True for the header flags pax and GNU tar use for metadata. */
export function isMeta(flag: string): boolean {
  return META_FLAGS.has(flag);
}

/** True when every byte of the block is zero (an end-of-archive block). */
export function isZeroBlock(b: Uint8Array): boolean {
  for (let i = 0; i < BLOCK; i++) if (b[i] !== 0) return false;
  return true;
}

/**
 * Reads one header block, after checking its checksum (the sum of its
 * bytes with the checksum field as spaces; both unsigned and signed sums
 * are accepted, as old tars wrote the latter). Returns undefined when the
 * checksum does not match. `ext` holds the pax/GNU records that came
 * before it.
 */
export function readHeader(b: Buffer, ext: Overrides): RawHeader | undefined {
  if (!checksumOk(b)) return undefined;

  const flag = String.fromCharCode(b[156] ?? 0);
  const base = cstring(b, 0, 100);
  // Only POSIX ustar ("ustar\0") has a name prefix; GNU's "ustar " header
  // keeps other fields there.
  const posix = b[257] === 0x75 && b.toString('latin1', 257, 263) === 'ustar\0';
  const prefix = posix ? cstring(b, 345, 155) : '';
  let name = ext['path'] ?? (prefix ? `${prefix}/${base}` : base);
  const size = ext['size'] !== undefined ? Number(ext['size']) : octal(b, 124);
  const linkname = ext['linkpath'] ?? cstring(b, 157, 100);
  const mode = octal(b, 100, 8);
  // Pre-POSIX tars mark folders only by a trailing slash.
  const dirByName = (flag === '\0' || flag === '0') && name.endsWith('/');
  if (dirByName) name = name.replace(/\/+$/, '');
  return {
    flag: dirByName ? '5' : flag,
    name,
    linkname,
    mode,
    size: bodyless(flag) ? 0 : size,
  };
}

/** The entry type a header flag names (POSIX ustar typeflag values). */
export function entryType(flag: string): EntryType {
  switch (flag) {
    case '0':
    case '\0':
    case '7':
      return 'file';
    case '5':
      return 'dir';
    case '2':
      return 'symlink';
    case '1':
      return 'hardlink';
    default:
      return 'other';
  }
}

/**
 * Applies a metadata entry's body to the records for the next entry:
 * pax 'x' records are merged in, GNU 'L'/'K' set its path or link path.
 * pax 'g' (global) records are not applied: no field claro reads is
 * meaningful for every entry at once.
 */
export function applyMeta(ext: Overrides, flag: string, body: Buffer) {
  switch (flag) {
    case 'x':
      return { ...ext, ...parsePax(body) };
    case 'L':
      return { ...ext, path: cstring(body, 0, body.length) };
    case 'K':
      return { ...ext, linkpath: cstring(body, 0, body.length) };
    default:
      return ext;
  }
}

/** pax extended header records: "LEN key=value\n" (POSIX pax format). */
function parsePax(body: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let at = 0;
  while (at < body.length) {
    const space = body.indexOf(0x20, at);
    const len = Number(body.subarray(at, space).toString('latin1'));
    if (space < 0 || !Number.isInteger(len) || len <= 0) break;
    const rec = body.subarray(space + 1, at + len - 1).toString('utf8');
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    at += len;
  }
  return out;
}

/** Links, folders and devices carry no body whatever their size says. */
function bodyless(flag: string): boolean {
  return flag === '1' || flag === '2' || flag === '5';
}

function cstring(b: Buffer, at: number, len: number): string {
  const end = b.indexOf(0, at);
  const stop = end < 0 || end > at + len ? at + len : end;
  return b.toString('utf8', at, stop);
}

/** Octal numeric field, or GNU base-256 when the high bit is set. */
function octal(b: Buffer, at: number, len = 12): number {
  if ((b[at] ?? 0) & 0x80) {
    let n = 0;
    for (let i = at + 1; i < at + len; i++) n = n * 256 + (b[i] ?? 0);
    return n;
  }
  let n = 0;
  let digits = false;
  for (let i = at; i < at + len; i++) {
    const c = b[i] ?? 0;
    if (c >= 0x30 && c <= 0x37) {
      n = n * 8 + (c - 0x30);
      digits = true;
    } else if (digits || (c !== 0x20 && c !== 0)) break;
  }
  return n;
}

/** Offset and length of the checksum field, summed as spaces. */
const CHKSUM_AT = 148;
const CHKSUM_LEN = 8;

function checksumOk(b: Buffer): boolean {
  let unsigned = CHKSUM_LEN * 0x20;
  for (let i = 0; i < CHKSUM_AT; i++) unsigned += b[i]!;
  for (let i = CHKSUM_AT + CHKSUM_LEN; i < BLOCK; i++) unsigned += b[i]!;
  const want = octal(b, CHKSUM_AT, CHKSUM_LEN);
  if (want === unsigned) return true;
  // Old tars summed the bytes as signed chars: each byte above 127
  // counts 256 less.
  let signed = unsigned;
  for (let i = 0; i < BLOCK; i++) {
    if (i === CHKSUM_AT) i += CHKSUM_LEN;
    if (b[i]! > 127) signed -= 256;
  }
  return want === signed;
}
