/**
 * The vulnerability model shared by updaters, the store and matchers.
 * Field names follow Clair v4's Vulnerability.
 */

/** Clair's normalized severities, in increasing order. */
export const SEVERITIES = [
  'Unknown',
  'Negligible',
  'Low',
  'Medium',
  'High',
  'Critical',
] as const;

export type Severity = (typeof SEVERITIES)[number];

/** A distribution release a record applies to. */
export interface DistributionKey {
  /** os-release ID: `debian`, `alpine`. */
  readonly did: string;
  /** Release as the matcher keys it: `12` for Debian, `3.20` for Alpine. */
  readonly versionId: string;
  /** Debian code name (`bookworm`); empty where the distribution has none. */
  readonly versionCodeName?: string;
}

/**
 * One vulnerability as it affects one package of one release: the unit
 * the store keeps and a matcher decides on.
 */
export interface Vulnerability {
  /** Updater that produced the record, e.g. `debian-dsa`. */
  readonly updater: string;
  /** Identifier shown to users: a CVE, or the advisory id without one. */
  readonly name: string;
  readonly description: string;
  /** ISO 8601 date the advisory was issued, or empty. */
  readonly issued: string;
  /** Space-separated URLs, as Clair writes them. */
  readonly links: string;
  /** The vendor's own severity word, kept as given. */
  readonly severity: string;
  readonly normalizedSeverity: Severity;
  /** Package name the record keys on (a source package for Debian). */
  readonly packageName: string;
  readonly packageKind: 'binary' | 'source';
  readonly distribution: DistributionKey;
  /** First fixed version; empty when no fix exists yet. */
  readonly fixedInVersion: string;
  /** Version scheme id for fixedInVersion, ranges and versions. */
  readonly scheme: string;
  /**
   * Ecosystem of a language record, in OSV's spelling (`PyPI`, `npm`,
   * `Go`, `crates.io`, `Maven`, `RubyGems`); absent for records of a
   * distribution, which `distribution` keys instead.
   */
  readonly ecosystem?: string;
  /**
   * Affected ranges as the feed states them (OSV `ranges` of type
   * ECOSYSTEM or SEMVER). A version is affected when a range holds it or
   * `versions` lists it. Absent: the record is keyed on `fixedInVersion`
   * alone (every version before it is affected).
   */
  readonly ranges?: readonly AffectedRange[];
  /** Affected versions listed one by one (OSV `versions`). */
  readonly versions?: readonly string[];
}

/**
 * One OSV range: its events in the order given. The schema's rules
 * (OSV schema, "Evaluation"): sorted by version, a version is affected
 * from an `introduced` up to (not including) the next `fixed` or
 * `limit`, or up to and including a `lastAffected`. `introduced: "0"`
 * means every version.
 */
export interface AffectedRange {
  readonly events: readonly RangeEvent[];
}

export type RangeEvent =
  | { readonly introduced: string }
  | { readonly fixed: string }
  | { readonly lastAffected: string }
  | { readonly limit: string };

/** Parsed output of one updater run, before the store versions it. */
export interface UpdateData {
  readonly vulnerabilities: readonly Vulnerability[];
  /**
   * Releases this run has data for, even those without records: a release
   * here with no match means "not vulnerable", a release absent means
   * "no data".
   */
  readonly coverage: readonly DistributionKey[];
}
