import {
  invalidVersion,
  sign,
  type Ordering,
  type VersionScheme,
} from '../versions/scheme.js';
import { comparePrerelease } from '../versions/semver-precedence.js';
import { isClaroError } from '../errors.js';

/** A version parsed as Semantic Versioning 2.0.0 defines it. */
export interface SemverVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** Dot-separated pre-release identifiers; empty for a release. */
  readonly prerelease: readonly string[];
  /** Build metadata identifiers; they never affect ordering. */
  readonly build: readonly string[];
}

/** npm refuses version strings longer than this. */
const MAX_LENGTH = 256;

/** A numeric identifier: no leading zeros (semver.org 2.0.0, section 2). */
const NUMBER = '(?:0|[1-9][0-9]*)';
/** Section 9: numeric, or ASCII alphanumerics and hyphens. */
const PRE_ID = `(?:${NUMBER}|[0-9]*[A-Za-z-][0-9A-Za-z-]*)`;
/** Section 10: ASCII alphanumerics and hyphens, leading zeros allowed. */
const BUILD_ID = '[0-9A-Za-z-]+';

/**
 * `X.Y.Z[-pre][+build]` with the optional `v` that npm's strict parser
 * accepts; groups: major, minor, patch, pre-release, build.
 */
const SEMVER = new RegExp(
  `^v?(${NUMBER})\\.(${NUMBER})\\.(${NUMBER})` +
    `(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?` +
    `(?:\\+(${BUILD_ID}(?:\\.${BUILD_ID})*))?$`,
);

/**
 * Parses a version as npm's `semver` package does in its default (strict)
 * mode, which is what npm itself uses to order published versions:
 *
 * - Semantic Versioning 2.0.0 syntax, see {@link SEMVER};
 * - one leading `v` is allowed (`v1.2.3` is `1.2.3`), as are blanks
 *   around the version (JavaScript's `String.prototype.trim`);
 * - npm's limits: at most 256 characters before trimming, and major,
 *   minor and patch at most 2^53 - 1.
 *
 * Decision: npm's loose forms are rejected, as its strict mode rejects
 * them: a leading `=`, more than one `v`, a missing minor or patch
 * (`1.2`), a pre-release without its hyphen (`1.2.3beta`), leading zeros
 * (`01.2.3`, `1.2.3-01`). OSV records and npm's registry store versions
 * already cleaned of these.
 *
 * Known difference: npm compares numeric pre-release identifiers as
 * JavaScript numbers, which lose precision above 2^53; claro compares
 * them exactly, as the specification says.
 *
 * @throws ClaroError INVALID_VERSION naming the reason.
 */
export function parseSemver(version: string): SemverVersion {
  if (version.length > MAX_LENGTH) {
    throw invalidVersion('semver', version, 'longer than 256 characters');
  }

  const m = SEMVER.exec(version.trim());
  if (!m) throw invalidVersion('semver', version, 'not X.Y.Z[-pre][+build]');

  const [major, minor, patch] = [m[1]!, m[2]!, m[3]!].map(Number);
  if ([major, minor, patch].some((n) => !Number.isSafeInteger(n))) {
    throw invalidVersion('semver', version, 'number above 2^53 - 1');
  }
  return {
    major: major!,
    minor: minor!,
    patch: patch!,
    prerelease: m[4] === undefined ? [] : m[4].split('.'),
    build: m[5] === undefined ? [] : m[5].split('.'),
  };
}

/** Like {@link parseSemver}, but returns undefined when invalid. */
export function tryParseSemver(version: string): SemverVersion | undefined {
  try {
    return parseSemver(version);
  } catch (err) {
    if (isClaroError(err, 'INVALID_VERSION')) return undefined;
    throw err;
  }
}

/**
 * Orders two parsed versions by precedence (semver.org 2.0.0, section
 * 11): major, minor and patch numerically, then the pre-release; build
 * metadata is ignored, so `1.0.0+a` and `1.0.0+b` are equal.
 */
export function compareSemver(a: SemverVersion, b: SemverVersion): Ordering {
  const main =
    sign(a.major - b.major) ||
    sign(a.minor - b.minor) ||
    sign(a.patch - b.patch);
  return main || comparePrerelease(a.prerelease, b.prerelease);
}

/** The canonical form: no `v`, no blanks, build metadata kept. */
export function formatSemver(v: SemverVersion): string {
  const pre = v.prerelease.length > 0 ? `-${v.prerelease.join('.')}` : '';
  const build = v.build.length > 0 ? `+${v.build.join('.')}` : '';
  return `${v.major}.${v.minor}.${v.patch}${pre}${build}`;
}

/**
 * The `semver` version scheme: Semantic Versioning 2.0.0 as npm orders it
 * (npm packages, and OSV ranges of type SEMVER).
 */
export const semverScheme: VersionScheme = {
  id: 'semver',
  valid: (version) => tryParseSemver(version) !== undefined,
  compare: (a, b) => compareSemver(parseSemver(a), parseSemver(b)),
};
