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
  /**
   * Whether this matcher handles a package found in this distribution
   * (undefined when the image has none: language packages are matched
   * all the same).
   */
  accepts(pkg: PackageRecord, dist: DistributionRecord | undefined): boolean;
  /**
   * The store query for one accepted package. `dist` is
   * {@link NO_DISTRIBUTION} when the image has none.
   */
  query(pkg: PackageRecord, dist: DistributionRecord): VulnerabilityQuery;
  /**
   * Whether `vuln` affects `pkg`. Throws INVALID_VERSION when a version
   * cannot be compared; the engine reports that instead of guessing.
   */
  vulnerable(pkg: PackageRecord, vuln: Vulnerability): boolean;
}

/**
 * What `query` receives for a package of an image without a distribution:
 * every field empty. Only matchers that accept such packages see it.
 */
export const NO_DISTRIBUTION: DistributionRecord = {
  did: '',
  name: '',
  versionId: '',
  version: '',
  versionCodeName: '',
  prettyName: '',
};
