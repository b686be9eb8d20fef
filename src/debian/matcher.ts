/**
 * The Debian matcher: dpkg packages of Debian releases against records of
 * the `debian-` updaters (DSA/DLA lists, tracker JSON), which key on the
 * source package and its first fixed version.
 */
import { dpkgScheme } from '../dpkg/version.js';
import type { DistributionRecord, PackageRecord } from '../indexer/types.js';
import type { Matcher, VulnerabilityQuery } from '../matcher/matcher.js';
import type { DistributionKey, Vulnerability } from '../vuln/types.js';
import { debianReleaseKey } from './security-list.js';

/** Matches Debian packages by source package and dpkg ordering. */
export const debianMatcher: Matcher = {
  name: 'debian',

  accepts(pkg: PackageRecord, dist: DistributionRecord | undefined): boolean {
    return dist?.did === 'debian' && pkg.scheme === dpkgScheme.id;
  },

  query(pkg: PackageRecord, dist: DistributionRecord): VulnerabilityQuery {
    return {
      updaters: ['debian-'],
      distribution: debianQueryKey(dist),
      packageName: pkg.source?.name ?? pkg.name,
    };
  },

  /**
   * Affected when the record has no fix yet, or the source version (the
   * binary's own when the database names no source) is older than the
   * fix by deb-version(5) ordering. A binNMU (`+b1`) of the fixed source
   * is therefore judged by its source version.
   */
  vulnerable(pkg: PackageRecord, vuln: Vulnerability): boolean {
    if (vuln.fixedInVersion === '') return true;
    const installed = pkg.source?.version ?? pkg.version;
    return dpkgScheme.compare(installed, vuln.fixedInVersion) < 0;
  },
};

/**
 * The store key for a Debian release. A numbered release keys on its
 * number. Testing and unstable images carry no number (release detection
 * gives versionId '' and the testing code name): a code name claro can
 * number (`trixie` → `13`) uses that release's records, since testing
 * images are tracked under their code name; anything else falls to the
 * `sid` records, keyed versionId ''.
 */
export function debianQueryKey(dist: DistributionRecord): DistributionKey {
  if (dist.versionId !== '') {
    return { did: 'debian', versionId: dist.versionId };
  }
  const key = debianReleaseKey(dist.versionCodeName);
  const versionId = key?.versionId ?? '';
  return { did: 'debian', versionId };
}
