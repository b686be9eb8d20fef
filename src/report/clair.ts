import type {
  Environment,
  IndexedDistribution,
  IndexedPackage,
  IndexReport,
  PackageSet,
} from '../indexer/report.js';
import type {
  IndexedVulnerability,
  VulnerabilityReport,
} from '../matcher/report.js';

/**
 * Clair v4's JSON shapes (its `openapi.yaml`), snake_case as served.
 * Fields beyond Clair's are documented in README.md ("JSON output").
 */
export function clairIndexReport(r: IndexReport): Record<string, unknown> {
  return {
    manifest_hash: r.manifestHash,
    state: r.state,
    packages: mapValues(r.packages, clairPackage),
    distributions: mapValues(r.distributions, clairDistribution),
    repository: {},
    environments: mapValues(r.environments, (envs) => envs.map(clairEnv)),
    success: r.success,
    err: r.err,
    lower_layers_only: clairPackageSet(r.lowerLayersOnly),
    notices: r.notices,
  };
}

/** Clair's VulnerabilityReport plus `lower_layers_only` and `notices`. */
export function clairVulnerabilityReport(
  r: VulnerabilityReport,
): Record<string, unknown> {
  const index = r.index;
  return {
    manifest_hash: index.manifestHash,
    packages: mapValues(index.packages, clairPackage),
    distributions: mapValues(index.distributions, clairDistribution),
    repository: {},
    environments: mapValues(index.environments, (e) => e.map(clairEnv)),
    vulnerabilities: mapValues(r.vulnerabilities, (v) =>
      clairVulnerability(v, Object.values(index.distributions)[0]?.name),
    ),
    package_vulnerabilities: r.packageVulnerabilities,
    enrichments: {},
    lower_layers_only: {
      ...clairPackageSet(index.lowerLayersOnly),
      package_vulnerabilities: r.lowerLayersOnlyVulnerabilities,
    },
    notices: r.notices,
  };
}

function clairPackageSet(s: PackageSet) {
  return {
    packages: mapValues(s.packages, clairPackage),
    environments: mapValues(s.environments, (e) => e.map(clairEnv)),
  };
}

function clairPackage(p: IndexedPackage) {
  const source = p.source
    ? {
        id: '',
        name: p.source.name,
        version: p.source.version,
        kind: 'source',
        source: null,
      }
    : null;
  return {
    id: p.id,
    name: p.name,
    version: p.version,
    kind: p.kind,
    source,
    normalized_version: '',
    arch: p.arch ?? '',
    module: p.module ?? '',
    cpe: '',
    ...(p.ownedBy
      ? { owned_by: { name: p.ownedBy.name, listed_in: p.ownedBy.listedIn } }
      : {}),
  };
}

function clairDistribution(d: IndexedDistribution) {
  return {
    id: d.id,
    did: d.did,
    name: d.name,
    version: d.version,
    version_code_name: d.versionCodeName,
    version_id: d.versionId,
    arch: d.arch ?? '',
    cpe: d.cpe ?? '',
    pretty_name: d.prettyName,
  };
}

function clairEnv(e: Environment) {
  return {
    package_db: e.packageDb,
    introduced_in: e.introducedIn,
    distribution_id: e.distributionId,
    repository_ids: null,
    ...(e.removedIn !== undefined ? { removed_in: e.removedIn } : {}),
  };
}

/**
 * Clair's Vulnerability for one record. `distributionName` fills
 * `distribution.name` (records keep only the release key); the image's,
 * in a vulnerability report.
 */
export function clairVulnerability(
  v: IndexedVulnerability,
  distributionName = '',
): Record<string, unknown> {
  return {
    id: v.id,
    updater: v.updater,
    name: v.name,
    description: v.description,
    issued: clairTime(v.issued),
    links: v.links,
    severity: v.severity,
    normalized_severity: v.normalizedSeverity,
    package: {
      id: '',
      name: v.packageName,
      version: '',
      kind: v.packageKind,
      source: null,
      package_db: '',
      repository_hint: '',
    },
    distribution: {
      id: '',
      did: v.distribution.did,
      name: distributionName,
      version: '',
      version_code_name: v.distribution.versionCodeName ?? '',
      version_id: v.distribution.versionId,
      arch: '',
      cpe: '',
      pretty_name: '',
    },
    repository: null,
    fixed_in_version: v.fixedInVersion,
  };
}

function mapValues<T, U>(
  rec: Readonly<Record<string, T>>,
  fn: (v: T) => U,
): Record<string, U> {
  const out: Record<string, U> = {};
  for (const [k, v] of Object.entries(rec)) out[k] = fn(v);
  return out;
}

/** Go's zero time, which Clair writes for an unknown date. */
export const CLAIR_ZERO_TIME = '0001-01-01T00:00:00Z';

/**
 * An ISO 8601 date or time as Clair's `time.Time` fields hold it: RFC
 * 3339 (Go's JSON decoding of such a field accepts nothing else), a bare
 * date at midnight UTC, and an empty or unreadable one as the zero time.
 */
export function clairTime(iso: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) return `${iso}T00:00:00Z`;
  const ms = Date.parse(iso);
  if (iso === '' || Number.isNaN(ms)) return CLAIR_ZERO_TIME;
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}
