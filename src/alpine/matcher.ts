/**
 * The Alpine matcher: apk packages of Alpine releases against the secdb
 * records of the `alpine-` updaters, which key on the origin package.
 */
import { apkScheme } from '../apk/version.js';
import type { DistributionRecord, PackageRecord } from '../indexer/types.js';
import type { Matcher, VulnerabilityQuery } from '../matcher/matcher.js';
import type { Vulnerability } from '../vuln/types.js';

/** Matches Alpine packages by origin and apk-tools version ordering. */
export const alpineMatcher: Matcher = {
  name: 'alpine',

  accepts(pkg: PackageRecord, dist: DistributionRecord | undefined): boolean {
    return dist?.did === 'alpine' && pkg.scheme === apkScheme.id;
  },

  /** Keyed by origin (`o:` of the installed database) and release. */
  query(pkg: PackageRecord, dist: DistributionRecord): VulnerabilityQuery {
    return {
      updaters: ['alpine-'],
      distribution: { did: 'alpine', versionId: dist.versionId },
      packageName: pkg.source?.name ?? pkg.name,
    };
  },

  /**
   * Affected when the installed version is older than the fix. A
   * subpackage shares its origin's version (both come from one APKBUILD),
   * so the installed version is compared directly.
   */
  vulnerable(pkg: PackageRecord, vuln: Vulnerability): boolean {
    if (vuln.fixedInVersion === '') return true;
    return apkScheme.compare(pkg.version, vuln.fixedInVersion) < 0;
  },
};
