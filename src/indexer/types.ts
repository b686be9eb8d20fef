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
  /**
   * For a language package: the OS package whose file list names the file
   * it was found in (its `packageDb`). Set by the coalescer, never by
   * scanners. An owned package is shown as part of that OS package and is
   * not matched against language feeds: the distribution's own feed covers
   * what it ships and patches.
   */
  readonly ownedBy?: PackageOwner;
}

/** The OS package that installed a language package's files. */
export interface PackageOwner {
  /** OS package name: `python3-requests`. */
  readonly name: string;
  /**
   * Layer path of the file that lists the owned file: a dpkg
   * `var/lib/dpkg/info/<package>.list`, apk's installed database, the rpm
   * database.
   */
  readonly listedIn: string;
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

/**
 * The files of OS packages that language scanners could report as
 * packages, as one file of a layer lists them (dpkg's `info/*.list`, apk's
 * installed database, the rpm database). Only paths that
 * `isOwnershipCandidate` (indexer/ownership.ts) accepts are kept, so that
 * stored results stay small.
 */
export interface OwnershipFinding {
  /** Layer path of the listing file; the owner's `listedIn`. */
  readonly path: string;
  readonly owners: readonly OwnedFiles[];
}

/** Candidate files one OS package owns. */
export interface OwnedFiles {
  /** OS package name. */
  readonly name: string;
  /** Layer paths, relative to the root without a leading slash. */
  readonly files: readonly string[];
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
  /** Files OS packages own; absent when the scanner lists none. */
  readonly owned?: readonly OwnershipFinding[];
}

export const EMPTY_SCAN_RESULT: ScanResult = {
  packages: [],
  distributions: [],
  notices: [],
};
