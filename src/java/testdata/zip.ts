/**
 * Writes small zip archives for tests (APPNOTE.TXT layouts): stored or
 * deflated entries, optionally with Zip64 records and extra fields, and
 * optionally after a prefix such as a launch script.
 */
import { deflateRawSync } from 'node:zlib';

export interface TestZipEntry {
  readonly name: string;
  readonly body: string | Buffer;
  /** Deflate unless false. */
  readonly deflate?: boolean;
  /** General purpose flags to record (1: encrypted). */
  readonly flags?: number;
  /** Overrides the method recorded in the headers. */
  readonly method?: number;
}

export interface TestZipOptions {
  /** Write Zip64 end records and 0xFFFFFFFF sizes with extra fields. */
  readonly zip64?: boolean;
  /** Bytes before the archive; offsets stay relative to the archive. */
  readonly prefix?: Buffer;
}

/** A zip archive holding `entries`. */
export function makeZip(
  entries: readonly TestZipEntry[],
  opts: TestZipOptions = {},
): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const raw = typeof e.body === 'string' ? Buffer.from(e.body) : e.body;
    const deflate = e.deflate !== false;
    const data = deflate ? deflateRawSync(raw) : raw;
    const method = e.method ?? (deflate ? 8 : 0);
    const name = Buffer.from(e.name);
    const fields = { name, method, flags: e.flags ?? 0, raw, data, offset };
    const local = localHeader(fields);
    locals.push(local, data);
    centrals.push(centralHeader(fields, opts.zip64 === true));
    offset += local.length + data.length;
  }
  const central = Buffer.concat(centrals);
  const end = endRecords(entries.length, central.length, offset, opts);
  return Buffer.concat([
    opts.prefix ?? Buffer.alloc(0),
    ...locals,
    central,
    end,
  ]);
}

interface Fields {
  readonly name: Buffer;
  readonly method: number;
  readonly flags: number;
  readonly raw: Buffer;
  readonly data: Buffer;
  readonly offset: number;
}

function localHeader(f: Fields): Buffer {
  const h = Buffer.alloc(30);
  h.writeUInt32LE(0x04034b50, 0);
  h.writeUInt16LE(20, 4);
  h.writeUInt16LE(f.flags, 6);
  h.writeUInt16LE(f.method, 8);
  h.writeUInt32LE(f.data.length, 18);
  h.writeUInt32LE(f.raw.length, 22);
  h.writeUInt16LE(f.name.length, 26);
  return Buffer.concat([h, f.name]);
}

function centralHeader(f: Fields, zip64: boolean): Buffer {
  const h = Buffer.alloc(46);
  h.writeUInt32LE(0x02014b50, 0);
  h.writeUInt16LE(45, 4);
  h.writeUInt16LE(45, 6);
  h.writeUInt16LE(f.flags, 8);
  h.writeUInt16LE(f.method, 10);
  const max = 0xffffffff;
  h.writeUInt32LE(zip64 ? max : f.data.length, 20);
  h.writeUInt32LE(zip64 ? max : f.raw.length, 24);
  h.writeUInt16LE(f.name.length, 28);
  h.writeUInt32LE(zip64 ? max : f.offset, 42);
  if (!zip64) return Buffer.concat([h, f.name]);

  const extra = Buffer.alloc(4 + 24);
  extra.writeUInt16LE(1, 0);
  extra.writeUInt16LE(24, 2);
  extra.writeBigUInt64LE(BigInt(f.raw.length), 4);
  extra.writeBigUInt64LE(BigInt(f.data.length), 12);
  extra.writeBigUInt64LE(BigInt(f.offset), 20);
  h.writeUInt16LE(extra.length, 30);
  return Buffer.concat([h, f.name, extra]);
}

function endRecords(
  count: number,
  size: number,
  offset: number,
  opts: TestZipOptions,
): Buffer {
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  const zip64 = opts.zip64 === true;
  eocd.writeUInt16LE(zip64 ? 0xffff : count, 8);
  eocd.writeUInt16LE(zip64 ? 0xffff : count, 10);
  eocd.writeUInt32LE(zip64 ? 0xffffffff : size, 12);
  eocd.writeUInt32LE(zip64 ? 0xffffffff : offset, 16);
  if (!zip64) return eocd;

  const record = Buffer.alloc(56);
  record.writeUInt32LE(0x06064b50, 0);
  record.writeBigUInt64LE(44n, 4);
  record.writeBigUInt64LE(BigInt(count), 24);
  record.writeBigUInt64LE(BigInt(count), 32);
  record.writeBigUInt64LE(BigInt(size), 40);
  record.writeBigUInt64LE(BigInt(offset), 48);
  const locator = Buffer.alloc(20);
  locator.writeUInt32LE(0x07064b50, 0);
  locator.writeBigUInt64LE(BigInt(offset + size), 8);
  locator.writeUInt32LE(1, 16);
  return Buffer.concat([record, locator, eocd]);
}
