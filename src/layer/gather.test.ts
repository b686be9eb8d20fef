import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { gather } from './gather.js';

/** The pieces `gather` pushes, each as it was pushed (flowing mode). */
async function sizesOf(chunks: Buffer[], min: number) {
  const out: Buffer[] = [];
  const g = Readable.from(chunks).pipe(gather(min));
  g.on('data', (c: Buffer) => out.push(c));
  await new Promise((resolve) => g.on('end', resolve));
  return out;
}

describe('gather', () => {
  it('joins small chunks into pieces of at least the minimum', async () => {
    const chunks = Array.from({ length: 10 }, (_, i) => Buffer.alloc(3, i));
    const out = await sizesOf(chunks, 8);
    assert.deepEqual(
      out.map((c) => c.length),
      [9, 9, 9, 3],
    );
    assert.deepEqual(Buffer.concat(out), Buffer.concat(chunks));
  });

  it('passes a large chunk on as it is', async () => {
    const big = Buffer.alloc(64, 1);
    const [first] = await sizesOf([big], 8);
    assert.equal(first, big);
  });

  it('yields nothing for no input', async () => {
    assert.deepEqual(await sizesOf([], 8), []);
  });
});
