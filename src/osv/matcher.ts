/**
 * Matchers over OSV records: language packages against the records of
 * their ecosystem, and the packages of RPM distributions whose advisories
 * OSV publishes against those. Both decide by the OSV schema's evaluation
 * of the record's ranges and versions (vuln/affected.ts).
 */
import type { DistributionRecord, PackageRecord } from '../indexer/types.js';
import type { Matcher, VulnerabilityQuery } from '../matcher/matcher.js';
import { affectsVersion } from '../vuln/affected.js';
import type { Vulnerability } from '../vuln/types.js';
import { LANGUAGE_RELEASE, OSV_ECOSYSTEMS, updaterName } from './ecosystems.js';

/** One language ecosystem as OSV names it, and where its records are. */
export interface LanguageMatcherOptions {
  /** Matcher name. */
  readonly name: string;
  /** OSV's spelling, as scanners set `PackageRecord.ecosystem`. */
  readonly ecosystem: string;
  /** Name of the updater whose records apply. */
  readonly updater: string;
  /** The record's spelling of a package name; the name as is without. */
  readonly normalize?: (name: string) => string;
}

/**
 * A matcher for the packages of one language ecosystem that no OS
 * package owns (an owned one is the distribution's to answer for: its
 * feed covers what it ships and patches). Records are found by the
 * package's name as the ecosystem normalises it, whatever the image's
 * distribution, and decided on the installed version.
 */
export function languageMatcher(opts: LanguageMatcherOptions): Matcher {
  const normalize = opts.normalize ?? ((name: string) => name);
  return {
    name: opts.name,

    accepts(pkg: PackageRecord): boolean {
      return pkg.ecosystem === opts.ecosystem && pkg.ownedBy === undefined;
    },

    query(pkg: PackageRecord): VulnerabilityQuery {
      return {
        updaters: [opts.updater],
        distribution: LANGUAGE_RELEASE,
        packageName: normalize(pkg.name),
      };
    },

    vulnerable(pkg: PackageRecord, vuln: Vulnerability): boolean {
      return affectsVersion(pkg.version, vuln);
    },
  };
}

/** An RPM distribution whose OSV records key on its major release. */
export interface RpmMatcherOptions {
  /** Matcher name. */
  readonly name: string;
  /** os-release ID of the distribution. */
  readonly did: string;
  /** Name of the updater whose records apply. */
  readonly updater: string;
}

/**
 * A matcher for the rpm packages of one distribution whose OSV records
 * name binary packages (`openssl-libs`) in an ecosystem per major
 * release (`AlmaLinux:9`): records are found by the binary package's
 * name and the release (`versionId`, the major release for this family)
 * and decided on the full `[epoch:]version-release`.
 *
 * Known limitation: records do not say which module stream a fix
 * belongs to, so a package of one stream is compared with the fixes of
 * every stream that ships a package of its name (as OSV's own evaluation
 * does); a modular package can be reported for another stream's fix.
 */
export function rpmMatcher(opts: RpmMatcherOptions): Matcher {
  return {
    name: opts.name,

    accepts(pkg: PackageRecord, dist: DistributionRecord | undefined): boolean {
      return (
        dist?.did === opts.did &&
        pkg.scheme === 'rpm' &&
        pkg.ecosystem === undefined
      );
    },

    query(pkg: PackageRecord, dist: DistributionRecord): VulnerabilityQuery {
      return {
        updaters: [opts.updater],
        distribution: { did: opts.did, versionId: dist.versionId },
        packageName: pkg.name,
      };
    },

    vulnerable(pkg: PackageRecord, vuln: Vulnerability): boolean {
      return affectsVersion(pkg.version, vuln);
    },
  };
}

/**
 * The language matchers, one per language ecosystem the OSV updaters
 * read, named after its folder (`pypi`, `npm`, `go`, `crates.io`,
 * `maven`, `rubygems`) and keyed as its updater keys records: PyPI names
 * normalised as PEP 503 says, npm names with their scope, Go module paths
 * and `stdlib` (the Go binary scanner reports the toolchain version as
 * stdlib's, which the `go` scheme reads), crates, Maven `group:artifact`
 * and gem names as they are.
 */
export const LANGUAGE_MATCHERS: readonly Matcher[] = OSV_ECOSYSTEMS.filter(
  (eco) => eco.did === undefined,
).map((eco) =>
  languageMatcher({
    name: eco.folder,
    ecosystem: eco.osvName,
    updater: updaterName(eco),
    normalize: eco.normalizeName,
  }),
);
