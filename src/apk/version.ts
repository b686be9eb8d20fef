import {
  invalidVersion,
  sign,
  type Ordering,
  type VersionScheme,
} from '../versions/scheme.js';
import { isClaroError } from '../errors.js';

/**
 * Token kinds of an apk version, in apk-tools' order: when two versions
 * agree up to the point where one has a token of a kind the other lacks,
 * the one whose next token kind ranks higher is the older (the end ranks
 * highest, so `1.2` < `1.2.1` and `1.2` < `1.2a`), except that a
 * pre-release suffix always makes its version the older.
 */
export const enum ApkToken {
  /** A number after a dot; leading zeros weigh less (see below). */
  DotNumber = 0,
  /** The first number, or the number after a letter or leading zeros. */
  Number = 1,
  /** A single lower-case letter after a number: `1.2a`. */
  Letter = 2,
  /** `_alpha _beta _pre _rc` (before release), `_cvs _svn _git _hg _p`. */
  Suffix = 3,
  /** The number after a suffix: `_rc2`. */
  SuffixNumber = 4,
  /** `~` and a lower-case hex commit id, from apk-tools 3: `1.0~a1b2`. */
  CommitHash = 5,
  /** `-rN`, the package revision. */
  Revision = 6,
  End = 7,
}

/** One token of a parsed apk version. */
export interface ApkVersionToken {
  readonly kind: ApkToken;
  /**
   * Numbers: a run of leading zeros after a dot weighs minus (zeros - 1)
   * and is its own token, otherwise 0. Letters: the character code.
   * Suffixes: -4..-1 for alpha..rc, 0..4 for cvs..p.
   */
  readonly weight: number;
  /** Numbers: the digits without leading zeros. Commit hashes: the id. */
  readonly text: string;
}

/** Suffix names in apk-tools' order and their weights. */
const SUFFIXES: readonly (readonly [string, number])[] = [
  ['alpha', -4],
  ['beta', -3],
  ['pre', -2],
  ['rc', -1],
  ['cvs', 0],
  ['svn', 1],
  ['git', 2],
  ['hg', 3],
  ['p', 4],
];

const END_TOKEN: ApkVersionToken = { kind: ApkToken.End, weight: 0, text: '' };

/**
 * Parses an Alpine package version into tokens, following apk-tools 2.x
 * (`src/version.c`: `digit{.digit}...{letter}{_suf{#}}...{-r#}`), which
 * `apk version -t` and `apk version -c` use on Alpine releases that ship
 * apk-tools 2 (the oracle in claro's tests is apk-tools 2.14.4).
 *
 * Accepted as apk-tools 2.x accepts them (claro does not tighten these):
 * a letter may be followed by more numbers (`1.2a3`), suffixes and
 * revisions may repeat (`1_p_p`, `1-r1-r2`), and a number may be empty
 * (`1.`, `1_p`, `1-r` read as 0), even the first one, so a version may
 * start with one letter (`v1.0`, read as `0v1.0`).
 *
 * Differences, all deliberate:
 * - the empty string is rejected (apk-tools 2.x reads it as a version);
 * - `~hash` is accepted after the numbers, letter and suffixes and before
 *   `-rN`, as apk-tools 3 does; apk-tools 2.x rejects it;
 * - numbers compare exactly at any size, where apk-tools 2.x overflows a
 *   C `int` beyond 2147483647.
 *
 * @throws ClaroError INVALID_VERSION.
 */
export function parseApkVersion(version: string): ApkVersionToken[] {
  if (version === '') throw invalidVersion('apk', version, 'version is empty');

  const tokens: ApkVersionToken[] = [];
  const cursor = { pos: 0 };
  let kind: ApkToken = ApkToken.Number;
  while (kind !== ApkToken.End) {
    if (cursor.pos >= version.length) {
      tokens.push(emptyToken(version, kind));
      break;
    }

    if (
      kind === ApkToken.DotNumber &&
      version.charCodeAt(cursor.pos) === ZERO
    ) {
      tokens.push(readZeroRun(version, cursor));
      kind = ApkToken.Number;
      continue;
    }

    const token = readToken(version, cursor, kind);
    tokens.push(token);
    kind = nextKind(version, cursor, kind);
  }
  tokens.push(END_TOKEN);
  return tokens;
}

/** Like {@link parseApkVersion}, but returns undefined when invalid. */
export function tryParseApkVersion(
  version: string,
): ApkVersionToken[] | undefined {
  try {
    return parseApkVersion(version);
  } catch (err) {
    if (isClaroError(err, 'INVALID_VERSION')) return undefined;
    throw err;
  }
}

/**
 * Orders two parsed versions: tokens pairwise while their kinds agree,
 * then by the kind of the first differing token (see {@link ApkToken}).
 */
export function compareApkVersions(
  a: readonly ApkVersionToken[],
  b: readonly ApkVersionToken[],
): Ordering {
  for (let i = 0; ; i++) {
    const ta = a[i] ?? END_TOKEN;
    const tb = b[i] ?? END_TOKEN;
    if (ta.kind !== tb.kind) return compareKinds(ta, tb);
    if (ta.kind === ApkToken.End) return 0;

    const order = compareTokens(ta, tb);
    if (order !== 0) return order;
  }
}

/** The `apk` version scheme of Alpine Linux and Wolfi (apk-tools). */
export const apkScheme: VersionScheme = {
  id: 'apk',
  valid: (version) => tryParseApkVersion(version) !== undefined,
  compare: (a, b) => compareApkVersions(parseApkVersion(a), parseApkVersion(b)),
};

