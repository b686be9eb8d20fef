import { ClaroError } from '../errors.js';

/**
 * Reads rpm's own "ndb" package database, `Packages.db` (rpm 4.15 and
 * later; the default of SUSE and openSUSE). The layout is rpm's
 * (`lib/backend/ndb/rpmpkg.c`); every number is 32-bit little-endian:
 *
 * - the file is cut into 16-byte blocks; the first `slot pages` pages of
 *   4096 bytes hold the database header and then the slots;
 * - header (32 bytes): magic `RpmP`, version 0, generation, number of
 *   slot pages, next package index;
 * - slot (16 bytes, from byte 32 on): magic `Slot`, package index, block
 *   offset and block count of the package's blob; offset 0 marks a free
 *   slot;
 * - blob: magic `BlbS`, package index, generation, length; then that
 *   many bytes, the package's header; then zero padding to whole blocks,
 *   an Adler-32 checksum (RFC 1950) of everything before it, the length
 *   again and magic `BlbE`.
 */

const PAGE_SIZE = 4096;
const BLOCK_SIZE = 16;
const SLOT_SIZE = 16;
const HEADER_SIZE = 32;
const BLOB_HEAD_SIZE = 16;
const BLOB_TAIL_SIZE = 12;

const DB_MAGIC = magic('RpmP');
const SLOT_MAGIC = magic('Slot');
const BLOB_HEAD_MAGIC = magic('BlbS');
const BLOB_TAIL_MAGIC = magic('BlbE');

/** A used slot: where one package's blob lies. */
interface Slot {
  readonly pkgIndex: number;
  readonly blockOffset: number;
  readonly blockCount: number;
}

/** Whether `data` starts like an ndb package database. */
export function isNdb(data: Uint8Array): boolean {
  return (
    data.length >= HEADER_SIZE && viewOf(data).getUint32(0, true) === DB_MAGIC
  );
}

/**
 * The header blobs of an ndb `Packages.db`, in package index order, each
 * checked against its slot, its length fields and its checksum.
 *
 * @throws ClaroError INVALID_LAYER when the file is no ndb database of
 *   version 0, or a slot or blob is broken.
 */
export function readNdbBlobs(data: Uint8Array): Buffer[] {
  const slots = readSlots(data);
  slots.sort((a, b) => a.pkgIndex - b.pkgIndex);
  return slots.map((slot) => readBlob(data, slot));
}

function readSlots(data: Uint8Array): Slot[] {
  if (!isNdb(data)) throw badNdb('not an ndb package database');
  const view = viewOf(data);
  const version = view.getUint32(4, true);
  if (version !== 0) throw badNdb(`version ${version}`);
  const slotPages = view.getUint32(12, true);
  const slotEnd = slotPages * PAGE_SIZE;
  if (slotPages === 0 || slotEnd > data.length) {
    throw badNdb(`${slotPages} slot pages in ${data.length} bytes`);
  }

  const slots: Slot[] = [];
  for (let at = HEADER_SIZE; at < slotEnd; at += SLOT_SIZE) {
    if (view.getUint32(at, true) !== SLOT_MAGIC) {
      throw badNdb(`no slot magic at byte ${at}`);
    }
    const blockOffset = view.getUint32(at + 8, true);
    if (blockOffset === 0) continue;

    const slot = {
      pkgIndex: view.getUint32(at + 4, true),
      blockOffset,
      blockCount: view.getUint32(at + 12, true),
    };
    checkSlot(slot, slotEnd, data.length);
    slots.push(slot);
  }
  return slots;
}

function checkSlot(slot: Slot, slotEnd: number, size: number): void {
  const start = slot.blockOffset * BLOCK_SIZE;
  const end = start + slot.blockCount * BLOCK_SIZE;
  if (slot.pkgIndex === 0 || slot.blockCount === 0) {
    throw badNdb(`empty slot for package ${slot.pkgIndex}`);
  }
  if (start < slotEnd || end > size) {
    throw badNdb(`package ${slot.pkgIndex} lies outside the blob area`);
  }
}

function readBlob(data: Uint8Array, slot: Slot): Buffer {
  const start = slot.blockOffset * BLOCK_SIZE;
  const end = start + slot.blockCount * BLOCK_SIZE;
  const view = viewOf(data);
  const what = `package ${slot.pkgIndex}`;
  if (view.getUint32(start, true) !== BLOB_HEAD_MAGIC) {
    throw badNdb(`${what} has no blob head`);
  }
  if (view.getUint32(start + 4, true) !== slot.pkgIndex) {
    throw badNdb(`${what} has the blob of another package`);
  }

  const length = view.getUint32(start + 12, true);
  const blocks = Math.ceil(
    (BLOB_HEAD_SIZE + length + BLOB_TAIL_SIZE) / BLOCK_SIZE,
  );
  if (blocks !== slot.blockCount) {
    throw badNdb(`${what} blob length ${length} does not fit its slot`);
  }

  const tail = end - BLOB_TAIL_SIZE;
  if (
    view.getUint32(tail + 4, true) !== length ||
    view.getUint32(tail + 8, true) !== BLOB_TAIL_MAGIC
  ) {
    throw badNdb(`${what} has a broken blob tail`);
  }
  if (adler32(data.subarray(start, tail)) !== view.getUint32(tail, true)) {
    throw badNdb(`${what} fails its checksum`);
  }

  const body = start + BLOB_HEAD_SIZE;
  return Buffer.from(data.buffer, data.byteOffset + body, length);
}

/** Adler-32 (RFC 1950, section 8.2). */
function adler32(bytes: Uint8Array): number {
  const MOD = 65521;
  const CHUNK = 5552;
  let a = 1;
  let b = 0;
  for (let i = 0; i < bytes.length;) {
    const stop = Math.min(i + CHUNK, bytes.length);
    for (; i < stop; i++) {
      a += bytes[i] ?? 0;
      b += a;
    }
    a %= MOD;
    b %= MOD;
  }
  return ((b << 16) | a) >>> 0;
}

/** A four-character magic as rpm writes it: first character lowest. */
function magic(text: string): number {
  return Buffer.from(text, 'latin1').readUInt32LE(0);
}

function viewOf(data: Uint8Array): DataView {
  return new DataView(data.buffer, data.byteOffset, data.byteLength);
}

function badNdb(reason: string): ClaroError {
  return new ClaroError(
    'INVALID_LAYER',
    `Cannot read rpm ndb database: ${reason}`,
  );
}
