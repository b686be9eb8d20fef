/**
 * Builders of small rpm headers and databases for tests, written from the
 * format descriptions in header.ts, bdb.ts and ndb.ts (and checked against
 * real databases in the tests), so that tests can make the cases real
 * fixtures lack: big-endian Berkeley DB files, broken headers, modules.
 */
import Database from 'better-sqlite3';
import { deflateSync } from 'node:zlib';

import { RPM_TAG, RPM_TYPE } from '../header.js';

/** One header entry to build. */
export interface TestEntry {
  readonly tag: number;
  readonly type: number;
  /** Strings for the string types, numbers for the integer types. */
  readonly value: string | readonly string[] | readonly number[] | Buffer;
}

/** A STRING entry. */
export function str(tag: number, value: string): TestEntry {
  return { tag, type: RPM_TYPE.string, value };
}

/** A STRING_ARRAY entry. */
export function strs(tag: number, value: readonly string[]): TestEntry {
  return { tag, type: RPM_TYPE.stringArray, value };
}

/** An INT32 entry. */
export function int32(tag: number, value: readonly number[]): TestEntry {
  return { tag, type: RPM_TYPE.int32, value };
}

/** An INT16 entry. */
export function int16(tag: number, value: readonly number[]): TestEntry {
  return { tag, type: RPM_TYPE.int16, value };
}

/** What a test package holds; files as absolute paths. */
export interface TestPackage {
  readonly name: string;
  readonly epoch?: number;
  readonly version: string;
  readonly release: string;
  readonly arch?: string;
  readonly sourceRpm?: string;
  readonly modularityLabel?: string;
  readonly files?: readonly string[];
  readonly fileModes?: readonly number[];
}

/** The entries of a package header, files split as rpm splits them. */
export function packageEntries(pkg: TestPackage): TestEntry[] {
  const entries = [
    str(RPM_TAG.name, pkg.name),
    str(RPM_TAG.version, pkg.version),
    str(RPM_TAG.release, pkg.release),
  ];
  if (pkg.epoch !== undefined) entries.push(int32(RPM_TAG.epoch, [pkg.epoch]));
  if (pkg.arch) entries.push(str(RPM_TAG.arch, pkg.arch));
  if (pkg.sourceRpm) entries.push(str(RPM_TAG.sourceRpm, pkg.sourceRpm));
  if (pkg.modularityLabel) {
    entries.push(str(RPM_TAG.modularityLabel, pkg.modularityLabel));
  }
  if (pkg.fileModes) entries.push(int16(RPM_TAG.fileModes, pkg.fileModes));
  if (pkg.files?.length) entries.push(...fileEntries(pkg.files));
  return entries;
}

function fileEntries(files: readonly string[]): TestEntry[] {
  const dirs: string[] = [];
  const indexes: number[] = [];
  const bases: string[] = [];
  for (const file of files) {
    const cut = file.lastIndexOf('/') + 1;
    const dir = file.slice(0, cut);
    if (!dirs.includes(dir)) dirs.push(dir);
    indexes.push(dirs.indexOf(dir));
    bases.push(file.slice(cut));
  }
  return [
    int32(RPM_TAG.dirIndexes, indexes),
    strs(RPM_TAG.baseNames, bases),
    strs(RPM_TAG.dirNames, dirs),
  ];
}

/** A package's header blob, with an immutable region. */
export function packageHeader(pkg: TestPackage): Buffer {
  return buildHeader(packageEntries(pkg));
}

/**
 * A header blob: by default the entries form a HEADERIMMUTABLE region and
 * `dribble` entries follow it, as rpm writes installed headers; with
 * `region: false`, a legacy header without a region tag.
 */
