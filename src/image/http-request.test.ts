import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffMs, retryAfterMs } from './http-request.js';

describe('retryAfterMs', () => {
  const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
  const table: [string | null, number | undefined][] = [
    [null, undefined],
    ['120', 120_000],
    [' 0 ', 0],
    ['Wed, 21 Oct 2015 07:28:30 GMT', 30_000],
    ['Wed, 21 Oct 2015 07:27:00 GMT', 0],
    ['soon', undefined],
    ['-5', undefined],
  ];
  for (const [value, want] of table) {
    it(`reads ${JSON.stringify(value)} as ${want} ms`, () =>
      assert.equal(retryAfterMs(value, now), want));
  }
});

describe('backoffMs', () => {
  const policy = { attempts: 9, baseDelayMs: 100, maxDelayMs: 1_000 };
  it('doubles after each try, between half and all of it', () => {
    for (const [attempt, full] of [
      [1, 100],
      [2, 200],
      [3, 400],
      [5, 1_000],
      [8, 1_000],
    ] as const) {
      const ms = backoffMs(policy, attempt);
      assert.ok(ms >= full / 2 && ms <= full, `${attempt}: ${ms}`);
    }
  });
});
