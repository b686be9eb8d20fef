import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { isClaroError } from '../../errors.js';
import { sha256Digest } from '../descriptors.js';
import { BlobCache, parseSize } from './blob-cache.js';

const root = mkdtempSync(join(tmpdir(), 'claro-blob-cache-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

function cacheOf(maxBytes: number): BlobCache {
  return new BlobCache({ dir: join(root, `c${++n}`), maxBytes });
}

/** The temporary files left in a cache folder. */
function leftovers(dir: string): string[] {
  const tmp = join(dir, 'blobs', 'tmp');
  return existsSync(tmp) ? readdirSync(tmp) : [];
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Streams `body` through the cache as a download would. */
function download(cache: BlobCache, body: Buffer, digest = sha256Digest(body)) {
  return readAll(cache.store(digest, Readable.from([body]), `blob ${digest}`));
}

const blob = (size: number, fill: number) => Buffer.alloc(size, fill);

describe('BlobCache', () => {
  it('keeps a downloaded blob and serves it back', async () => {
    const cache = cacheOf(1000);
    const body = blob(100, 1);
    assert.deepEqual(await download(cache, body), body);
    const kept = await cache.open(sha256Digest(body), 100);
    assert.deepEqual(await readAll(kept!), body);
  });

  it('keeps nothing of a blob whose bytes do not match', async () => {
    const cache = cacheOf(1000);
    const wrong = sha256Digest(Buffer.from('other'));
    const body = blob(100, 2);
    await assert.rejects(download(cache, body, wrong), (err) => {
      assert.ok(isClaroError(err, 'DIGEST_MISMATCH'));
      assert.equal(
        err.message,
        `Cannot read blob ${wrong}: its bytes hash to ${sha256Digest(body)}`,
      );
      return true;
    });
    assert.equal(existsSync(cache.pathOf(wrong)), false);
    assert.deepEqual(leftovers(join(root, `c${n}`)), []);
  });

  it('keeps nothing of a download that fails half-way', async () => {
    const cache = cacheOf(1000);
    const body = blob(100, 3);
    const failing = new Readable({
      read() {
        this.push(body.subarray(0, 50));
        this.destroy(new Error('connection lost'));
      },
    });
    const digest = sha256Digest(body);
    await assert.rejects(readAll(cache.store(digest, failing, 'blob')), /lost/);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(existsSync(cache.pathOf(digest)), false);
    assert.deepEqual(leftovers(join(root, `c${n}`)), []);
  });

  it('drops a kept blob whose size is not the one expected', async () => {
    const cache = cacheOf(1000);
    const body = blob(100, 4);
    await download(cache, body);
    assert.equal(await cache.open(sha256Digest(body), 99), undefined);
    assert.equal(existsSync(cache.pathOf(sha256Digest(body))), false);
  });

  it('drops a kept blob whose bytes were damaged, keeping its size', async () => {
    const cache = cacheOf(1000);
    const body = blob(100, 5);
    const digest = sha256Digest(body);
    await download(cache, body);
    const damaged = Buffer.from(body);
    damaged[50] = 0xff;
    writeFileSync(cache.pathOf(digest), damaged);
    assert.equal(await cache.open(digest, 100), undefined);
    assert.equal(existsSync(cache.pathOf(digest)), false);
    // Fetched again, it is kept again.
    await download(cache, body);
    assert.deepEqual(await readAll((await cache.open(digest, 100))!), body);
  });

  it('drops a folder standing where a blob should be', async () => {
    const cache = cacheOf(1000);
    const body = blob(100, 6);
    const digest = sha256Digest(body);
    mkdirSync(join(cache.pathOf(digest), 'junk'), { recursive: true });
    assert.equal(await cache.open(digest, 100), undefined);
    assert.equal(existsSync(cache.pathOf(digest)), false);
    await download(cache, body);
    assert.deepEqual(await readAll((await cache.open(digest, 100))!), body);
  });

  it('evicts the least recently used blobs past its limit', async () => {
    const cache = cacheOf(250);
    const [a, b, c] = [blob(100, 5), blob(100, 6), blob(100, 7)];
    const at = (body: Buffer, s: number) =>
      utimesSync(cache.pathOf(sha256Digest(body)), s, s);
    await download(cache, a);
    at(a, 1000);
    await download(cache, b);
    at(b, 2000);
    (await cache.open(sha256Digest(a)))!.destroy(); // a is used again
    await download(cache, c);
    const kept = [a, b, c].map((x) =>
      existsSync(cache.pathOf(sha256Digest(x))),
    );
    assert.deepEqual(kept, [true, false, true]);
  });

  it('accepts nothing with a limit of 0, and no blob above its limit', () => {
    assert.equal(cacheOf(0).accepts(1), false);
    assert.equal(cacheOf(100).accepts(101), false);
    assert.equal(cacheOf(100).accepts(100), true);
  });
});

describe('parseSize', () => {
  const table: [string, number][] = [
    ['0', 0],
    ['1234', 1234],
    ['2GiB', 2 * 1024 ** 3],
    ['500M', 500 * 1024 ** 2],
    ['1.5 kb', 1536],
    ['1T', 1024 ** 4],
  ];
  for (const [text, want] of table) {
    it(`reads ${text}`, () => assert.equal(parseSize(text), want));
  }
  it('refuses a size without a number', () => {
    assert.throws(
      () => parseSize('lots'),
      (err) => isClaroError(err, 'INVALID_ARGUMENT'),
    );
  });
});
