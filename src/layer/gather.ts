import { Transform } from 'node:stream';

/**
 * Bytes gathered before they are passed on. Every chunk handed to zlib or
 * written to a file is a task for libuv's thread pool, and waking a pool
 * thread costs far more than copying: a download arrives in 16-64 KiB
 * pieces, so gathering them to 1 MiB cuts those tasks thirty-fold.
 */
export const GATHER_BYTES = 1 << 20;

/**
 * A pass-through stream that joins small chunks into pieces of at least
 * `min` bytes (the last may be shorter); a chunk already that large goes
 * on as it is, uncopied.
 */
export function gather(min = GATHER_BYTES): Transform {
  let held: Buffer[] = [];
  let size = 0;
  const take = (): Buffer => {
    const out = held.length === 1 ? held[0]! : Buffer.concat(held, size);
    held = [];
    size = 0;
    return out;
  };
  return new Transform({
    readableHighWaterMark: min,
    transform(chunk: Buffer, _enc, cb) {
      held.push(chunk);
      size += chunk.length;
      cb(null, size >= min ? take() : undefined);
    },
    flush(cb) {
      cb(null, size > 0 ? take() : undefined);
    },
  });
}
