import type { ScanResult } from '../indexer/types.js';
import type { IndexReport } from '../indexer/report.js';
import type { LayerRecord } from '../layer/record.js';
import type { VulnerabilityQuery } from '../matcher/matcher.js';
import type {
  DistributionKey,
  UpdateData,
  Vulnerability,
} from '../vuln/types.js';

/** A scanner's identity as results are keyed by it. */
export interface ScannerId {
  readonly name: string;
  readonly version: string;
}

/** One stored updater run. */
export interface UpdateOperation {
  /** Opaque unique id (a UUID). */
  readonly ref: string;
  readonly updater: string;
  readonly fingerprint: string;
  /** ISO 8601 time the run was stored. */
  readonly date: string;
  /** Number of vulnerability records the run holds. */
  readonly count: number;
}

/** Operations and records removed by a collection. */
export interface GcResult {
  readonly operations: number;
  readonly vulnerabilities: number;
}

/** One updater run's outcome, as the service records it. */
export interface UpdaterAttempt {
  readonly updater: string;
  /** ISO 8601 time the attempt started. */
  readonly at: string;
  /** Why it failed; absent when it succeeded (updated or unchanged). */
  readonly error?: string;
  /** Records in the updater's current operation after the attempt. */
  readonly records?: number;
}

/** What `GET /matcher/api/v1/updater_status` reports for one updater. */
export interface UpdaterStatus {
  readonly updater: string;
  /** ISO 8601 time of the last attempt. */
  readonly lastAttempt: string;
  /** ISO 8601 time of the last successful attempt, if any. */
  readonly lastSuccess?: string;
  /** Error of the last attempt; absent when it succeeded. */
  readonly lastError?: string;
  /** Records in the current operation, as of the last success. */
  readonly records?: number;
}

/** Many packages' `VulnerabilityQuery`, alike but for the name. */
export interface PackagesQuery {
  readonly updaters: readonly string[];
  readonly distribution: DistributionKey;
  readonly packageNames: readonly string[];
}

/** The versions a vulnerability report is computed from. */
export interface ReportVersions {
  /** See `Store.indexReportVersion`; undefined when none is stored. */
  readonly index: string | undefined;
  /** See `Store.vulnerabilityDataVersion`. */
  readonly data: string;
}

/** Outcome of `tryLock`: the callback's value, or that the lock was held. */
export type LockResult<T> =
  { readonly acquired: true; readonly value: T } | { readonly acquired: false };

/** Records added and removed between two operations of one updater. */
export interface UpdateDiff {
  readonly prev: UpdateOperation | undefined;
  readonly cur: UpdateOperation;
  readonly added: readonly Vulnerability[];
  readonly removed: readonly Vulnerability[];
}

/**
 * The one storage interface. Engines: SQLite (embedded default) and, later,
 * PostgreSQL. Every write is a transaction: a failure leaves what was
 * stored before whole.
 */
export interface Store {
  /** Per-layer reader output: whiteouts, opaque folders, selected paths. */
  getLayerRecord(
    digest: string,
    reader: string,
  ): Promise<LayerRecord | undefined>;
  putLayerRecord(
    digest: string,
    reader: string,
    rec: LayerRecord,
  ): Promise<void>;

  /** One scanner's findings in one layer. */
  getScanResult(
    digest: string,
    scanner: ScannerId,
  ): Promise<ScanResult | undefined>;
  putScanResult(
    digest: string,
    scanner: ScannerId,
    result: ScanResult,
  ): Promise<void>;

  getIndexReport(manifest: string): Promise<IndexReport | undefined>;
  /**
   * A token naming the manifest's stored index report as it is now, read
   * without reading the report: it changes whenever the report is put
   * again (or deleted and put back) by any user of the store, and never
   * takes an earlier value again. Undefined while none is stored. Caches
   * of what is computed from a report key on it.
   */
  indexReportVersion(manifest: string): Promise<string | undefined>;
  putIndexReport(report: IndexReport): Promise<void>;
  deleteIndexReport(manifest: string): Promise<boolean>;

  /**
   * Stores one updater run as a new operation, unless its fingerprint equals
   * the latest one's (then it returns that one, and changes nothing). The
   * new operation becomes the updater's current data atomically.
   */
  applyUpdate(
    updater: string,
    fingerprint: string,
    data: UpdateData,
  ): Promise<{ operation: UpdateOperation; changed: boolean }>;
  /**
   * Every stored operation (of one updater when named), grouped by updater
   * and newest first within each group: the first is the current data.
   */
  updateOperations(updater?: string): Promise<readonly UpdateOperation[]>;
  updateDiff(prevRef: string | undefined, curRef: string): Promise<UpdateDiff>;
  /**
   * Whether any current operation of the named updaters (by prefix)
   * covers this release. Language ecosystems have no release: their OSV
   * updaters (`osv-pypi`, one per ecosystem) cover `{ did: '',
   * versionId: '' }`, the key of every language record, so that key with
   * an ecosystem's updater asks whether that ecosystem's data is loaded.
   */
  covers(dist: DistributionKey, updaters: readonly string[]): Promise<boolean>;
  /** Whether any vulnerability data has been loaded at all. */
  hasVulnerabilityData(): Promise<boolean>;
  /**
   * A token naming the current vulnerability data: the refs of every
   * updater's current operation. It changes whenever any updater's
   * current operation does (a run with a new fingerprint, through any
   * user of the store), never takes an earlier value again, and is empty
   * exactly when `hasVulnerabilityData` is false. One small read, so that
   * a cache of matched reports can check it on every request.
   */
  vulnerabilityDataVersion(): Promise<string>;
  /**
   * `indexReportVersion(manifest)` and `vulnerabilityDataVersion()` read
   * together, in one round trip (and one snapshot) on PostgreSQL: what a
   * matched report of the manifest is computed from.
   */
  reportVersions(manifest: string): Promise<ReportVersions>;
  /** Current records matching the query (latest operation per updater). */
  vulnerabilities(query: VulnerabilityQuery): Promise<readonly Vulnerability[]>;
  /**
   * `vulnerabilities` for many packages of one release and updater set,
   * in one query: each name's records, in the order `vulnerabilities`
   * gives them; a name without records maps to an empty list.
   */
  vulnerabilitiesOf(
    query: PackagesQuery,
  ): Promise<ReadonlyMap<string, readonly Vulnerability[]>>;

  /**
   * Deletes each updater's operations beyond its newest `keep` (at least
   * one) and the records no remaining operation links.
   */
  gcUpdateOperations(keep: number): Promise<GcResult>;

  recordUpdaterAttempt(attempt: UpdaterAttempt): Promise<void>;
  /** Every updater that has been attempted, by name. */
  updaterStatus(): Promise<readonly UpdaterStatus[]>;

  /**
   * Manifests whose stored IndexReport holds a package (installed or
   * lower-layers-only) with this binary or source name, in the given
   * release when one is named: the candidates an affected-manifest
   * search then decides on with the matchers.
   */
  manifestsWithPackage(query: {
    readonly packageName: string;
    readonly distribution?: DistributionKey;
  }): Promise<readonly string[]>;

  /**
   * Runs `fn` holding the named lock, waiting for it first. The lock is
   * shared by every user of the same store: every process on one
   * PostgreSQL database; within one process for SQLite. Names in use:
   * `manifest:<digest>`, `layer:<digest>`, `updater:<name>`.
   */
  withLock<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** Runs `fn` only when the named lock is free now. */
  tryLock<T>(name: string, fn: () => Promise<T>): Promise<LockResult<T>>;

  close(): Promise<void>;
}
