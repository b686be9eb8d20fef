import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { gunzipOffThread } from './inflate.js';

/** Mixed bytes: random runs and repeated text, as layers hold. */
function sample(size: number, seed: number): Buffer {
  const parts: Buffer[] = [];
  let n = 0;
  for (let i = 0; n < size; i++) {
    const part =
      (i + seed) % 3 === 0
        ? randomBytes(4096)
        : Buffer.from(`line ${i} of sample ${seed}\n`.repeat(200));
    parts.push(part);
    n += part.length;
  }
  return Buffer.concat(parts).subarray(0, size);
}

/** Feeds `gz` in `chunk`-byte pieces and collects what comes out. */
async function inflate(gz: Buffer, chunk: number): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for (let i = 0; i < gz.length; i += chunk) {
    pieces.push(gz.subarray(i, i + chunk));
  }
  const out: Buffer[] = [];
  await pipeline(
    Readable.from(pieces),
    gunzipOffThread(),
    new Writable({
      write(c: Buffer, _enc, cb) {
        out.push(c);
        cb();
      },
    }),
  );
  return Buffer.concat(out);
}

describe('gunzipOffThread', () => {
  it('inflates what gzip wrote, whatever the input pieces', async () => {
    const plain = sample(5 << 20, 1);
    const gz = gzipSync(plain);
    for (const chunk of [1000, 65536, 1 << 20, gz.length]) {
      assert.ok((await inflate(gz, chunk)).equals(plain), `chunk ${chunk}`);
    }
  });

  it('inflates several streams at once, each its own', async () => {
    const plains = [1, 2, 3].map((seed) => sample(3 << 20, seed));
    const outs = await Promise.all(
      plains.map((p) => inflate(gzipSync(p), 50_000)),
    );
    outs.forEach((o, i) => assert.ok(o.equals(plains[i]!), `stream ${i}`));
  });

  it('reads concatenated gzip members as one stream, as gunzip does', async () => {
    const a = sample(100_000, 4);
    const b = sample(70_000, 5);
    const gz = Buffer.concat([gzipSync(a), gzipSync(b)]);
    assert.ok((await inflate(gz, 4096)).equals(Buffer.concat([a, b])));
  });

  it('fails on a truncated stream and on bytes that are not gzip', async () => {
    const gz = gzipSync(sample(200_000, 6));
    await assert.rejects(inflate(gz.subarray(0, gz.length - 100), 8192), {
      message: /unexpected end of file/,
    });
    await assert.rejects(inflate(Buffer.from('not gzip at all'), 4), {
      message: /incorrect header check/,
    });
  });

  it('holds output back while nobody reads it', async () => {
    // 64 MiB of zeros: a few KiB of gzip that a careless reader would
    // inflate whole into memory.
    const gz = gzipSync(Buffer.alloc(64 << 20));
    const stream = gunzipOffThread();
    stream.end(gz);
    await sleep(300);
    // Untaken output stays within the stream's buffer and the worker's
    // few outstanding chunks.
    assert.ok(stream.readableLength <= 8 << 20, `${stream.readableLength}`);
    let total = 0;
    for await (const c of stream) total += (c as Buffer).length;
    assert.equal(total, 64 << 20);
  });

  it('lets a stream be given up midway', async () => {
    const stream = gunzipOffThread();
    stream.write(gzipSync(sample(4 << 20, 7)).subarray(0, 1 << 20));
    stream.destroy();
    await new Promise((resolve) => stream.on('close', resolve));
    // A new stream still works after one was dropped.
    const plain = sample(10_000, 8);
    assert.ok((await inflate(gzipSync(plain), 999)).equals(plain));
  });
});
