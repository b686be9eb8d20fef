import {
  invalidVersion,
  type Ordering,
  type VersionScheme,
} from '../versions/scheme.js';
import { isClaroError } from '../errors.js';

/**
 * An RPM version split as rpm splits `[epoch:]version[-release]` strings
 * (rpm 4.16 and later, `rpmio/rpmver.c`, `rpmverParse`).
 */
export interface RpmVersion {
  /**
   * The epoch's digits without leading zeros; `0` when the string has no
   * epoch or an empty one (`:1.0`), as rpm reads both.
   */
  readonly epoch: string;
  /** Text between the epoch's colon and the last hyphen; never empty. */
  readonly version: string;
  /**
   * Text after the last hyphen, possibly empty; absent when the string has
   * no hyphen after its epoch.
   */
  readonly release?: string;
}

const LEADING_DIGITS = /^\d*/;

/**
 * Parses an RPM version string the way `rpm.vercmp` in rpm's Lua does:
 * the epoch is a run of decimal digits at the start that ends in a colon
 * (anything else before a colon makes the colon part of the version);
 * the release is the text after the last hyphen that follows the epoch.
 *
 * Differences from rpm, both deliberate: the empty string is rejected (rpm
 * rejects it too) and so is an empty version part (`1:`, `-1`, `2:-1`),
 * which rpm compares as an empty string, older than any other; a version
 * missing from a feed or a database must never read as the oldest one.
 *
 * @throws ClaroError INVALID_VERSION.
 */
export function parseRpmVersion(text: string): RpmVersion {
  if (text === '') throw invalidVersion('rpm', text, 'version is empty');

  const digits = LEADING_DIGITS.exec(text)?.[0] ?? '';
  const hasEpoch = text[digits.length] === ':';
  const rest = hasEpoch ? text.slice(digits.length + 1) : text;
  const epoch = hasEpoch ? stripZeros(digits) : '0';

  const hyphen = rest.lastIndexOf('-');
  const version = hyphen < 0 ? rest : rest.slice(0, hyphen);
  if (version === '') {
    throw invalidVersion('rpm', text, 'version part is empty');
  }
  if (hyphen < 0) return { epoch, version };
  return { epoch, version, release: rest.slice(hyphen + 1) };
}

/** Like {@link parseRpmVersion}, but returns undefined when invalid. */
export function tryParseRpmVersion(text: string): RpmVersion | undefined {
  try {
    return parseRpmVersion(text);
  } catch (err) {
    if (isClaroError(err, 'INVALID_VERSION')) return undefined;
    throw err;
  }
}

/**
 * Orders two parsed versions as rpm's `rpmverCmp` does: epochs, then
 * versions, then releases, each with {@link rpmvercmp}. A missing release
 * sorts before any release, even an empty one, so `1.0` < `1.0-1`.
 *
 * This is a total order, unlike rpm's dependency matching
 * (`rpmverOverlap`), where a side without a release matches every release
 * of the other: callers that mean "any release" must say so themselves.
 */
export function compareRpmVersions(a: RpmVersion, b: RpmVersion): Ordering {
  const epoch = rpmvercmp(a.epoch, b.epoch);
  if (epoch !== 0) return epoch;

  const version = rpmvercmp(a.version, b.version);
  if (version !== 0) return version;

  if (a.release === undefined || b.release === undefined) {
    if (a.release === b.release) return 0;
    return a.release === undefined ? -1 : 1;
  }
  return rpmvercmp(a.release, b.release);
}

/**
 * The `rpm` version scheme of the RPM distributions (RHEL and its
 * rebuilds, Fedora, SUSE, Amazon Linux, Photon, Azure Linux...), as
 * `rpm.vercmp` orders full `[epoch:]version[-release]` strings.
 */
export const rpmScheme: VersionScheme = {
  id: 'rpm',
  valid: (version) => tryParseRpmVersion(version) !== undefined,
  compare: (a, b) => compareRpmVersions(parseRpmVersion(a), parseRpmVersion(b)),
};

