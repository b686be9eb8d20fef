import { Readable, type Duplex } from 'node:stream';
import { DecompressStream } from 'zstd-napi';
import { gunzipOffThread } from './inflate.js';

export type Compression = 'gzip' | 'zstd' | 'none';

/**
 * Recognises a compression format from the first bytes of a blob, never
 * from a file name or media type (RFC 1952 section 2.3.1 for gzip, RFC 8878
 * section 3.1.1 for zstd frames).
 */
export function detectCompression(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  return 'none';
}

/** A decompressing transform for `kind`, or undefined for `none`. */
export function decompressor(kind: Compression): Duplex | undefined {
  switch (kind) {
    case 'gzip':
      return gunzipOffThread();
    case 'zstd':
      return new DecompressStream();
    case 'none':
      return undefined;
  }
}

/**
 * Reads at least `n` bytes from the start of `stream` (fewer at its end)
 * and returns them with a stream that still yields every byte.
 */
export async function peek(
  stream: Readable,
  n: number,
): Promise<{ head: Buffer; stream: Readable }> {
  const chunks: Buffer[] = [];
  let size = 0;
  const it = stream[Symbol.asyncIterator]();
  while (size < n) {
    const next = await it.next();
    if (next.done) break;
    const chunk = next.value as Buffer;
    chunks.push(chunk);
    size += chunk.length;
  }
  const head = Buffer.concat(chunks);
  return { head, stream: Readable.from(rest(head, it)) };
}

async function* rest(
  head: Buffer,
  it: AsyncIterator<unknown>,
): AsyncGenerator<Buffer> {
  if (head.length > 0) yield head;
  for (;;) {
    const next = await it.next();
    if (next.done) return;
    yield next.value as Buffer;
  }
}
