import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { CLAIR_ZERO_TIME, clairTime } from './clair.js';

describe('clairTime', () => {
  const cases: readonly [string, string][] = [
    ['', CLAIR_ZERO_TIME],
    ['not a date', CLAIR_ZERO_TIME],
    ['2008-02-22', '2008-02-22T00:00:00Z'],
    ['2024-05-01T10:20:30Z', '2024-05-01T10:20:30Z'],
    ['2024-05-01T10:20:30.250Z', '2024-05-01T10:20:30.250Z'],
    ['2024-05-01T12:20:30+02:00', '2024-05-01T10:20:30Z'],
  ];
  for (const [given, want] of cases) {
    it(`writes ${JSON.stringify(given)} as RFC 3339 ${want}`, () => {
      assert.equal(clairTime(given), want);
    });
  }
});
