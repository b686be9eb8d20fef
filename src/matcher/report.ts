import type { IndexReport } from '../indexer/report.js';
import type { Notice } from '../indexer/types.js';
import type { Vulnerability } from '../vuln/types.js';

export interface IndexedVulnerability extends Vulnerability {
  readonly id: string;
}

/**
 * An IndexReport with the vulnerabilities affecting its packages, computed
 * from the vulnerability data current when it was asked for.
 */
export interface VulnerabilityReport {
  readonly index: IndexReport;
  /** Every vulnerability referenced by either package set. */
  readonly vulnerabilities: Readonly<Record<string, IndexedVulnerability>>;
  /** Package id → vulnerability ids, for installed packages. */
  readonly packageVulnerabilities: Readonly<Record<string, readonly string[]>>;
  /** The same for packages only lower layers hold. */
  readonly lowerLayersOnlyVulnerabilities: Readonly<
    Record<string, readonly string[]>
  >;
  /** The index's notices plus the matcher's (missing data, bad versions). */
  readonly notices: readonly Notice[];
}