/**
 * rpm's segment comparison of one part (epoch, version or release), as
 * `rpmvercmp` in rpm's `rpmio/rpmvercmp.c` defines it (its cases are in
 * rpm's `tests/rpmvercmp.at`). Equal strings are equal; otherwise both
 * strings are walked together:
 *
 * 1. characters other than ASCII letters, ASCII digits, `~` and `^` are
 *    separators and skipped on both sides (so `1.0` = `1_0`, and any
 *    non-ASCII character is a separator);
 * 2. `~` sorts before everything, the end included: if either side has
 *    one, the side without it is newer, else both are consumed;
 * 3. `^` sorts after the end but before everything else: if either side
 *    has one, an ended side is older, a side with something else is
 *    newer, else both are consumed;
 * 4. once either side has ended, the loop stops;
 * 5. a segment is a run of digits, or of ASCII letters, taking its kind
 *    from the left side; a numeric segment beats a missing one (the right
 *    side holds letters), an alphabetic one loses to a missing one;
 *    numbers compare by value (leading zeros dropped, then length, then
 *    digits), letters by byte order (`A` < `Z` < `a`).
 *
 * When everything compared equal, the side with characters left is newer,
 * and two ended sides are equal even if their separators differed.
 */
export function rpmvercmp(a: string, b: string): Ordering {
  if (a === b) return 0;

  let i = 0;
  let j = 0;
  for (;;) {
    i = skipSeparators(a, i);
    j = skipSeparators(b, j);

    const special = compareSpecial(a.charCodeAt(i), b.charCodeAt(j));
    if (special !== undefined) {
      if (special !== 0) return special;
      i++;
      j++;
      continue;
    }
    if (i >= a.length || j >= b.length) break;

    const step = compareSegment(a, i, b, j);
    if (step.result !== 0) return step.result;
    i = step.i;
    j = step.j;
  }

  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

/**
 * Steps 2 and 3 of {@link rpmvercmp} on the current characters (NaN at
 * the end): undefined when neither is `~` or `^`, 0 when both are the same
 * mark and are consumed, else the ordering they decide.
 */
function compareSpecial(ca: number, cb: number): Ordering | undefined {
  if (ca === TILDE || cb === TILDE) {
    if (ca !== TILDE) return 1;
    return cb !== TILDE ? -1 : 0;
  }
  if (ca === CARET || cb === CARET) {
    if (Number.isNaN(ca)) return -1;
    if (Number.isNaN(cb)) return 1;
    if (ca !== CARET) return 1;
    return cb !== CARET ? -1 : 0;
  }
  return undefined;
}

interface Step {
  readonly result: Ordering;
  readonly i: number;
  readonly j: number;
}

/** Step 5 of {@link rpmvercmp}: both sides start with a letter or digit. */
function compareSegment(a: string, i: number, b: string, j: number): Step {
  const numeric = isDigit(a.charCodeAt(i));
  const inKind = numeric ? isDigit : isLetter;
  const endA = runEnd(a, i, inKind);
  const endB = runEnd(b, j, inKind);
  if (endB === j) return { result: numeric ? 1 : -1, i: endA, j: endB };

  const segA = a.slice(i, endA);
  const segB = b.slice(j, endB);
  const result = numeric ? compareNumbers(segA, segB) : compareText(segA, segB);
  return { result, i: endA, j: endB };
}

function compareNumbers(a: string, b: string): Ordering {
  const x = stripZeros(a);
  const y = stripZeros(b);
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return compareText(x, y);
}

function compareText(a: string, b: string): Ordering {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/** Digits without leading zeros; `0` for none or only zeros. */
function stripZeros(digits: string): string {
  const stripped = digits.replace(/^0+/, '');
  return stripped === '' ? '0' : stripped;
}

function runEnd(
  s: string,
  from: number,
  inKind: (c: number) => boolean,
): number {
  let end = from;
  while (end < s.length && inKind(s.charCodeAt(end))) end++;
  return end;
}

function skipSeparators(s: string, from: number): number {
  let k = from;
  while (k < s.length && isSeparator(s.charCodeAt(k))) k++;
  return k;
}

function isSeparator(c: number): boolean {
  return !isDigit(c) && !isLetter(c) && c !== TILDE && c !== CARET;
}

const TILDE = 0x7e;
const CARET = 0x5e;

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** ASCII letters only: rpm's `risalpha` ignores the locale. */
function isLetter(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}