interface Cursor {
  pos: number;
}

/** A token whose text ended before it began: apk-tools reads it as 0. */
function emptyToken(version: string, kind: ApkToken): ApkVersionToken {
  if (kind === ApkToken.CommitHash) {
    throw invalidVersion('apk', version, 'commit hash is empty');
  }
  return { kind, weight: 0, text: '' };
}

function readToken(
  version: string,
  cursor: Cursor,
  kind: ApkToken,
): ApkVersionToken {
  switch (kind) {
    case ApkToken.Letter:
      return { kind, weight: version.charCodeAt(cursor.pos++), text: '' };
    case ApkToken.Suffix:
      return readSuffix(version, cursor);
    case ApkToken.CommitHash:
      return readHash(version, cursor);
    default:
      return { kind, weight: 0, text: readDigits(version, cursor) };
  }
}

/**
 * After a dot, a run of n zeros is a token weighing -(n - 1), and its last
 * zero starts the next number: `1.0` > `1.00` > `1.000` and `1.05` <
 * `1.5`, as apk-tools 2.x orders them.
 */
function readZeroRun(version: string, cursor: Cursor): ApkVersionToken {
  let extra = 0;
  while (version.charCodeAt(cursor.pos + extra + 1) === ZERO) extra++;
  cursor.pos += extra;
  return { kind: ApkToken.DotNumber, weight: -extra, text: '' };
}

function readDigits(version: string, cursor: Cursor): string {
  const start = cursor.pos;
  while (isDigit(version.charCodeAt(cursor.pos))) cursor.pos++;

  let first = start;
  while (first < cursor.pos && version.charCodeAt(first) === ZERO) first++;
  return version.slice(first, cursor.pos);
}

/** apk-tools takes the first name that prefixes the rest of the text. */
function readSuffix(version: string, cursor: Cursor): ApkVersionToken {
  for (const [name, weight] of SUFFIXES) {
    if (version.startsWith(name, cursor.pos)) {
      cursor.pos += name.length;
      return { kind: ApkToken.Suffix, weight, text: '' };
    }
  }
  throw invalidVersion('apk', version, 'unknown suffix');
}

function readHash(version: string, cursor: Cursor): ApkVersionToken {
  const start = cursor.pos;
  while (isHexDigit(version.charCodeAt(cursor.pos))) cursor.pos++;
  if (cursor.pos === start) {
    throw invalidVersion('apk', version, 'commit hash is empty');
  }
  const text = version.slice(start, cursor.pos);
  return { kind: ApkToken.CommitHash, weight: 0, text };
}

/**
 * Kind of the token after one of kind `prev`, consuming its separator. A
 * number may be followed by a letter, a letter by a number, a suffix by
 * its number; `.`, `_`, `~` and `-r` start the other kinds. Kinds only
 * move forward, except dot-numbers after numbers, suffixes after suffix
 * numbers and numbers after letters.
 */
function nextKind(version: string, cursor: Cursor, prev: ApkToken): ApkToken {
  if (cursor.pos >= version.length) return ApkToken.End;

  const at = version[cursor.pos];
  const next = separatorKind(version, cursor, prev);
  if (next === undefined || !allowedAfter(next, prev)) {
    throw invalidVersion('apk', version, `unexpected "${at}"`);
  }
  return next;
}

function separatorKind(
  version: string,
  cursor: Cursor,
  kind: ApkToken,
): ApkToken | undefined {
  const c = version.charCodeAt(cursor.pos);
  const afterNumber = kind === ApkToken.Number || kind === ApkToken.DotNumber;
  if (afterNumber && c >= 0x61 && c <= 0x7a) return ApkToken.Letter;
  if (kind === ApkToken.Letter && isDigit(c)) return ApkToken.Number;
  if (kind === ApkToken.Suffix && isDigit(c)) return ApkToken.SuffixNumber;

  cursor.pos++;
  switch (c) {
    case 0x2e /* . */:
      return ApkToken.DotNumber;
    case 0x5f /* _ */:
      return ApkToken.Suffix;
    case 0x7e /* ~ */:
      return ApkToken.CommitHash;
    case 0x2d /* - */:
      if (version.charCodeAt(cursor.pos) !== 0x72 /* r */) return undefined;
      cursor.pos++;
      return ApkToken.Revision;
    default:
      return undefined;
  }
}

function allowedAfter(next: ApkToken, prev: ApkToken): boolean {
  if (next === ApkToken.CommitHash) return prev < ApkToken.CommitHash;
  if (next >= prev) return true;

  return (
    (next === ApkToken.DotNumber && prev === ApkToken.Number) ||
    (next === ApkToken.Suffix && prev === ApkToken.SuffixNumber) ||
    (next === ApkToken.Number && prev === ApkToken.Letter)
  );
}

function compareTokens(a: ApkVersionToken, b: ApkVersionToken): Ordering {
  if (a.weight !== b.weight) return sign(a.weight - b.weight);
  if (a.kind === ApkToken.CommitHash) return compareText(a.text, b.text);

  if (a.text.length !== b.text.length) {
    return a.text.length < b.text.length ? -1 : 1;
  }
  return compareText(a.text, b.text);
}

function compareKinds(a: ApkVersionToken, b: ApkVersionToken): Ordering {
  if (a.kind === ApkToken.Suffix && a.weight < 0) return -1;
  if (b.kind === ApkToken.Suffix && b.weight < 0) return 1;
  return a.kind > b.kind ? -1 : 1;
}

function compareText(a: string, b: string): Ordering {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

const ZERO = 0x30;

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 0x61 && c <= 0x66);
}
