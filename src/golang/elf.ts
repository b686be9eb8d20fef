/**
 * The little of the ELF format (System V ABI, "Object Files": ELF header,
 * program header table, section header table) that locating Go build
 * information needs: where sections and loadable segments sit in the file,
 * and how a virtual address maps to a file offset.
 *
 * Known limitation: the extended numbering escapes (`e_shnum` 0 with the
 * count in section 0, `SHN_XINDEX`) are not followed; Go's linker never
 * writes them.
 */

/** `\x7fELF`, the first four bytes of every ELF file. */
export const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);

/** Program header types: a loadable segment, a segment of notes. */
export const PT_LOAD = 1;
export const PT_NOTE = 4;
/** Segment permission bits of `p_flags`. */
export const PF_X = 1;
export const PF_W = 2;
/** Section type of a section that occupies no file space (`.bss`). */
const SHT_NOBITS = 8;

/** Bytes of the ELF identification plus the largest (64-bit) header. */
export const ELF_HEADER_SIZE = 64;

/** One section header, as much of it as claro reads. */
export interface ElfSection {
  readonly name: string;
  readonly type: number;
  readonly addr: number;
  readonly offset: number;
  readonly size: number;
}

/** One program header (segment), as much of it as claro reads. */
export interface ElfSegment {
  readonly type: number;
  readonly flags: number;
  readonly offset: number;
  readonly vaddr: number;
  readonly filesz: number;
  readonly memsz: number;
}

/** The layout of an ELF file. */
export interface ElfFile {
  readonly bits: 32 | 64;
  readonly littleEndian: boolean;
  readonly sections: readonly ElfSection[];
  readonly segments: readonly ElfSegment[];
}

/** True when `head` starts with the ELF magic. */
export function isElf(head: Buffer): boolean {
  return (
    head.length >= ELF_MAGIC.length &&
    head.subarray(0, ELF_MAGIC.length).equals(ELF_MAGIC)
  );
}

/** How much of the file parseElf reads. */
export interface ParseElfOptions {
  /**
   * Whether to read the section headers, which usually sit at the end of
   * the file. False for a file's first bytes only: `sections` is empty.
   */
  readonly sections?: boolean;
}

/**
 * Reads the layout of the ELF file `data` (or, with `sections: false`, of
 * its first bytes, which must hold the program header table), or returns
 * why it cannot: a string naming what is malformed.
 */
export function parseElf(
  data: Buffer,
  opts: ParseElfOptions = {},
): ElfFile | string {
  if (!isElf(data) || data.length < ELF_HEADER_SIZE) return 'not an ELF file';
  const ident = identify(data);
  if (typeof ident === 'string') return ident;

  const r = new FieldReader(data, ident.bits, ident.littleEndian);
  const header = readHeader(r);
  const segments = readSegments(r, header);
  if (typeof segments === 'string') return segments;
  const sections = opts.sections === false ? [] : readSections(r, header);
  if (typeof sections === 'string') return sections;

  return { ...ident, sections, segments };
}

/** Bytes at a file offset, or undefined when they are not at hand. */
export type FileReader = (offset: number, length: number) => Buffer | undefined;

/** A FileReader over a whole file in memory. */
export function bufferReader(data: Buffer): FileReader {
  return (offset, length) =>
    offset < 0 || length < 0 || offset + length > data.length
      ? undefined
      : data.subarray(offset, offset + length);
}

/**
 * The bytes at virtual address `addr`, `length` of them, from the loadable
 * segment holding them; undefined when no segment's file image holds them
 * all, or `read` does not have them.
 */
export function readVirtual(
  elf: ElfFile,
  read: FileReader,
  addr: number,
  length: number,
): Buffer | undefined {
  for (const s of elf.segments) {
    if (s.type !== PT_LOAD) continue;
    if (addr < s.vaddr || addr + length > s.vaddr + s.filesz) continue;
    return read(s.offset + (addr - s.vaddr), length);
  }
  return undefined;
}

/** The file range of a section with file contents, by name. */
export function findSection(
  elf: ElfFile,
  name: string,
): ElfSection | undefined {
  return elf.sections.find((s) => s.name === name && s.type !== SHT_NOBITS);
}

/** Owner name and type of the note Go's linker writes its build ID in. */
const GO_NOTE_NAME = 'Go';
const GO_NOTE_BUILDID = 4;

/**
 * Whether the note segments (gABI "Note Section": namesz, descsz, type,
 * then name and descriptor each padded to 4 bytes) hold Go's build ID
 * note, which Go's linker writes into every ELF executable; undefined
 * when there are none, or `head` does not hold them all.
 */
export function hasGoBuildIdNote(
  elf: ElfFile,
  head: Buffer,
): boolean | undefined {
  const r = new FieldReader(head, elf.bits, elf.littleEndian);
  const notes = elf.segments.filter((s) => s.type === PT_NOTE);
  if (notes.length === 0) return undefined;
  for (const s of notes) {
    if (!r.fits(s.offset, s.filesz)) return undefined;
    if (notesHoldGo(r, s.offset, s.offset + s.filesz)) return true;
  }
  return false;
}

function notesHoldGo(r: FieldReader, at: number, end: number): boolean {
  while (at + 12 <= end) {
    const namesz = r.u32(at);
    const descsz = r.u32(at + 4);
    const type = r.u32(at + 8);
    const name = r.cString(at + 12, namesz);
    if (name === GO_NOTE_NAME && type === GO_NOTE_BUILDID) return true;
    at += 12 + pad4(namesz) + pad4(descsz);
  }
  return false;
}

