import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';

/** One entry of a tar built by a test. */
export interface TestEntry {
  readonly name: string;
  readonly type?: 'file' | 'directory' | 'symlink' | 'link';
  readonly body?: string | Buffer;
  readonly linkname?: string;
  /** Permission bits; tar-stream's default when absent. */
  readonly mode?: number;
}

/** Builds an uncompressed tar in memory. */
export async function makeTar(entries: readonly TestEntry[]): Promise<Buffer> {
  const p = pack();
  for (const e of entries) {
    const type = e.type ?? 'file';
    const header = {
      name: e.name,
      type,
      ...(e.linkname !== undefined ? { linkname: e.linkname } : {}),
      ...(e.mode !== undefined ? { mode: e.mode } : {}),
    };
    if (type === 'file') p.entry(header, e.body ?? '');
    else p.entry(header);
  }
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export async function makeTarGz(entries: readonly TestEntry[]) {
  return gzipSync(await makeTar(entries));
}

/** A stream yielding `buf` in small chunks, as a file read would. */
export function streamOf(buf: Buffer, chunk = 7919): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += chunk) {
    parts.push(buf.subarray(i, i + chunk));
  }
  return Readable.from(parts);
}
