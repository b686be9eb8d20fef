import {
  invalidVersion,
  sign,
  type Ordering,
  type VersionScheme,
} from '../versions/scheme.js';
import { isClaroError } from '../errors.js';

/**
 * A Debian package version split as deb-version(5) describes it:
 * `[epoch:]upstream_version[-debian_revision]`.
 */
export interface DpkgVersion {
  /** The epoch; 0 when the version has none. */
  readonly epoch: number;
  /** Everything between the epoch's colon and the last hyphen. */
  readonly upstream: string;
  /** Text after the last hyphen; empty when there is no hyphen. */
  readonly revision: string;
}

/** dpkg stores the epoch in a C `int`; larger epochs are refused. */
const MAX_EPOCH = 2147483647;

/** Non-ASCII characters are compared as their UTF-8 bytes, as dpkg does. */
const NON_ASCII = /[^\x00-\x7f]/;

/**
 * Parses a Debian version string, accepting exactly what
 * `dpkg --compare-versions` accepts (dpkg 1.21, `parseversion`):
 *
 * - leading and trailing blanks (space, tab) are ignored; a blank inside
 *   the version is an error, and so is a version made only of blanks;
 * - the epoch is the text before the first colon and must be a decimal
 *   number (an optional `+` sign is allowed, as C's `strtol` reads it)
 *   from 0 to 2147483647, with something after the colon;
 * - the revision is the text after the last hyphen and must not be empty;
 * - the upstream version must not be empty.
 *
 * dpkg only warns, and still compares, when the upstream version does not
 * start with a digit or either part holds a character outside deb-version's
 * alphabet; claro accepts those too. Known difference: dpkg's command line
 * treats an empty argument as "no version" and sorts it first; claro
 * rejects the empty string, since a missing version must never read as the
 * oldest one.
 *
 * @throws ClaroError INVALID_VERSION naming dpkg's reason.
 */
export function parseDpkgVersion(version: string): DpkgVersion {
  const text = trimBlanks(version);
  if (text === '') throw invalidVersion('dpkg', version, 'version is empty');
  if (hasBlank(text)) {
    throw invalidVersion('dpkg', version, 'version has embedded spaces');
  }

  const colon = text.indexOf(':');
  const epoch = colon < 0 ? 0 : parseEpoch(version, text.slice(0, colon));
  const rest = colon < 0 ? text : text.slice(colon + 1);
  if (colon >= 0 && rest === '') {
    throw invalidVersion('dpkg', version, 'nothing after the epoch colon');
  }

  const hyphen = rest.lastIndexOf('-');
  const upstream = hyphen < 0 ? rest : rest.slice(0, hyphen);
  const revision = hyphen < 0 ? '' : rest.slice(hyphen + 1);
  if (hyphen >= 0 && revision === '') {
    throw invalidVersion('dpkg', version, 'revision is empty');
  }
  if (upstream === '') {
    throw invalidVersion('dpkg', version, 'upstream version is empty');
  }
  return { epoch, upstream, revision };
}

/** Like {@link parseDpkgVersion}, but returns undefined when invalid. */
export function tryParseDpkgVersion(version: string): DpkgVersion | undefined {
  try {
    return parseDpkgVersion(version);
  } catch (err) {
    if (isClaroError(err, 'INVALID_VERSION')) return undefined;
    throw err;
  }
}

/**
 * Orders two parsed versions: epochs numerically, then the upstream
 * versions, then the revisions, each with deb-version(5)'s algorithm.
 */
export function compareDpkgVersions(a: DpkgVersion, b: DpkgVersion): Ordering {
  if (a.epoch !== b.epoch) return a.epoch < b.epoch ? -1 : 1;

  const upstream = compareFragments(a.upstream, b.upstream);
  if (upstream !== 0) return upstream;
  return compareFragments(a.revision, b.revision);
}

/**
 * The `dpkg` version scheme of Debian and its derivatives, as specified by
 * deb-version(5) and implemented by `dpkg --compare-versions`.
 */
