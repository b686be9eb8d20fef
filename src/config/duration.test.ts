import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { isClaroError } from '../errors.js';
import { formatDuration, parseDuration } from './duration.js';

describe('parseDuration', () => {
  const valid: readonly [string, number][] = [
    ['0', 0],
    ['-0', 0],
    ['+0', 0],
    ['0s', 0],
    ['6h', 6 * 3_600_000],
    ['30m', 30 * 60_000],
    ['90s', 90_000],
    ['500ms', 500],
    ['1h30m', 5_400_000],
    ['1h0m0s', 3_600_000],
    ['2h45m30s', 9_930_000],
    ['1m1s1ms', 61_001],
    ['1.5h', 5_400_000],
    ['1.5s', 1_500],
    ['.5s', 500],
    ['5.s', 5_000],
    ['0.1h', 360_000],
    ['1500us', 1.5],
    ['1500\u00b5s', 1.5],
    ['1500\u03bcs', 1.5],
    ['2000000ns', 2],
    ['1ns', 0.000001],
    ['-2m', -120_000],
    ['+2m', 120_000],
    ['1m30m', 31 * 60_000],
    ['2562047h', 2562047 * 3_600_000],
  ];
  for (const [text, ms] of valid) {
    it(`reads ${JSON.stringify(text)} as ${ms} ms`, () => {
      assert.equal(parseDuration(text), ms);
    });
  }

  const invalid: readonly [string, string][] = [
    ['', 'empty'],
    ['-', 'empty'],
    ['+', 'empty'],
    ['6', 'missing unit'],
    ['00', 'missing unit'],
    ['1h30', 'missing unit'],
    ['1.5', 'missing unit'],
    ['h', 'missing number'],
    ['.s', 'missing number'],
    ['1x', 'unknown unit "x"'],
    ['1d', 'unknown unit "d"'],
    ['1H', 'unknown unit "H"'],
    ['1 h', 'unknown unit " h"'],
    ['1h ', 'unknown unit "h "'],
    [' 1h', 'missing number'],
    ['1..5h', 'not a number and unit'],
    ['--1h', 'missing number'],
    ['1e3s', 'unknown unit "e"'],
    ['2562048h', 'too large'],
    ['99999999999999999999s', 'too large'],
  ];
  for (const [text, reason] of invalid) {
    it(`rejects ${JSON.stringify(text)}: ${reason}`, () => {
      assert.throws(
        () => parseDuration(text),
        (err: unknown) =>
          isClaroError(err, 'INVALID_ARGUMENT') &&
          err.message.startsWith(
            `Cannot parse duration "${text}": ${reason} (expected`,
          ),
      );
    });
  }
});

describe('formatDuration', () => {
  const cases: readonly [number, string][] = [
    [0, '0s'],
    [6 * 3_600_000, '6h'],
    [5_400_000, '1h30m'],
    [90_000, '1m30s'],
    [500, '500ms'],
    [61_001, '1m1s1ms'],
    [-120_000, '-2m'],
  ];
  for (const [ms, text] of cases) {
    it(`prints ${ms} ms as ${text}, which reads back`, () => {
      assert.equal(formatDuration(ms), text);
      assert.equal(parseDuration(text), ms);
    });
  }
});
