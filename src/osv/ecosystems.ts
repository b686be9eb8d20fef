/**
 * The OSV ecosystems claro stores, and how each one's records are keyed.
 *
 * OSV names an affected package by `ecosystem` and `name` (OSV schema,
 * "affected[].package"). A language ecosystem's records are keyed by the
 * name normalised as its package manager compares names, under the empty
 * release `{ did: '', versionId: '' }`. A distribution ecosystem's
 * (`AlmaLinux:9`, `Rocky Linux:8`) are keyed by binary package name under
 * the distribution's os-release ID and major release, as the RPM family's
 * release detection keys them.
 */
import { normalizePythonName } from '../python/metadata.js';
import type { DistributionKey } from '../vuln/types.js';

/** One OSV ecosystem as an updater reads it. */
export interface OsvEcosystem {
  /** The ecosystem as OSV spells it: `PyPI`, `crates.io`, `AlmaLinux`. */
  readonly osvName: string;
  /**
   * Folder under `osv/` in a mirror, also the updater's name suffix:
   * `pypi` → `osv/pypi/` and updater `osv-pypi`.
   */
  readonly folder: string;
  /**
   * Further mirror folders read when `folder` is absent (the shared
   * mirror keeps Rocky's sample records in `osv/rocky-samples/`).
   */
  readonly altFolders?: readonly string[];
  /** Version scheme id of the ecosystem's versions. */
  readonly scheme: string;
  /** Package name as records are keyed by it. */
  normalizeName(name: string): string;
  /**
   * os-release ID of a distribution ecosystem; absent for a language
   * ecosystem.
   */
  readonly did?: string;
}

const asIs = (name: string): string => name;

/**
 * Every ecosystem with an updater, in the order they run. Ecosystems
 * without a version scheme in claro (NuGet, Packagist, Hex, ...) are not
 * here: their records could never be decided.
 */
export const OSV_ECOSYSTEMS: readonly OsvEcosystem[] = [
  {
    osvName: 'PyPI',
    folder: 'pypi',
    scheme: 'pep440',
    normalizeName: normalizePythonName,
  },
  { osvName: 'npm', folder: 'npm', scheme: 'semver', normalizeName: asIs },
  { osvName: 'Go', folder: 'go', scheme: 'go', normalizeName: asIs },
  {
    osvName: 'crates.io',
    folder: 'crates.io',
    scheme: 'semver',
    normalizeName: asIs,
  },
  { osvName: 'Maven', folder: 'maven', scheme: 'maven', normalizeName: asIs },
  {
    osvName: 'RubyGems',
    folder: 'rubygems',
    scheme: 'gem',
    normalizeName: asIs,
  },
  {
    osvName: 'AlmaLinux',
    folder: 'almalinux',
    scheme: 'rpm',
    normalizeName: asIs,
    did: 'almalinux',
  },
  {
    osvName: 'Rocky Linux',
    folder: 'rocky',
    altFolders: ['rocky-samples'],
    scheme: 'rpm',
    normalizeName: asIs,
    did: 'rocky',
  },
];

/** The updater name of an ecosystem: `osv-pypi`, `osv-crates.io`. */
export function updaterName(eco: OsvEcosystem): string {
  return `osv-${eco.folder}`;
}

/** The release key of every language record. */
export const LANGUAGE_RELEASE: DistributionKey = { did: '', versionId: '' };

/**
 * The release an affected entry's ecosystem string names for this
 * ecosystem, or undefined when it names another one. Language ecosystems
 * match exactly (`PyPI`); distribution ecosystems take a release suffix
 * (`AlmaLinux:9`, `Rocky Linux:8`, OSV schema appendix "Ecosystems"),
 * whose major number is the key. A distribution ecosystem without a
 * usable release is another one.
 */
export function releaseOf(
  eco: OsvEcosystem,
  ecosystem: string,
): DistributionKey | undefined {
  if (eco.did === undefined) {
    return ecosystem === eco.osvName ? LANGUAGE_RELEASE : undefined;
  }

  const prefix = `${eco.osvName}:`;
  if (!ecosystem.startsWith(prefix)) return undefined;
  const major = /^(\d+)(?:\.\d+)*$/.exec(ecosystem.slice(prefix.length));
  return major ? { did: eco.did, versionId: major[1]! } : undefined;
}
