import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';

import { ReportCache } from './report-cache.js';

/** A computation that counts its runs and answers `text`. */
function counted(text: string) {
  const c = {
    runs: 0,
    compute: async () => {
      c.runs += 1;
      return Buffer.from(text);
    },
  };
  return c;
}

describe('ReportCache', () => {
  it('serves the kept report while the version is unchanged', async () => {
    const cache = new ReportCache(1 << 20);
    const c = counted('{"a":1}');
    const first = await cache.get('sha256:m1', 'v1', c.compute);
    const again = await cache.get('sha256:m1', 'v1', c.compute);

    assert.equal(c.runs, 1);
    assert.equal(again, first);
    assert.equal(first.body.toString(), '{"a":1}');
    const digest = createHash('sha256').update('{"a":1}').digest('base64url');
    assert.equal(first.etag, `"${digest}"`);
  });

  it('computes again under a new version and keeps only that one', async () => {
    const cache = new ReportCache(1 << 20);
    await cache.get('sha256:m1', 'v1', counted('old').compute);
    const next = counted('new');
    const got = await cache.get('sha256:m1', 'v2', next.compute);
    assert.equal(got.body.toString(), 'new');
    assert.equal(cache.size, 1);

    const back = counted('older');
    await cache.get('sha256:m1', 'v1', back.compute);
    assert.equal(back.runs, 1, 'the replaced version is not kept');
  });

  it('drops the least recently used reports beyond the budget', async () => {
    const body = 'x'.repeat(1000);
    const cache = new ReportCache(3 * 1400);
    for (const m of ['m1', 'm2', 'm3']) {
      await cache.get(m, 'v', counted(body).compute);
    }
    await cache.get('m1', 'v', counted(body).compute);
    await cache.get('m4', 'v', counted(body).compute);

    assert.equal(cache.size, 3);
    assert.ok(cache.bytes <= 3 * 1400);
    const m2 = counted(body);
    await cache.get('m2', 'v', m2.compute);
    assert.equal(m2.runs, 1, 'm2 was the oldest and went');
    const m1 = counted(body);
    await cache.get('m1', 'v', m1.compute);
    assert.equal(m1.runs, 0, 'm1 was used again and stayed');
  });

  it('keeps nothing larger than the budget, and nothing at 0', async () => {
    for (const [budget, text] of [
      [100, 'x'.repeat(200)],
      [0, '{}'],
    ] as const) {
      const cache = new ReportCache(budget);
      const c = counted(text);
      await cache.get('m1', 'v', c.compute);
      await cache.get('m1', 'v', c.compute);
      assert.equal(c.runs, 2);
      assert.equal(cache.size, 0);
      assert.equal(cache.bytes, 0);
    }
  });

  it('computes once for requests arriving while it computes', async () => {
    const cache = new ReportCache(1 << 20);
    const c = counted('{}');
    const got = await Promise.all(
      [1, 2, 3].map(() => cache.get('m1', 'v', c.compute)),
    );
    assert.equal(c.runs, 1);
    assert.equal(got[1], got[0]);
    assert.equal(got[2], got[0]);
  });

  it('passes a failure to every waiter and keeps nothing', async () => {
    const cache = new ReportCache(1 << 20);
    let runs = 0;
    const fail = async (): Promise<Buffer> => {
      runs += 1;
      throw new Error('Cannot read index report: gone');
    };
    const results = await Promise.allSettled(
      [1, 2].map(() => cache.get('m1', 'v', fail)),
    );
    assert.deepEqual(
      results.map((r) => r.status),
      ['rejected', 'rejected'],
    );
    assert.equal(runs, 1);
    assert.equal(cache.size, 0);

    const c = counted('{}');
    await cache.get('m1', 'v', c.compute);
    assert.equal(c.runs, 1, 'the failure was not kept');
  });

  it('forgets a manifest and its bytes', async () => {
    const cache = new ReportCache(1 << 20);
    await cache.get('m1', 'v', counted('{}').compute);
    cache.forget('m1');
    cache.forget('m2');
    assert.equal(cache.size, 0);
    assert.equal(cache.bytes, 0);
  });
});
