/**
 * The index model: what scanners find in layers and what an IndexReport
 * holds. Field names follow Clair v4's model; report/clair.ts turns them
 * into Clair's JSON.
 */

/** A package as one package database records it. */
export interface PackageRecord {
  readonly name: string;
  readonly version: string;
  /** `binary` for installed packages; `source` for their source package. */
  readonly kind: 'binary' | 'source';
  /** The source package this binary was built from, when known. */
  readonly source?: SourcePackage;
  /** Layer path of the database that recorded it: `var/lib/dpkg/status`. */
  readonly packageDb: string;
  readonly arch?: string;
  /** Version scheme id used to compare this package's versions. */
  readonly scheme: string;
  /**
   * Language ecosystem in OSV's spelling (`PyPI`, `npm`, `Go`, `Maven`,
   * `RubyGems`); absent for the distribution's own packages.
   */
  readonly ecosystem?: string;
  /** RPM modularity stream, `name:stream`, when the package has one. */
  readonly module?: string;
}

export interface SourcePackage {
  readonly name: string;
  readonly version: string;
}

/** An operating system release, as found in an image. */
export interface DistributionRecord {
  /** os-release ID: `debian`, `alpine`. */
  readonly did: string;
  readonly name: string;
  /** os-release VERSION_ID; for Alpine the major.minor release. */
  readonly versionId: string;
  readonly version: string;
  readonly versionCodeName: string;
  readonly prettyName: string;
  readonly arch?: string;
  readonly cpe?: string;
}

/** Something the user should know about a scan that is not a finding. */
export interface Notice {
  readonly code: NoticeCode;
  readonly message: string;
  readonly layer?: string;
  readonly path?: string;
}

export type NoticeCode =
  | 'no-distribution'
  | 'no-vulnerability-data'
  | 'skipped-entry'
  | 'skipped-file'
  | 'skipped-record'
  | 'unresolved-link'
  | 'unknown-version';

/** Packages declared by one file of a layer. */
export interface PackageFinding {
  /** Layer path of the database file, e.g. `var/lib/dpkg/status`. */
  readonly path: string;
  readonly packages: readonly PackageRecord[];
}

/** A distribution declared by one file of a layer. */
export interface DistributionFinding {
  readonly path: string;
  /** Lower is more authoritative: os-release beats debian_version. */
  readonly priority: number;
  readonly distribution: DistributionRecord;
}

/** What one scanner found in one layer. Stored per (layer, scanner). */
export interface ScanResult {
  readonly packages: readonly PackageFinding[];
  readonly distributions: readonly DistributionFinding[];
  readonly notices: readonly Notice[];
}

export const EMPTY_SCAN_RESULT: ScanResult = {
  packages: [],
  distributions: [],
  notices: [],
};
