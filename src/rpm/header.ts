import { ClaroError } from '../errors.js';

/**
 * The RPM header structure, as rpm stores one per installed package in
 * its databases (rpm's `docs/manual/format_header.md`; the LSB "RPM
 * Package Format" chapter): without the 8-byte magic that precedes it in
 * package files, a header is
 *
 * - `il`, the number of index entries, and `dl`, the size of the data
 *   store, both 32-bit big-endian;
 * - `il` index entries of 16 bytes: tag, type, offset into the data store
 *   and count, each 32-bit big-endian;
 * - the data store, `dl` bytes.
 *
 * An installed header normally starts with a region tag (usually
 * HEADERIMMUTABLE) whose 16-byte value, the region trailer, is itself an
 * index entry whose negative offset gives the size of the region's index:
 * the entries after the region ("dribble" entries, which rpm adds at
 * install time) replace region entries of the same tag.
 */

/** Data types of header entries (rpm's `rpmTagType`). */
export const RPM_TYPE = {
  null: 0,
  char: 1,
  int8: 2,
  int16: 3,
  int32: 4,
  int64: 5,
  string: 6,
  bin: 7,
  stringArray: 8,
  i18nString: 9,
} as const;

/** The header tags claro reads (rpm's `rpmtag.h`). */
export const RPM_TAG = {
  headerImage: 61,
  headerSignatures: 62,
  headerImmutable: 63,
  name: 1000,
  version: 1001,
  release: 1002,
  epoch: 1003,
  arch: 1022,
  oldFileNames: 1027,
  fileModes: 1030,
  sourceRpm: 1044,
  dirIndexes: 1116,
  baseNames: 1117,
  dirNames: 1118,
  modularityLabel: 5096,
} as const;

/** Size of one index entry, and of a region trailer. */
const ENTRY_SIZE = 16;

/** rpm refuses headers with 65536 entries or more (`hdrchkTags`). */
const MAX_ENTRIES = 0xffff;

/** rpm refuses data stores of 16 MiB or more (`hdrchkData`). */
const MAX_DATA = 0xffffff;

/** Bytes per element of the fixed-size types. */
const ELEMENT_SIZE: ReadonlyMap<number, number> = new Map([
  [RPM_TYPE.char, 1],
  [RPM_TYPE.int8, 1],
  [RPM_TYPE.bin, 1],
  [RPM_TYPE.int16, 2],
  [RPM_TYPE.int32, 4],
  [RPM_TYPE.int64, 8],
]);

const REGION_TAGS: ReadonlySet<number> = new Set([
  RPM_TAG.headerImage,
  RPM_TAG.headerSignatures,
  RPM_TAG.headerImmutable,
]);

/** One index entry, its data located and bounds-checked. */
interface Entry {
  readonly tag: number;
  readonly type: number;
  readonly count: number;
  /** Start of the value in the data store. */
  readonly offset: number;
  /** Byte length of the value. */
  readonly length: number;
}

/** The tags of one header, with typed accessors for their values. */
export interface RpmHeader {
  /** Whether the header has `tag`. */
  has(tag: number): boolean;
  /** A STRING or I18NSTRING value (the first, untranslated, string). */
  string(tag: number): string | undefined;
  /** A STRING_ARRAY, STRING or I18NSTRING value. */
  strings(tag: number): string[] | undefined;
  /** An INT8, INT16 or INT32 value as unsigned numbers. */
  numbers(tag: number): number[] | undefined;
}

/**
 * Parses one header blob, checking its structure: every entry has a known
 * type and its value lies within the data store, strings end in NUL, and
 * a leading region's trailer names a region within the index. Dribble
 * entries replace region entries of the same tag, and a dribble
 * BASENAMES drops a region's OLDFILENAMES, as rpm's `headerImport` does.
 *
 * @throws ClaroError INVALID_LAYER naming what is wrong.
 */
export function parseRpmHeader(blob: Uint8Array): RpmHeader {
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const { il, dl } = readCounts(view);
  const dataStart = 8 + il * ENTRY_SIZE;
  const data = blob.subarray(dataStart, dataStart + dl);
  const entries: Entry[] = [];
  for (let i = 0; i < il; i++) {
    entries.push(readEntry(view, 8 + i * ENTRY_SIZE, data));
  }

  const byTag = indexByTag(entries, regionSize(entries, data));
  return headerView(byTag, data);
}

/** The error for a malformed header. */
export function badHeader(reason: string): ClaroError {
  return new ClaroError('INVALID_LAYER', `Cannot read rpm header: ${reason}`);
}

