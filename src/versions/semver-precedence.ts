import { sign, type Ordering } from './scheme.js';

/**
 * Precedence rules of Semantic Versioning 2.0.0 (semver.org, section 11)
 * shared by the schemes built on it (`semver`, `go`). Callers parse and
 * validate; these functions only order what they are given.
 */

const NUMERIC = /^[0-9]+$/;

/**
 * Orders two decimal numbers written without leading zeros, at any size:
 * the longer is the larger, equal lengths compare digit by digit.
 */
export function compareNumbers(a: string, b: string): Ordering {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return compareText(a, b);
}

/**
 * Orders two pre-release identifier lists (section 11.3 and 11.4): a
 * version without pre-release (an empty list) ranks above any with one;
 * identifiers compare in turn, numeric ones numerically and below
 * alphanumeric ones, alphanumeric ones in ASCII order; when one list is
 * a prefix of the other, the shorter ranks lower.
 */
export function comparePrerelease(
  a: readonly string[],
  b: readonly string[],
): Ordering {
  if (a.length === 0 || b.length === 0) return sign(b.length - a.length);

  for (let i = 0; i < a.length && i < b.length; i++) {
    const order = compareIdentifiers(a[i]!, b[i]!);
    if (order !== 0) return order;
  }
  return sign(a.length - b.length);
}

function compareIdentifiers(a: string, b: string): Ordering {
  const aNumeric = NUMERIC.test(a);
  const bNumeric = NUMERIC.test(b);
  if (aNumeric && bNumeric) return compareNumbers(a, b);
  if (aNumeric !== bNumeric) return aNumeric ? -1 : 1;
  return compareText(a, b);
}

/** Code-unit order, which is ASCII order for identifiers. */
function compareText(a: string, b: string): Ordering {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