export function buildHeader(
  entries: readonly TestEntry[],
  options: { region?: boolean; dribble?: readonly TestEntry[] } = {},
): Buffer {
  const region = options.region ?? true;
  const dribble = options.dribble ?? [];
  const data = new DataBuilder();
  const index: Buffer[] = [];
  for (const e of entries) index.push(indexEntry(e, data.add(e)));
  if (region) {
    const trailerAt = data.align(4).length;
    const regionIndex = (entries.length + 1) * 16;
    data.raw(
      indexBytes(RPM_TAG.headerImmutable, RPM_TYPE.bin, -regionIndex, 16),
    );
    index.unshift(
      indexBytes(RPM_TAG.headerImmutable, RPM_TYPE.bin, trailerAt, 16),
    );
  }
  for (const e of dribble) index.push(indexEntry(e, data.add(e)));

  const counts = Buffer.alloc(8);
  counts.writeUInt32BE(index.length, 0);
  counts.writeUInt32BE(data.length, 4);
  return Buffer.concat([counts, ...index, data.bytes()]);
}

function indexEntry(e: TestEntry, offset: number): Buffer {
  const count =
    typeof e.value === 'string'
      ? 1
      : Buffer.isBuffer(e.value)
        ? e.value.length
        : e.value.length;
  return indexBytes(e.tag, e.type, offset, count);
}

function indexBytes(tag: number, type: number, offset: number, count: number) {
  const b = Buffer.alloc(16);
  b.writeInt32BE(tag, 0);
  b.writeUInt32BE(type, 4);
  b.writeInt32BE(offset, 8);
  b.writeUInt32BE(count, 12);
  return b;
}

/** The data store being built, values aligned as rpm aligns them. */
class DataBuilder {
  private readonly parts: Buffer[] = [];
  length = 0;

  add(e: TestEntry): number {
    if (Buffer.isBuffer(e.value)) return this.raw(e.value);
    if (typeof e.value === 'string') return this.raw(cString(e.value));
    if (e.type === RPM_TYPE.int32) {
      this.align(4);
      const b = Buffer.alloc(4 * e.value.length);
      (e.value as readonly number[]).forEach((n, i) =>
        b.writeUInt32BE(n, i * 4),
      );
      return this.raw(b);
    }
    if (e.type === RPM_TYPE.int16) {
      this.align(2);
      const b = Buffer.alloc(2 * e.value.length);
      (e.value as readonly number[]).forEach((n, i) =>
        b.writeUInt16BE(n, i * 2),
      );
      return this.raw(b);
    }
    return this.raw(Buffer.concat((e.value as string[]).map(cString)));
  }

  align(to: number): this {
    const pad = (to - (this.length % to)) % to;
    if (pad > 0) this.raw(Buffer.alloc(pad));
    return this;
  }

  raw(b: Buffer): number {
    const at = this.length;
    this.parts.push(b);
    this.length += b.length;
    return at;
  }

  bytes(): Buffer {
    return Buffer.concat(this.parts);
  }
}

function cString(s: string): Buffer {
  return Buffer.concat([Buffer.from(s, 'utf8'), Buffer.alloc(1)]);
}

/**
 * An rpm SQLite database (`Packages (hnum, blob)`) holding `blobs`, in WAL
 * mode like rpm's.
 */
export function buildSqlite(blobs: readonly Buffer[]): Buffer {
  const db = new Database(':memory:');
  db.exec(
    'CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, ' +
      'blob BLOB NOT NULL)',
  );
  const insert = db.prepare('INSERT INTO Packages (blob) VALUES (?)');
  for (const blob of blobs) insert.run(blob);
  const bytes = db.serialize();
  db.close();
  bytes[18] = 2;
  bytes[19] = 2;
  return bytes;
}

/** An ndb `Packages.db` holding `blobs` as packages 1, 2, ... */
export function buildNdb(blobs: readonly Buffer[]): Buffer {
  const page = 4096;
  const header = Buffer.alloc(page);
  header.write('RpmP', 0, 'latin1');
  header.writeUInt32LE(0, 4);
  header.writeUInt32LE(1, 8);
  header.writeUInt32LE(1, 12);
  header.writeUInt32LE(blobs.length + 1, 16);
  for (let at = 32; at < page; at += 16) header.write('Slot', at, 'latin1');

  const parts: Buffer[] = [header];
  let block = page / 16;
  blobs.forEach((blob, i) => {
    const stored = ndbBlob(i + 1, blob);
    const slot = 32 + i * 16;
    header.writeUInt32LE(i + 1, slot + 4);
    header.writeUInt32LE(block, slot + 8);
    header.writeUInt32LE(stored.length / 16, slot + 12);
    parts.push(stored);
    block += stored.length / 16;
  });
  return Buffer.concat(parts);
}

