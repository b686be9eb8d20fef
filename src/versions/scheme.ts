import { ClaroError } from '../errors.js';

/** Result of comparing two versions: a < b, a = b, a > b. */
export type Ordering = -1 | 0 | 1;

/**
 * A package version scheme (deb-version(5), apk-tools, ...). Each scheme
 * lives in its own module and cites its specification there.
 */
export interface VersionScheme {
  /** Stable id used in the store and on the command line: `dpkg`, `apk`. */
  readonly id: string;
  /** Whether the scheme accepts `version` at all. */
  valid(version: string): boolean;
  /**
   * Orders two versions. Throws a ClaroError with code INVALID_VERSION
   * when either is not valid: an unparsable version never silently reads
   * as "older" or "not vulnerable".
   */
  compare(a: string, b: string): Ordering;
}

/** The error every scheme throws for a version it rejects. */
export function invalidVersion(
  scheme: string,
  version: string,
  reason: string,
): ClaroError {
  return new ClaroError(
    'INVALID_VERSION',
    `Cannot parse ${scheme} version "${version}": ${reason}`,
  );
}

/** Maps a number's sign to an Ordering. */
export function sign(n: number): Ordering {
  if (n < 0) return -1;
  return n > 0 ? 1 : 0;
}
