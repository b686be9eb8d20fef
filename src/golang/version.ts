import {
  invalidVersion,
  type Ordering,
  type VersionScheme,
} from '../versions/scheme.js';
import {
  compareNumbers,
  comparePrerelease,
} from '../versions/semver-precedence.js';
import { isClaroError } from '../errors.js';

/** A Go module or toolchain version, read as a semantic version. */
export interface GoVersion {
  /** Decimal numbers without leading zeros, at any size. */
  readonly major: string;
  readonly minor: string;
  readonly patch: string;
  /** Pre-release identifiers; a pseudo-version's are here too. */
  readonly prerelease: readonly string[];
  /** Build metadata such as `incompatible`; it never affects ordering. */
  readonly build: readonly string[];
}

/** A numeric identifier: `0` or no leading zero. */
const NUMBER = '(?:0|[1-9][0-9]*)';
/** A pre-release identifier: numeric, or alphanumerics and hyphens. */
const PRE_ID = `(?:${NUMBER}|[0-9]*[A-Za-z-][0-9A-Za-z-]*)`;
/** A build identifier: alphanumerics and hyphens, leading zeros allowed. */
const BUILD_ID = '[0-9A-Za-z-]+';

/**
 * golang.org/x/mod/semver syntax: `vMAJOR[.MINOR[.PATCH[-pre][+build]]]`;
 * the shorthands `v1` and `v1.2` (read as `v1.0.0`, `v1.2.0`) take no
 * pre-release or build. Groups: major, minor, patch, pre-release, build.
 */
const MODULE_VERSION = new RegExp(
  `^v(${NUMBER})(?:\\.(${NUMBER})(?:\\.(${NUMBER})` +
    `(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?` +
    `(?:\\+(${BUILD_ID}(?:\\.${BUILD_ID})*))?)?)?$`,
);

/**
 * Go release tags as golang.org/x/vuln reads them: `go1.21`, `go1.21.3`,
 * `go1.21rc2`, `go1.9beta1`, `go1.9.2-pre1`. Groups: major.minor, .patch,
 * pre-release kind, pre-release number.
 */
const TOOLCHAIN_TAG =
  /^go([0-9]+\.[0-9]+)(\.[0-9]+)?(?:(beta|rc|-pre)([0-9]+))?$/;

/**
 * Parses a Go version. Three forms are accepted, each mapped to a
 * semantic version and compared by golang.org/x/mod/semver's rules:
 *
 * - module versions as `go.mod` and build information write them, with
 *   `v`: `v1.2.3`, `v2.0.0+incompatible`, pseudo-versions such as
 *   `v0.0.0-20191109021931-daa7c04131f5` (an ordinary pre-release, so it
 *   sorts below the release it precedes), and the shorthands `v1`,
 *   `v1.2` that x/mod accepts;
 * - the same without `v`, as OSV's Go records write them (`1.2.3`,
 *   `0.0.0-20191109021931-daa7c04131f5`, `1.21.0-rc.2`);
 * - Go toolchain versions, for the `stdlib` package, mapped as
 *   golang.org/x/vuln maps them: `go1.21.0` and `go1.21` are `v1.21.0`,
 *   `go1.21rc2` and `1.21rc2` are `v1.21.0-rc.2`, `go1.9beta1` is
 *   `v1.9.0-beta.1`, `go1` is `v1.0.0`, and anything after a blank is
 *   ignored (`go1.22.3 X:boringcrypto`).
 *
 * OSV's `introduced: "0"` means "from the first version", pseudo-versions
 * of v0.0.0 included, which sort below `v0.0.0`: a matcher handles it
 * before comparing (here `0` reads as `v0.0.0`).
 *
 * Known difference: Go's own go/version orders the language version
 * `go1.21` below `go1.21rc1`; like x/vuln, claro reads it as `v1.21.0`.
 * `go1.0` is rejected, as x/vuln rejects it.
 *
 * @throws ClaroError INVALID_VERSION naming the reason.
 */
