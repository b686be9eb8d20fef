import { createHash } from 'node:crypto';

import type {
  AffectedRange,
  DistributionKey,
  Severity,
  Vulnerability,
} from '../../vuln/types.js';

/** A `vuln` table row as SQLite returns it. */
export interface VulnRow {
  readonly id: number;
  readonly updater: string;
  readonly name: string;
  readonly description: string;
  readonly issued: string;
  readonly links: string;
  readonly severity: string;
  readonly normalized_severity: string;
  readonly package_name: string;
  readonly package_kind: string;
  readonly did: string;
  readonly version_id: string;
  readonly version_code_name: string | null;
  readonly fixed_in_version: string;
  readonly scheme: string;
  /** OSV ecosystem of a language record; NULL for a distribution's. */
  readonly ecosystem: string | null;
  /** `Vulnerability.ranges` as JSON text; NULL when absent. */
  readonly ranges: string | null;
  /** `Vulnerability.versions` as JSON text; NULL when absent. */
  readonly versions: string | null;
}

/** Named parameters of the `vuln` upsert, in column order. */
export type VulnParams = Omit<VulnRow, 'id'> & { readonly hash: Buffer };

/** Columns read back into a Vulnerability, for SELECT lists. */
export const VULN_COLUMNS =
  'v.id, v.updater, v.name, v.description, v.issued, v.links, ' +
  'v.severity, v.normalized_severity, v.package_name, v.package_kind, ' +
  'v.did, v.version_id, v.version_code_name, v.fixed_in_version, v.scheme, ' +
  'v.ecosystem, v.ranges, v.versions';

/**
 * Binding values for one record. The content hash covers every field, so a
 * record repeated across runs is stored once and linked to each run, and a
 * record whose ranges change is a new record. An absent code name is kept
 * apart from an empty one (NULL versus ''), and so are absent and empty
 * ranges and versions, so a record reads back exactly as it was given.
 *
 * The OSV fields (ecosystem, ranges, versions) enter the hash only when
 * one is present, so records stored before they existed keep their hash.
 */
export function vulnParams(v: Vulnerability): VulnParams {
  const d = v.distribution;
  const osv = osvColumns(v);
  const fields: unknown[] = [
    v.updater,
    v.name,
    v.description,
    v.issued,
    v.links,
    v.severity,
    v.normalizedSeverity,
    v.packageName,
    v.packageKind,
    d.did,
    d.versionId,
    d.versionCodeName ?? null,
    v.fixedInVersion,
    v.scheme,
  ];
  if (osv.ecosystem !== null || osv.ranges !== null || osv.versions !== null) {
    fields.push(osv.ecosystem, osv.ranges, osv.versions);
  }
  return {
    hash: createHash('sha256').update(JSON.stringify(fields)).digest(),
    updater: v.updater,
    name: v.name,
    description: v.description,
    issued: v.issued,
    links: v.links,
    severity: v.severity,
    normalized_severity: v.normalizedSeverity,
    package_name: v.packageName,
    package_kind: v.packageKind,
    did: d.did,
    version_id: d.versionId,
    version_code_name: d.versionCodeName ?? null,
    fixed_in_version: v.fixedInVersion,
    scheme: v.scheme,
    ...osv,
  };
}

type OsvColumns = Pick<VulnRow, 'ecosystem' | 'ranges' | 'versions'>;

function osvColumns(v: Vulnerability): OsvColumns {
  return {
    ecosystem: v.ecosystem ?? null,
    ranges: v.ranges === undefined ? null : JSON.stringify(v.ranges),
    versions: v.versions === undefined ? null : JSON.stringify(v.versions),
  };
}

/**
 * The record a row holds. The schema's CHECK constraints restrict
 * `normalized_severity` and `package_kind` to the model's words, and
 * `ranges` and `versions` hold only what `vulnParams` wrote, so the
 * narrowing casts below hold for every stored row.
 */
export function rowToVulnerability(row: VulnRow): Vulnerability {
  const distribution: DistributionKey =
    row.version_code_name === null
      ? { did: row.did, versionId: row.version_id }
      : {
          did: row.did,
          versionId: row.version_id,
          versionCodeName: row.version_code_name,
        };
  return {
    updater: row.updater,
    name: row.name,
    description: row.description,
    issued: row.issued,
    links: row.links,
    severity: row.severity,
    normalizedSeverity: row.normalized_severity as Severity,
    packageName: row.package_name,
    packageKind: row.package_kind as Vulnerability['packageKind'],
    distribution,
    fixedInVersion: row.fixed_in_version,
    scheme: row.scheme,
    ...osvFields(row),
  };
}

function osvFields(
  row: VulnRow,
): Pick<Vulnerability, 'ecosystem' | 'ranges' | 'versions'> {
  const out: {
    ecosystem?: string;
    ranges?: readonly AffectedRange[];
    versions?: readonly string[];
  } = {};
  if (row.ecosystem !== null) out.ecosystem = row.ecosystem;
  if (row.ranges !== null) {
    out.ranges = JSON.parse(row.ranges) as AffectedRange[];
  }
  if (row.versions !== null) {
    out.versions = JSON.parse(row.versions) as string[];
  }
  return out;
}

/**
 * Records grouped by package name, each group in the records' order;
 * every name asked for has a group, empty when nothing matched it.
 */
export function byPackage(
  names: readonly string[],
  records: readonly Vulnerability[],
): Map<string, Vulnerability[]> {
  const out = new Map<string, Vulnerability[]>();
  for (const name of names) out.set(name, []);
  for (const v of records) out.get(v.packageName)?.push(v);
  return out;
}