export const dpkgScheme: VersionScheme = {
  id: 'dpkg',
  valid: (version) => tryParseDpkgVersion(version) !== undefined,
  compare: (a, b) =>
    compareDpkgVersions(parseDpkgVersion(a), parseDpkgVersion(b)),
};

function parseEpoch(version: string, text: string): number {
  if (!isEpochText(text)) {
    const reason = text === '' ? 'epoch is empty' : 'epoch is not a number';
    throw invalidVersion('dpkg', version, reason);
  }

  const epoch = Number(text);
  if (epoch > MAX_EPOCH) {
    throw invalidVersion('dpkg', version, 'epoch is too big');
  }
  return epoch;
}

/** `strtol` syntax without blanks and with no negative value but -0. */
function isEpochText(text: string): boolean {
  const start = text.startsWith('+') || text.startsWith('-') ? 1 : 0;
  if (start === text.length) return false;
  for (let i = start; i < text.length; i++) {
    if (!isDigit(text.charCodeAt(i))) return false;
  }
  return !text.startsWith('-') || Number(text.slice(1)) === 0;
}

/**
 * deb-version(5) comparison of one part (upstream version or revision):
 * alternately a run of non-digits compared character by character with
 * {@link order}, then a run of digits compared numerically, until both
 * strings are used up. An absent part equals "0" for the numeric runs.
 */
function compareFragments(a: string, b: string): Ordering {
  if (NON_ASCII.test(a) || NON_ASCII.test(b)) {
    return compareFragmentCodes(utf8Bytes(a), utf8Bytes(b));
  }
  return compareFragmentCodes(a, b);
}

function compareFragmentCodes(a: string, b: string): Ordering {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const lexical = compareNonDigits(a, i, b, j);
    if (lexical.result !== 0) return lexical.result;
    i = lexical.i;
    j = lexical.j;

    const numeric = compareDigits(a, i, b, j);
    if (numeric.result !== 0) return numeric.result;
    i = numeric.i;
    j = numeric.j;
  }
  return 0;
}

interface Step {
  readonly result: Ordering;
  readonly i: number;
  readonly j: number;
}

function compareNonDigits(a: string, i: number, b: string, j: number): Step {
  while (
    (i < a.length && !isDigit(a.charCodeAt(i))) ||
    (j < b.length && !isDigit(b.charCodeAt(j)))
  ) {
    const diff = order(a, i) - order(b, j);
    if (diff !== 0) return { result: sign(diff), i, j };
    i++;
    j++;
  }
  return { result: 0, i, j };
}

function compareDigits(a: string, i: number, b: string, j: number): Step {
  while (a.charCodeAt(i) === ZERO) i++;
  while (b.charCodeAt(j) === ZERO) j++;

  let firstDiff = 0;
  while (isDigit(a.charCodeAt(i)) && isDigit(b.charCodeAt(j))) {
    if (firstDiff === 0) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
    i++;
    j++;
  }
  if (isDigit(a.charCodeAt(i))) return { result: 1, i, j };
  if (isDigit(b.charCodeAt(j))) return { result: -1, i, j };
  return { result: sign(firstDiff), i, j };
}

const ZERO = 0x30;
const TILDE = 0x7e;

/**
 * Sort weight of the character at `index` (deb-version(5)): `~` before
 * the end of the string, the end before letters, letters (ASCII order)
 * before everything else. Bytes of 0x80 and above weigh their value, as
 * dpkg's signed `char` plus 256 does; other characters their code + 256.
 * Digits weigh as the end: a non-digit run stops at them.
 */
function order(text: string, index: number): number {
  if (index >= text.length) return 0;

  const c = text.charCodeAt(index);
  if (isDigit(c)) return 0;
  if (isLetter(c)) return c;
  if (c === TILDE) return -1;
  return c >= 0x80 ? c : c + 256;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isLetter(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

function hasBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    if (isBlank(text.charCodeAt(i))) return true;
  }
  return false;
}

function trimBlanks(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isBlank(text.charCodeAt(start))) start++;
  while (end > start && isBlank(text.charCodeAt(end - 1))) end--;
  return text.slice(start, end);
}

/** One character per UTF-8 byte, so char codes are byte values. */
function utf8Bytes(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}