export function parseGoVersion(version: string): GoVersion {
  const semver = toSemver(version);
  const m = semver === undefined ? null : MODULE_VERSION.exec(semver);
  if (!m) throw invalidVersion('go', version, 'not a Go module version');

  return {
    major: m[1]!,
    minor: m[2] ?? '0',
    patch: m[3] ?? '0',
    prerelease: m[4] === undefined ? [] : m[4].split('.'),
    build: m[5] === undefined ? [] : m[5].split('.'),
  };
}

/** Like {@link parseGoVersion}, but returns undefined when invalid. */
export function tryParseGoVersion(version: string): GoVersion | undefined {
  try {
    return parseGoVersion(version);
  } catch (err) {
    if (isClaroError(err, 'INVALID_VERSION')) return undefined;
    throw err;
  }
}

/**
 * Orders two parsed versions as golang.org/x/mod/semver's `Compare`:
 * semantic version precedence, build metadata ignored, so
 * `v2.0.0+incompatible` equals `v2.0.0`.
 */
export function compareGoVersions(a: GoVersion, b: GoVersion): Ordering {
  return (
    compareNumbers(a.major, b.major) ||
    compareNumbers(a.minor, b.minor) ||
    compareNumbers(a.patch, b.patch) ||
    comparePrerelease(a.prerelease, b.prerelease)
  );
}

/** The canonical module version: `v1.2.3[-pre][+build]`. */
export function formatGoVersion(v: GoVersion): string {
  const pre = v.prerelease.length > 0 ? `-${v.prerelease.join('.')}` : '';
  const build = v.build.length > 0 ? `+${v.build.join('.')}` : '';
  return `v${v.major}.${v.minor}.${v.patch}${pre}${build}`;
}

/**
 * A pseudo-version (Go modules reference, "Pseudo-versions"): a 14-digit
 * UTC timestamp and a commit prefix in the pre-release, after `0.0-`
 * (`v0.0.0-20191109021931-daa7c04131f5`) or after a `0.` identifier
 * (`v1.2.4-0.20191109021931-daa7c04131f5`, `v1.2.4-pre.0.2019…`).
 */
const PSEUDO_VERSION = new RegExp(
  '^v[0-9]+\\.(?:0\\.0-|[0-9]+\\.[0-9]+-(?:[^+]*\\.)?0\\.)' +
    '[0-9]{14}-[A-Za-z0-9]+(?:\\+.*)?$',
);

/** Whether the version is a pseudo-version, naming a commit. */
export function isPseudoVersion(v: GoVersion): boolean {
  return PSEUDO_VERSION.test(formatGoVersion(v));
}

/**
 * The `go` version scheme of Go modules and the Go toolchain (`stdlib`),
 * as golang.org/x/mod/semver orders them.
 */
export const goScheme: VersionScheme = {
  id: 'go',
  valid: (version) => tryParseGoVersion(version) !== undefined,
  compare: (a, b) => compareGoVersions(parseGoVersion(a), parseGoVersion(b)),
};

/** Maps the three accepted forms to an x/mod semantic version. */
function toSemver(version: string): string | undefined {
  if (version.startsWith('v')) return version;
  if (version.startsWith('go')) return toolchainToSemver(version);

  const plain = `v${version}`;
  return MODULE_VERSION.test(plain) ? plain : toolchainToSemver(`go${version}`);
}

/** golang.org/x/vuln's mapping of Go release tags to semantic versions. */
function toolchainToSemver(tag: string): string | undefined {
  const first = tag.trim().split(/\s+/)[0] ?? '';
  if (first === 'go1') return 'v1.0.0';
  if (first === 'go1.0') return undefined;

  const m = TOOLCHAIN_TAG.exec(first);
  if (!m) return undefined;
  const [, majorMinor, patch, kind, n] = m;
  const pre = kind === undefined ? '' : `-${kind.replace(/^-/, '')}.${n}`;
  return `v${majorMinor}${patch ?? '.0'}${pre}`;
}
