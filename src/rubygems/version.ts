import {
  invalidVersion,
  type Ordering,
  type VersionScheme,
} from '../versions/scheme.js';
import { compareNumbers } from '../versions/semver-precedence.js';
import { isClaroError } from '../errors.js';

/**
 * A RubyGems version split as `Gem::Version#segments` splits it: runs of
 * digits (as numbers written without leading zeros) and runs of letters.
 */
export interface GemVersion {
  readonly segments: readonly GemSegment[];
}

/** A number (its digits, no leading zeros) or a run of ASCII letters. */
export type GemSegment =
  | { readonly kind: 'number'; readonly digits: string }
  | { readonly kind: 'letters'; readonly text: string };

/**
 * `Gem::Version::VERSION_PATTERN`: digits, then dot-separated runs of
 * alphanumerics, then optionally a hyphen and dot-separated runs of
 * alphanumerics and hyphens.
 */
const GEM_VERSION =
  /^[0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;
/** Ruby's `\s` and what `String#strip` removes around a version. */
const SURROUNDING_SPACE = /^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g;
const SEGMENT = /[0-9]+|[a-zA-Z]+/g;

/**
 * Parses a version as RubyGems' `Gem::Version.new` does (RubyGems 3.3, the
 * reference in claro's tests): surrounding whitespace is ignored, each
 * `-` reads as `.pre.` (`1.0-1` is `1.0.pre.1`), and the segments are the
 * runs of digits and of letters (`1.0a2` is 1, 0, "a", 2). A version is a
 * prerelease when it holds a letter.
 *
 * Decision: claro rejects the empty (or blank) string, which RubyGems
 * reads as version 0: a missing version must never read as the oldest.
 *
 * @throws ClaroError INVALID_VERSION naming the reason.
 */
export function parseGemVersion(version: string): GemVersion {
  const text = version.replace(SURROUNDING_SPACE, '');
  if (text === '') throw invalidVersion('gem', version, 'version is empty');
  if (!GEM_VERSION.test(text)) {
    throw invalidVersion('gem', version, 'not a RubyGems version');
  }

  const runs = text.replaceAll('-', '.pre.').match(SEGMENT) ?? [];
  return { segments: runs.map(segment) };
}

/** Like {@link parseGemVersion}, but returns undefined when invalid. */
export function tryParseGemVersion(version: string): GemVersion | undefined {
  try {
    return parseGemVersion(version);
  } catch (err) {
    if (isClaroError(err, 'INVALID_VERSION')) return undefined;
    throw err;
  }
}

/** Whether RubyGems calls the version a prerelease: it holds a letter. */
export function isGemPrerelease(v: GemVersion): boolean {
  return v.segments.some((s) => s.kind === 'letters');
}

/**
 * Orders two parsed versions as `Gem::Version#<=>` does. Both are first
 * made canonical: the numeric segments before the first letters, and the
 * segments from there on, each lose their trailing zeros (`1.0.a.0` is 1,
 * "a"). Then segment by segment, a missing one reading as 0: numbers
 * numerically, letters in byte order, and letters below numbers, so
 * `1.0.a` < `1.0` < `1.0.1` and `1.0.b` < `1.0.b1`.
 */
export function compareGemVersions(a: GemVersion, b: GemVersion): Ordering {
  const left = canonical(a.segments);
  const right = canonical(b.segments);
  for (let i = 0; i < left.length || i < right.length; i++) {
    const order = compareSegments(left[i] ?? ZERO, right[i] ?? ZERO);
    if (order !== 0) return order;
  }
  return 0;
}

/**
 * The `gem` version scheme of Ruby packages (RubyGems.org, and OSV's
 * RubyGems records), as `Gem::Version` orders versions.
 */
export const gemScheme: VersionScheme = {
  id: 'gem',
  valid: (version) => tryParseGemVersion(version) !== undefined,
  compare: (a, b) => compareGemVersions(parseGemVersion(a), parseGemVersion(b)),
};

const ZERO: GemSegment = { kind: 'number', digits: '0' };

function segment(run: string): GemSegment {
  if (!/^[0-9]/.test(run)) return { kind: 'letters', text: run };
  return { kind: 'number', digits: run.replace(/^0+(?=.)/, '') };
}

function canonical(segments: readonly GemSegment[]): GemSegment[] {
  const firstLetters = segments.findIndex((s) => s.kind === 'letters');
  const split = firstLetters < 0 ? segments.length : firstLetters;
  return [
    ...withoutTrailingZeros(segments.slice(0, split)),
    ...withoutTrailingZeros(segments.slice(split)),
  ];
}

function withoutTrailingZeros(segments: readonly GemSegment[]): GemSegment[] {
  let end = segments.length;
  while (end > 0 && isZero(segments[end - 1]!)) end--;
  return segments.slice(0, end);
}

function isZero(s: GemSegment): boolean {
  return s.kind === 'number' && s.digits === '0';
}

function compareSegments(a: GemSegment, b: GemSegment): Ordering {
  if (a.kind === 'number' && b.kind === 'number') {
    return compareNumbers(a.digits, b.digits);
  }
  if (a.kind === 'letters' && b.kind === 'letters') {
    if (a.text === b.text) return 0;
    return a.text < b.text ? -1 : 1;
  }
  return a.kind === 'letters' ? -1 : 1;
}
