import { open, type FileHandle } from 'node:fs/promises';
import { ClaroError } from '../errors.js';
import {
  BLOCK,
  applyMeta,
  entryType,
  isMeta,
  isZeroBlock,
  readHeader,
  type EntryType,
  type Overrides,
} from '../tar/header.js';

/** One entry of an uncompressed tar file, located by byte offset. */
export interface TarEntry {
  readonly name: string;
  readonly type: EntryType;
  readonly linkname: string;
  /** Offset of the entry's data in the file. */
  readonly offset: number;
  readonly size: number;
}

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
  let ext: Overrides = {};
  for (let pos = 0; pos + BLOCK <= total;) {
    await readExactly(fh, header, pos);
    if (isZeroBlock(header)) break;
    const h = readHeader(header, ext);
    if (h === undefined) throw badTar(file, pos, 'bad header checksum');

    const dataAt = pos + BLOCK;
    if (dataAt + h.size > total) throw badTar(file, pos, 'truncated entry');
    pos = dataAt + Math.ceil(h.size / BLOCK) * BLOCK;

    if (isMeta(h.flag)) {
      const body = Buffer.alloc(h.size);
      await readExactly(fh, body, dataAt);
      ext = applyMeta(ext, h.flag, body);
      continue;
    }
    ext = {};
    const { name, linkname, size } = h;
    const type = entryType(h.flag);
    entries.push({ name, type, linkname, size, offset: dataAt });
  }
  return entries;
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