function ndbBlob(pkgIndex: number, blob: Buffer): Buffer {
  const size = Math.ceil((16 + blob.length + 12) / 16) * 16;
  const out = Buffer.alloc(size);
  out.write('BlbS', 0, 'latin1');
  out.writeUInt32LE(pkgIndex, 4);
  out.writeUInt32LE(1, 8);
  out.writeUInt32LE(blob.length, 12);
  blob.copy(out, 16);
  const tail = size - 12;
  out.writeUInt32LE(adler32(out.subarray(0, tail)), tail);
  out.writeUInt32LE(blob.length, tail + 4);
  out.write('BlbE', tail + 8, 'latin1');
  return out;
}

/** Adler-32 from zlib's own stream trailer (RFC 1950), independently. */
function adler32(data: Buffer): number {
  const z = deflateSync(data);
  return z.readUInt32BE(z.length - 4);
}

/**
 * A Berkeley DB hash database as rpm's `Packages`: page 0 the metadata,
 * page 1 one hash page with the counter record (key 0) and one record per
 * blob (key 1, 2, ...), each blob on overflow pages after it.
 */
export function buildBerkeley(
  blobs: readonly Buffer[],
  options: { littleEndian?: boolean; pageSize?: number } = {},
): Buffer {
  const le = options.littleEndian ?? true;
  const size = options.pageSize ?? 4096;
  const pages: Buffer[] = [Buffer.alloc(size), Buffer.alloc(size)];
  const u32 = (b: Buffer, v: number, at: number) =>
    le ? b.writeUInt32LE(v, at) : b.writeUInt32BE(v, at);
  const u16 = (b: Buffer, v: number, at: number) =>
    le ? b.writeUInt16LE(v, at) : b.writeUInt16BE(v, at);

  const items: Buffer[] = [key(0), keyData(Buffer.alloc(4))];
  for (const [i, blob] of blobs.entries()) {
    items.push(key(i + 1), offPage(overflowChain(blob)));
  }

  const hash = pages[1]!;
  u32(hash, 1, 8);
  hash[25] = 13;
  u16(hash, items.length, 20);
  let end = size;
  items.forEach((item, i) => {
    end -= item.length;
    item.copy(hash, end);
    u16(hash, end, 26 + 2 * i);
  });

  const meta = pages[0]!;
  u32(meta, 0x061561, 12);
  u32(meta, 9, 16);
  u32(meta, size, 20);
  meta[25] = 8;
  u32(meta, pages.length - 1, 32);
  return Buffer.concat(pages);

  function key(n: number): Buffer {
    const b = Buffer.alloc(4);
    u32(b, n, 0);
    return keyData(b);
  }

  function overflowChain(blob: Buffer): { first: number; length: number } {
    const room = size - 26;
    const first = pages.length;
    for (let at = 0; at < blob.length; at += room) {
      const page = Buffer.alloc(size);
      const chunk = blob.subarray(at, at + room);
      u32(page, pages.length, 8);
      const last = at + room >= blob.length;
      u32(page, last ? 0 : pages.length + 1, 16);
      u16(page, chunk.length, 22);
      page[25] = 7;
      chunk.copy(page, 26);
      pages.push(page);
    }
    return { first, length: blob.length };
  }

  function offPage(chain: { first: number; length: number }): Buffer {
    const b = Buffer.alloc(12);
    b[0] = 3;
    u32(b, chain.first, 4);
    u32(b, chain.length, 8);
    return b;
  }
}

function keyData(bytes: Buffer): Buffer {
  return Buffer.concat([Buffer.from([1]), bytes]);
}