function readCounts(view: DataView): { il: number; dl: number } {
  if (view.byteLength < 8) throw badHeader('shorter than 8 bytes');

  const il = view.getUint32(0);
  const dl = view.getUint32(4);
  if (il === 0 || il > MAX_ENTRIES) throw badHeader(`${il} index entries`);
  if (dl > MAX_DATA) throw badHeader(`data store of ${dl} bytes`);
  const size = 8 + il * ENTRY_SIZE + dl;
  if (size !== view.byteLength) {
    throw badHeader(`${view.byteLength} bytes where il and dl say ${size}`);
  }
  return { il, dl };
}

function readEntry(view: DataView, at: number, data: Uint8Array): Entry {
  const tag = view.getInt32(at);
  const type = view.getUint32(at + 4);
  const offset = view.getInt32(at + 8);
  const count = view.getUint32(at + 12);
  if (type > RPM_TYPE.i18nString) throw badHeader(`tag ${tag} type ${type}`);
  if (offset < 0 || offset > data.length) {
    throw badHeader(`tag ${tag} offset ${offset} outside the data store`);
  }
  if (count === 0 && type !== RPM_TYPE.null) {
    throw badHeader(`tag ${tag} has no value`);
  }

  const length = valueLength(data, offset, type, count);
  if (length === undefined || offset + length > data.length) {
    throw badHeader(`tag ${tag} value runs past the data store`);
  }
  return { tag, type, count, offset, length };
}

/** Byte length of a value, or undefined when its strings are unended. */
function valueLength(
  data: Uint8Array,
  offset: number,
  type: number,
  count: number,
): number | undefined {
  const size = ELEMENT_SIZE.get(type);
  if (size !== undefined) return size * count;
  if (type === RPM_TYPE.null) return 0;
  if (type === RPM_TYPE.string && count !== 1) return undefined;

  let end = offset;
  for (let n = 0; n < count; n++) {
    const nul = data.indexOf(0, end);
    if (nul < 0) return undefined;
    end = nul + 1;
  }
  return end - offset;
}

/**
 * Number of index entries in the leading region, the region tag included:
 * all of them for a header without one (rpm's legacy headers).
 */
function regionSize(entries: readonly Entry[], data: Uint8Array): number {
  const first = entries[0];
  if (first === undefined || !REGION_TAGS.has(first.tag)) {
    return entries.length;
  }
  if (first.type !== RPM_TYPE.bin || first.count !== ENTRY_SIZE) {
    throw badHeader(`region tag ${first.tag} is not a 16-byte trailer`);
  }

  const trailer = new DataView(
    data.buffer,
    data.byteOffset + first.offset,
    ENTRY_SIZE,
  );
  const regionIndex = -trailer.getInt32(8);
  const size = regionIndex / ENTRY_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > entries.length) {
    throw badHeader(`region trailer offset ${-regionIndex}`);
  }
  return size;
}

function indexByTag(
  entries: readonly Entry[],
  regionEnd: number,
): Map<number, Entry> {
  const byTag = new Map<number, Entry>();
  entries.forEach((entry, i) => {
    if (i === 0 && regionEnd > 0 && REGION_TAGS.has(entry.tag)) return;
    if (i >= regionEnd && entry.tag === RPM_TAG.baseNames) {
      byTag.delete(RPM_TAG.oldFileNames);
    }
    byTag.set(entry.tag, entry);
  });
  return byTag;
}

function headerView(
  byTag: ReadonlyMap<number, Entry>,
  data: Uint8Array,
): RpmHeader {
  const strings = (tag: number) => {
    const entry = byTag.get(tag);
    return entry && isStringType(entry.type)
      ? readStrings(data, entry)
      : undefined;
  };
  return {
    has: (tag) => byTag.has(tag),
    string: (tag) => {
      const entry = byTag.get(tag);
      if (entry?.type === RPM_TYPE.stringArray) return undefined;
      return strings(tag)?.[0];
    },
    strings,
    numbers: (tag) => {
      const entry = byTag.get(tag);
      return entry ? readNumbers(data, entry) : undefined;
    },
  };
}

function isStringType(type: number): boolean {
  return (
    type === RPM_TYPE.string ||
    type === RPM_TYPE.stringArray ||
    type === RPM_TYPE.i18nString
  );
}

function readStrings(data: Uint8Array, entry: Entry): string[] {
  const text = Buffer.from(
    data.buffer,
    data.byteOffset + entry.offset,
    entry.length - 1,
  ).toString('utf8');
  return text.split('\0');
}

function readNumbers(data: Uint8Array, entry: Entry): number[] | undefined {
  const size = ELEMENT_SIZE.get(entry.type);
  if (size === undefined || size > 4 || entry.type === RPM_TYPE.bin) {
    return undefined;
  }

  const view = new DataView(data.buffer, data.byteOffset + entry.offset);
  const values: number[] = [];
  for (let i = 0; i < entry.count; i++) {
    if (size === 1) values.push(view.getUint8(i));
    else if (size === 2) values.push(view.getUint16(i * 2));
    else values.push(view.getUint32(i * 4));
  }
  return values;
}
