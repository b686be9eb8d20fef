/**
 * Builds tiny ELF files for tests: an ELF header, one writable loadable
 * segment mapping the whole file at BASE_ADDR, no section headers, and a
 * payload at PAYLOAD_OFFSET (a multiple of 16).
 */

export const BASE_ADDR = 0x10000;
export const PAYLOAD_OFFSET = 0x80;

export interface TestElfOptions {
  readonly bits: 32 | 64;
  readonly littleEndian: boolean;
  /** Segment flags: PF_R|PF_W (6) unless set. */
  readonly flags?: number;
}

/** An ELF file holding `payload` in a writable segment. */
export function makeElf(payload: Buffer, opts: TestElfOptions): Buffer {
  const out = Buffer.alloc(PAYLOAD_OFFSET + payload.length);
  const w = new Writer(out, opts.littleEndian);
  writeHeader(w, opts.bits, opts.littleEndian);
  writeSegment(w, opts, out.length);
  payload.copy(out, PAYLOAD_OFFSET);
  return out;
}

function writeHeader(w: Writer, bits: 32 | 64, le: boolean): void {
  w.buf.set([0x7f, 0x45, 0x4c, 0x46, bits === 32 ? 1 : 2, le ? 1 : 2, 1]);
  w.u16(16, 2); // ET_EXEC
  const word = bits === 64 ? 8 : 4;
  const phoff = bits === 64 ? 64 : 52;
  w.word(24 + word, phoff, bits);
  const end = 24 + 3 * word + 4;
  w.u16(end + 2, bits === 64 ? 56 : 32);
  w.u16(end + 4, 1);
}

function writeSegment(w: Writer, opts: TestElfOptions, size: number): void {
  const flags = opts.flags ?? 6;
  if (opts.bits === 64) {
    const at = 64;
    w.u32(at, 1);
    w.u32(at + 4, flags);
    w.word(at + 8, 0, 64);
    w.word(at + 16, BASE_ADDR, 64);
    w.word(at + 32, size, 64);
    w.word(at + 40, size, 64);
    return;
  }
  const at = 52;
  w.u32(at, 1);
  w.u32(at + 4, 0);
  w.u32(at + 8, BASE_ADDR);
  w.u32(at + 16, size);
  w.u32(at + 20, size);
  w.u32(at + 24, flags);
}

class Writer {
  constructor(
    readonly buf: Buffer,
    private readonly le: boolean,
  ) {}

  u16(at: number, v: number): void {
    if (this.le) this.buf.writeUInt16LE(v, at);
    else this.buf.writeUInt16BE(v, at);
  }

  u32(at: number, v: number): void {
    if (this.le) this.buf.writeUInt32LE(v, at);
    else this.buf.writeUInt32BE(v, at);
  }

  word(at: number, v: number, bits: 32 | 64): void {
    if (bits === 32) return this.u32(at, v);
    if (this.le) this.buf.writeBigUInt64LE(BigInt(v), at);
    else this.buf.writeBigUInt64BE(BigInt(v), at);
  }
}

/** The sentinels Go frames module information with (16 bytes each). */
export const SENTINEL_START = Buffer.from(
  '3077af0c9274080241e1c107e6d618e6',
  'hex',
);
export const SENTINEL_END = Buffer.from(
  'f932433186182072008242104116d8f2',
  'hex',
);

/** Module information text framed as a binary holds it. */
export function framed(text: string): Buffer {
  return Buffer.concat([SENTINEL_START, Buffer.from(text), SENTINEL_END]);
}

/** A Go 1.18+ blob: magic, pointer size, flags 2, strings inline. */
export function inlineBlob(version: string, modinfo: Buffer): Buffer {
  const head = Buffer.alloc(32);
  head.write('\xff Go buildinf:', 'latin1');
  head[14] = 8;
  head[15] = 2;
  return Buffer.concat([
    head,
    uvarint(version.length),
    Buffer.from(version),
    uvarint(modinfo.length),
    modinfo,
  ]);
}

/** Go's `encoding/binary.PutUvarint`. */
export function uvarint(n: number): Buffer {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return Buffer.from(out);
}

/**
 * A pre-1.18 payload for makeElf: the blob with two pointers, then the two
 * string headers, then the strings, addressed as the segment maps them.
 */
export function pointerPayload(
  version: string,
  modinfo: Buffer,
  opts: { ptrSize: 4 | 8; littleEndian: boolean },
): Buffer {
  const p = opts.ptrSize;
  const headersAt = 32;
  const dataAt = headersAt + 4 * p;
  const out = Buffer.alloc(dataAt + version.length + modinfo.length);
  const w = new Writer(out, opts.littleEndian);
  const bits = p === 8 ? 64 : 32;
  const addr = (off: number) => BASE_ADDR + PAYLOAD_OFFSET + off;

  out.write('\xff Go buildinf:', 'latin1');
  out[14] = p;
  out[15] = opts.littleEndian ? 0 : 1;
  w.word(16, addr(headersAt), bits);
  w.word(16 + p, addr(headersAt + 2 * p), bits);
  w.word(headersAt, addr(dataAt), bits);
  w.word(headersAt + p, version.length, bits);
  w.word(headersAt + 2 * p, addr(dataAt + version.length), bits);
  w.word(headersAt + 3 * p, modinfo.length, bits);
  out.write(version, dataAt);
  modinfo.copy(out, dataAt + version.length);
  return out;
}
