import { ClaroError } from '../errors.js';

/**
 * Reads rpm's Berkeley DB `Packages` file (rpm before 4.16, RHEL 8 and
 * older, Amazon Linux 2, old SUSE): a Berkeley DB hash database mapping a
 * 32-bit package instance number to the package's header blob. The page
 * format is Berkeley DB's (`dbinc/db_page.h`, "Berkeley DB Reference
 * Guide: Access method on-disk formats"):
 *
 * - page 0, the hash metadata page: LSN (8 bytes), page number, magic
 *   0x061561 at 12, version at 16, page size at 20, encryption algorithm
 *   (1 byte) at 24, page type 8 at 25, meta flags (1 byte) at 26, last
 *   page number at 32; all in the byte order of the machine that wrote
 *   the file, which the magic tells;
 * - every other page starts with a 26-byte header: LSN, page number,
 *   previous and next page numbers, entry count (16 bits) at 20, free
 *   space offset (16 bits) at 22, level at 24 and type at 25;
 * - hash pages (type 13, or 2 for the unsorted pages of old versions)
 *   follow the header with one 16-bit offset per item; items alternate
 *   key, data. An item starts with its kind: 1 for data on the page
 *   (length up to the previous item, or to the page end for the first),
 *   3 for data on overflow pages (3 bytes unused, first page number,
 *   total length);
 * - overflow pages (type 7) hold `free space offset` bytes of data after
 *   the header and chain through their next page number.
 *
 * rpm stores a counter under instance number 0; every other record is a
 * package header. claro walks the hash pages in file order rather than
 * the buckets, which finds the same records in a consistent file.
 */

const HASH_MAGIC = 0x061561;
const PAGE_HEADER_SIZE = 26;

const PAGE_TYPE = {
  hashUnsorted: 2,
  overflow: 7,
  hashMeta: 8,
  hash: 13,
} as const;

const ITEM_KIND = { keyData: 1, offPage: 3 } as const;

/** Meta flag: pages carry checksums, which move the page layout. */
const META_CHECKSUM = 0x01;

/** Whether `data` starts like a Berkeley DB hash database, either order. */
export function isBerkeleyHash(data: Uint8Array): boolean {
  if (data.length < 72) return false;
  const view = viewOf(data);
  return (
    view.getUint32(12, true) === HASH_MAGIC ||
    view.getUint32(12, false) === HASH_MAGIC
  );
}

/**
 * The header blobs of an rpm Berkeley DB `Packages` file, by instance
 * number, the counter record left out.
 *
 * @throws ClaroError INVALID_LAYER when the file is no Berkeley DB hash
 *   database, is encrypted or checksummed, or a page or item is broken.
 */
export function readBerkeleyBlobs(data: Uint8Array): Buffer[] {
  const db = openHash(data);
  const records: { key: number; blob: Buffer }[] = [];
  for (let pgno = 1; pgno <= db.lastPage; pgno++) {
    const page = db.page(pgno);
    const type = page.getUint8(25);
    if (type !== PAGE_TYPE.hash && type !== PAGE_TYPE.hashUnsorted) continue;

    records.push(...pageRecords(db, pgno));
  }
  records.sort((a, b) => a.key - b.key);
  return records.filter((r) => r.key !== 0).map((r) => r.blob);
}

/** An open hash database: its geometry and its pages. */
interface HashDb {
  readonly data: Uint8Array;
  readonly pageSize: number;
  readonly lastPage: number;
  readonly littleEndian: boolean;
  page(pgno: number): DataView;
}

function openHash(data: Uint8Array): HashDb {
  if (!isBerkeleyHash(data)) throw badBdb('not a Berkeley DB hash database');

  const meta = viewOf(data);
  const littleEndian = meta.getUint32(12, true) === HASH_MAGIC;
  const pageSize = meta.getUint32(20, littleEndian);
  if (pageSize < 512 || pageSize > 65536 || pageSize % 512 !== 0) {
    throw badBdb(`page size ${pageSize}`);
  }
  if (meta.getUint8(25) !== PAGE_TYPE.hashMeta) {
    throw badBdb('page 0 is not a hash metadata page');
  }
  if (meta.getUint8(24) !== 0) throw badBdb('the database is encrypted');
  if (meta.getUint8(26) & META_CHECKSUM) {
    throw badBdb('pages carry checksums');
  }

  const pagesInFile = Math.floor(data.length / pageSize);
  const lastPage = Math.min(meta.getUint32(32, littleEndian), pagesInFile - 1);
  const page = (pgno: number) => {
    if (pgno < 1 || pgno >= pagesInFile) throw badBdb(`no page ${pgno}`);
    return new DataView(
      data.buffer,
      data.byteOffset + pgno * pageSize,
      pageSize,
    );
  };
  return { data, pageSize, lastPage, littleEndian, page };
}