function pad4(n: number): number {
  return n + ((4 - (n % 4)) % 4);
}

function identify(
  data: Buffer,
): { bits: 32 | 64; littleEndian: boolean } | string {
  const cls = data[4];
  const order = data[5];
  if (cls !== 1 && cls !== 2) return `unknown ELF class ${String(cls)}`;
  if (order !== 1 && order !== 2) {
    return `unknown ELF data encoding ${String(order)}`;
  }
  return { bits: cls === 1 ? 32 : 64, littleEndian: order === 1 };
}

interface ElfHeader {
  readonly phoff: number;
  readonly phentsize: number;
  readonly phnum: number;
  readonly shoff: number;
  readonly shentsize: number;
  readonly shnum: number;
  readonly shstrndx: number;
}

/** ELF header fields after `e_entry`, whose width follows the class. */
function readHeader(r: FieldReader): ElfHeader {
  const w = r.bits === 64 ? 8 : 4;
  const at = 24 + w;
  const end = at + 2 * w + 4;
  return {
    phoff: r.word(at),
    shoff: r.word(at + w),
    phentsize: r.u16(end + 2),
    phnum: r.u16(end + 4),
    shentsize: r.u16(end + 6),
    shnum: r.u16(end + 8),
    shstrndx: r.u16(end + 10),
  };
}

function readSegments(r: FieldReader, h: ElfHeader): ElfSegment[] | string {
  const min = r.bits === 64 ? 56 : 32;
  if (h.phnum === 0) return [];
  if (h.phentsize < min) return 'program header entries too small';
  if (!r.fits(h.phoff, h.phnum * h.phentsize)) {
    return 'program header table past the end of the file';
  }

  const out: ElfSegment[] = [];
  for (let i = 0; i < h.phnum; i++) {
    out.push(readSegment(r, h.phoff + i * h.phentsize));
  }
  return out;
}

/** Elf32_Phdr and Elf64_Phdr order their fields differently. */
function readSegment(r: FieldReader, at: number): ElfSegment {
  if (r.bits === 64) {
    return {
      type: r.u32(at),
      flags: r.u32(at + 4),
      offset: r.word(at + 8),
      vaddr: r.word(at + 16),
      filesz: r.word(at + 32),
      memsz: r.word(at + 40),
    };
  }
  return {
    type: r.u32(at),
    offset: r.u32(at + 4),
    vaddr: r.u32(at + 8),
    filesz: r.u32(at + 16),
    memsz: r.u32(at + 20),
    flags: r.u32(at + 24),
  };
}

interface RawSection extends Omit<ElfSection, 'name'> {
  readonly nameAt: number;
}

function readSections(r: FieldReader, h: ElfHeader): ElfSection[] | string {
  const min = r.bits === 64 ? 64 : 40;
  if (h.shnum === 0) return [];
  if (h.shentsize < min) return 'section header entries too small';
  if (!r.fits(h.shoff, h.shnum * h.shentsize)) {
    return 'section header table past the end of the file';
  }

  const raw: RawSection[] = [];
  for (let i = 0; i < h.shnum; i++) {
    raw.push(readSection(r, h.shoff + i * h.shentsize));
  }
  const names = raw[h.shstrndx];
  return raw.map(({ nameAt, ...s }) => ({
    ...s,
    name: names ? r.cString(names.offset + nameAt, names.size - nameAt) : '',
  }));
}

function readSection(r: FieldReader, at: number): RawSection {
  const w = r.bits === 64 ? 8 : 4;
  return {
    nameAt: r.u32(at),
    type: r.u32(at + 4),
    addr: r.word(at + 8 + w),
    offset: r.word(at + 8 + 2 * w),
    size: r.word(at + 8 + 3 * w),
  };
}

/**
 * Reads fixed-width fields in the file's byte order. Out-of-range reads
 * yield 0, and 64-bit values beyond 2^53 read as the largest safe integer,
 * which no later bounds check accepts.
 */
class FieldReader {
  constructor(
    private readonly data: Buffer,
    readonly bits: 32 | 64,
    private readonly le: boolean,
  ) {}

  fits(at: number, length: number): boolean {
    return at >= 0 && length >= 0 && at + length <= this.data.length;
  }

  u16(at: number): number {
    if (!this.fits(at, 2)) return 0;
    return this.le ? this.data.readUInt16LE(at) : this.data.readUInt16BE(at);
  }

  u32(at: number): number {
    if (!this.fits(at, 4)) return 0;
    return this.le ? this.data.readUInt32LE(at) : this.data.readUInt32BE(at);
  }

  /** An address or offset: 4 bytes in ELF32, 8 in ELF64. */
  word(at: number): number {
    if (this.bits === 32) return this.u32(at);
    if (!this.fits(at, 8)) return 0;
    const v = this.le
      ? this.data.readBigUInt64LE(at)
      : this.data.readBigUInt64BE(at);
    return v > BigInt(Number.MAX_SAFE_INTEGER)
      ? Number.MAX_SAFE_INTEGER
      : Number(v);
  }

  /** A NUL-terminated string of at most `max` bytes. */
  cString(at: number, max: number): string {
    if (at < 0 || max <= 0 || at >= this.data.length) return '';
    const end = Math.min(this.data.length, at + max);
    const nul = this.data.indexOf(0, at);
    const stop = nul < 0 || nul > end ? end : nul;
    return this.data.toString('latin1', at, stop);
  }
}
