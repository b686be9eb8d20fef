import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { gunzipOffThread } from './inflate.js';
import { chooseEngine, isalAddon, type InflateEngine } from './isal.js';

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
async function inflate(
  engine: InflateEngine,
  gz: Buffer,
  chunk: number,
): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for (let i = 0; i < gz.length; i += chunk) {
    pieces.push(gz.subarray(i, i + chunk));
  }
  const out: Buffer[] = [];
  await pipeline(
    Readable.from(pieces),
    gunzipOffThread(engine),
    new Writable({
      write(c: Buffer, _enc, cb) {
        out.push(c);
        cb();
      },
    }),
  );
  return Buffer.concat(out);
}

const addon = isalAddon();
const engines: { engine: InflateEngine; skip: string | false }[] = [
  { engine: 'zlib', skip: false },
  {
    engine: 'isal',
    // setup.sh installs libisal-dev, so CI always has the addon.
    skip: 'why' in addon && process.env.CI !== 'true' ? addon.why : false,
  },
];

for (const { engine, skip } of engines)
  describe(`gunzipOffThread (${engine})`, { skip }, () => {
    it('inflates what gzip wrote, whatever the input pieces', async () => {
      const plain = sample(5 << 20, 1);
      const gz = gzipSync(plain);
      for (const chunk of [1000, 65536, 1 << 20, gz.length]) {
        assert.ok(
          (await inflate(engine, gz, chunk)).equals(plain),
          `chunk ${chunk}`,
        );
      }
    });

    it('inflates several streams at once, each its own', async () => {
      const plains = [1, 2, 3].map((seed) => sample(3 << 20, seed));
      const outs = await Promise.all(
        plains.map((p) => inflate(engine, gzipSync(p), 50_000)),
      );
      outs.forEach((o, i) => assert.ok(o.equals(plains[i]!), `stream ${i}`));
    });

    it('reads concatenated gzip members as one stream, as gunzip does', async () => {
      const a = sample(100_000, 4);
      const b = sample(70_000, 5);
      const gz = Buffer.concat([gzipSync(a), gzipSync(b)]);
      assert.ok(
        (await inflate(engine, gz, 4096)).equals(Buffer.concat([a, b])),
      );
      // A member ending exactly where a piece does.
      const first = gzipSync(a.subarray(0, 2000));
      const second = gzipSync(b.subarray(0, 1000));
      const both = Buffer.concat([first, second]);
      for (const chunk of [1, first.length]) {
        assert.ok(
          (await inflate(engine, both, chunk)).equals(
            Buffer.concat([a.subarray(0, 2000), b.subarray(0, 1000)]),
          ),
          `chunk ${chunk}`,
        );
      }
    });

    it('fails on a truncated stream and on bytes that are not gzip', async () => {
      const gz = gzipSync(sample(200_000, 6));
      await assert.rejects(
        inflate(engine, gz.subarray(0, gz.length - 100), 8192),
        {
          message: /unexpected end of file/,
        },
      );
      await assert.rejects(inflate(engine, Buffer.from('not gzip at all'), 4), {
        message: /incorrect header check/,
      });
    });

    it('reads a header and trailer split across the smallest pieces', async () => {
      const plain = sample(3000, 9);
      for (const chunk of [1, 2, 7]) {
        assert.ok(
          (await inflate(engine, gzipSync(plain), chunk)).equals(plain),
        );
      }
    });

    it('ignores zero padding after the last member, as zlib does', async () => {
      const plain = sample(50_000, 10);
      const gz = Buffer.concat([gzipSync(plain), Buffer.alloc(4096)]);
      for (const chunk of [1000, gz.length]) {
        assert.ok((await inflate(engine, gz, chunk)).equals(plain));
      }
    });

    it('fails on a wrong CRC or length in the trailer and on bytes after a member', async () => {
      const gz = gzipSync(sample(80_000, 11));
      const badCrc = Buffer.from(gz);
      badCrc[gz.length - 8]! ^= 0xff;
      await assert.rejects(inflate(engine, badCrc, 4096), {
        message: /incorrect data check/,
      });
      const badSize = Buffer.from(gz);
      badSize[gz.length - 4]! ^= 0x01;
      await assert.rejects(inflate(engine, badSize, 4096), {
        message: /incorrect (data|length) check/,
      });
      const trailing = Buffer.concat([gz, Buffer.from('garbage')]);
      await assert.rejects(inflate(engine, trailing, 4096), {
        message: /incorrect header check/,
      });
      await assert.rejects(inflate(engine, Buffer.alloc(0), 4096), {
        message: /unexpected end of file/,
      });
    });

    it('fails on a corrupt deflate body', async () => {
      const gz = gzipSync(sample(300_000, 12));
      const bad = Buffer.from(gz);
      // Past the 10-byte header: the first block's type bits and Huffman
      // tables.
      bad.fill(0xff, 10, 40);
      await assert.rejects(inflate(engine, bad, 65536));
    });

    it('holds output back while nobody reads it', async () => {
      // 64 MiB of zeros: a few KiB of gzip that a careless reader would
      // inflate whole into memory.
      const gz = gzipSync(Buffer.alloc(64 << 20));
      const stream = gunzipOffThread(engine);
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
      const stream = gunzipOffThread(engine);
      stream.write(gzipSync(sample(4 << 20, 7)).subarray(0, 1 << 20));
      stream.destroy();
      await new Promise((resolve) => stream.on('close', resolve));
      // A new stream still works after one was dropped.
      const plain = sample(10_000, 8);
      assert.ok((await inflate(engine, gzipSync(plain), 999)).equals(plain));
    });
  });

describe('chooseEngine', () => {
  it('takes zlib when CLARO_INFLATE says so', () => {
    assert.deepEqual(chooseEngine('zlib'), {
      engine: 'zlib',
      why: 'CLARO_INFLATE=zlib',
    });
  });

  it('names a CLARO_INFLATE that is no inflater', () => {
    assert.throws(() => chooseEngine('pigz'), {
      message:
        'Cannot choose a gzip inflater: CLARO_INFLATE=pigz names none ' +
        '(use isal or zlib)',
    });
  });

  it('takes ISA-L when its addon loads, and zlib with the reason when not', () => {
    const chosen = chooseEngine(undefined);
    if ('path' in addon) {
      assert.deepEqual(chosen, { engine: 'isal', addon: addon.path });
    } else {
      assert.deepEqual(chosen, { engine: 'zlib', why: addon.why });
      assert.throws(() => chooseEngine('isal'), /as CLARO_INFLATE=isal asks: /);
    }
  });
});