/** The key/data pairs of one hash page, keys read as instance numbers. */
function pageRecords(
  db: HashDb,
  pgno: number,
): { key: number; blob: Buffer }[] {
  const page = db.page(pgno);
  const entries = page.getUint16(20, db.littleEndian);
  const offsets: number[] = [];
  for (let i = 0; i < entries; i++) {
    const at = PAGE_HEADER_SIZE + 2 * i;
    if (at + 2 > db.pageSize) throw badBdb(`page ${pgno} index overflows`);
    offsets.push(page.getUint16(at, db.littleEndian));
  }

  const records: { key: number; blob: Buffer }[] = [];
  for (let i = 0; i + 1 < entries; i += 2) {
    const key = itemBytes(db, page, offsets, i);
    if (key.length !== 4)
      throw badBdb(`page ${pgno} has a ${key.length}-byte key`);
    const number = viewOf(key).getUint32(0, db.littleEndian);
    records.push({ key: number, blob: itemBytes(db, page, offsets, i + 1) });
  }
  return records;
}

/** The bytes of item `i` of a hash page, following overflow pages. */
function itemBytes(
  db: HashDb,
  page: DataView,
  offsets: readonly number[],
  i: number,
): Buffer {
  const start = offsets[i] ?? 0;
  const end = i === 0 ? db.pageSize : (offsets[i - 1] ?? 0);
  if (start < PAGE_HEADER_SIZE || end > db.pageSize || start >= end) {
    throw badBdb(`item ${i} lies outside its page`);
  }

  const kind = page.getUint8(start);
  if (kind === ITEM_KIND.keyData) {
    return Buffer.from(
      page.buffer,
      page.byteOffset + start + 1,
      end - start - 1,
    );
  }
  if (kind === ITEM_KIND.offPage && end - start >= 12) {
    const first = page.getUint32(start + 4, db.littleEndian);
    const length = page.getUint32(start + 8, db.littleEndian);
    return overflowBytes(db, first, length);
  }
  throw badBdb(`item ${i} has unsupported kind ${kind}`);
}

/** Concatenates an overflow chain, checking it holds `length` bytes. */
function overflowBytes(db: HashDb, first: number, length: number): Buffer {
  const parts: Buffer[] = [];
  const seen = new Set<number>();
  let total = 0;
  for (let pgno = first; pgno !== 0;) {
    if (seen.has(pgno)) throw badBdb(`overflow pages loop at ${pgno}`);
    seen.add(pgno);

    const page = db.page(pgno);
    if (page.getUint8(25) !== PAGE_TYPE.overflow) {
      throw badBdb(`page ${pgno} is not an overflow page`);
    }
    const size = page.getUint16(22, db.littleEndian);
    if (PAGE_HEADER_SIZE + size > db.pageSize) {
      throw badBdb(`overflow page ${pgno} claims ${size} bytes`);
    }
    parts.push(
      Buffer.from(page.buffer, page.byteOffset + PAGE_HEADER_SIZE, size),
    );
    total += size;
    pgno = page.getUint32(16, db.littleEndian);
  }
  if (total !== length) {
    throw badBdb(`overflow chain holds ${total} bytes, not ${length}`);
  }
  return Buffer.concat(parts, total);
}

function viewOf(data: Uint8Array): DataView {
  return new DataView(data.buffer, data.byteOffset, data.byteLength);
}

function badBdb(reason: string): ClaroError {
  return new ClaroError(
    'INVALID_LAYER',
    `Cannot read rpm Berkeley DB database: ${reason}`,
  );
}
