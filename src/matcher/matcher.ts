import type { DistributionRecord, PackageRecord } from '../indexer/types.js';
import type { DistributionKey, Vulnerability } from '../vuln/types.js';

/** What the store is asked for one package. */
export interface VulnerabilityQuery {
  /** Updater name prefixes whose records apply, e.g. `debian-`. */
  readonly updaters: readonly string[];
  readonly distribution: DistributionKey;
  readonly packageName: string;
}

/**
 * A matcher selects the packages it understands, says which stored records
 * could affect each, and decides whether one does.
 */
export interface Matcher {
  readonly name: string;
  /** Whether this matcher handles a package found in this distribution. */
  accepts(pkg: PackageRecord, dist: DistributionRecord | undefined): boolean;
  /** The store query for one accepted package. */
  query(pkg: PackageRecord, dist: DistributionRecord): VulnerabilityQuery;
  /**
   * Whether `vuln` affects `pkg`. Throws INVALID_VERSION when a version
   * cannot be compared; the engine reports that instead of guessing.
   */
  vulnerable(pkg: PackageRecord, vuln: Vulnerability): boolean;
}
