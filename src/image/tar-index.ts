import { open, type FileHandle } from 'node:fs/promises';
import { ClaroError } from '../errors.js';

/** One entry of an uncompressed tar file, located by byte offset. */
export interface TarEntry {
  readonly name: string;
  readonly type: 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';
  readonly linkname: string;
  /** Offset of the entry's data in the file. */
  readonly offset: number;
  readonly size: number;
}

const BLOCK = 512;

/**
 * Lists the entries of an uncompressed tar file by reading only its
 * headers (POSIX ustar, pax `path`/`linkpath`/`size` records and GNU long
 * names), seeking past every body.
 */
export async function indexTar(path: string): Promise<TarEntry[]> {
  const fh = await open(path, 'r');
  try {
    return await walk(fh, path, (await fh.stat()).size);
  } finally {
    await fh.close();
  }
}

async function walk(fh: FileHandle, file: string, total: number) {
  const entries: TarEntry[] = [];
  const header = Buffer.alloc(BLOCK);
  let ext: Record<string, string> = {};
  for (let pos = 0; pos + BLOCK <= total;) {
    await readExactly(fh, header, pos);
    if (header.every((b) => b === 0)) break;
    if (!checksumOk(header)) throw badTar(file, pos, 'bad header checksum');

    const h = parseHeader(header, ext);
    const dataAt = pos + BLOCK;
    if (dataAt + h.size > total) throw badTar(file, pos, 'truncated entry');
    pos = dataAt + Math.ceil(h.size / BLOCK) * BLOCK;

    if (h.flag === 'x' || h.flag === 'L' || h.flag === 'K') {
      const body = Buffer.alloc(h.size);
      await readExactly(fh, body, dataAt);
      ext =
        h.flag === 'x'
          ? { ...ext, ...parsePax(body) }
          : longName(ext, h.flag, body);
      continue;
    }
    if (h.flag === 'g') continue;
    ext = {};
    entries.push({ ...h.entry, offset: dataAt });
  }
  return entries;
}

function parseHeader(b: Buffer, ext: Record<string, string>) {
  const flag = String.fromCharCode(b[156] ?? 0x30);
  const prefix = b.subarray(257, 263).toString('latin1').startsWith('ustar')
    ? cstring(b, 345, 155)
    : '';
  const base = cstring(b, 0, 100);
  const name = ext['path'] ?? (prefix ? `${prefix}/${base}` : base);
  const size = ext['size'] ? Number(ext['size']) : octal(b, 124, 12);
  const linkname = ext['linkpath'] ?? cstring(b, 157, 100);
  const entry = { name, type: typeOf(flag), linkname, size };
  return { flag, size: ['1', '2', '5'].includes(flag) ? 0 : size, entry };
}

function typeOf(flag: string): TarEntry['type'] {
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

function longName(ext: Record<string, string>, flag: string, body: Buffer) {
  const value = cstring(body, 0, body.length);
  return { ...ext, [flag === 'L' ? 'path' : 'linkpath']: value };
}

function cstring(b: Buffer, at: number, len: number): string {
  const end = b.indexOf(0, at);
  return b.toString('utf8', at, end < 0 || end > at + len ? at + len : end);
}

/** Octal numeric field, or GNU base-256 when the high bit is set. */
function octal(b: Buffer, at: number, len: number): number {
  if ((b[at] ?? 0) & 0x80) {
    let n = 0;
    for (let i = at + 1; i < at + len; i++) n = n * 256 + (b[i] ?? 0);
    return n;
  }
  const s = b.toString('latin1', at, at + len).replace(/[\0 ]+/g, '');
  return s === '' ? 0 : parseInt(s, 8);
}

function checksumOk(b: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : b[i]!;
  return sum === octal(b, 148, 8);
}

async function readExactly(fh: FileHandle, buf: Buffer, pos: number) {
  const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
  if (bytesRead !== buf.length) throw new Error('short read');
}

function badTar(file: string, pos: number, why: string): ClaroError {
  return new ClaroError(
    'INVALID_IMAGE',
    `Cannot read archive ${file}: ${why} at byte ${pos}`,
  );
}
