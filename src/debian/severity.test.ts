import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { normalizeUrgency } from './severity.js';

describe('normalizeUrgency', () => {
  const cases: readonly [string, string][] = [
    ['unimportant', 'Negligible'],
    ['low', 'Low'],
    ['low**', 'Low'],
    ['medium', 'Medium'],
    ['medium*', 'Medium'],
    ['high', 'High'],
    ['high**', 'High'],
    ['not yet assigned', 'Unknown'],
    ['end-of-life', 'Unknown'],
    ['', 'Unknown'],
    ['critical', 'Unknown'],
  ];
  for (const [urgency, severity] of cases) {
    it(`maps "${urgency}" to ${severity}`, () => {
      assert.equal(normalizeUrgency(urgency), severity);
    });
  }
});
