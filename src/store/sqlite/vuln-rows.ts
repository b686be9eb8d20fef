import { createHash } from 'node:crypto';

import type {
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
}

/** Named parameters of the `vuln` upsert, in column order. */
export type VulnParams = Omit<VulnRow, 'id'> & { readonly hash: Buffer };

/** Columns read back into a Vulnerability, for SELECT lists. */
export const VULN_COLUMNS =
  'v.id, v.updater, v.name, v.description, v.issued, v.links, ' +
  'v.severity, v.normalized_severity, v.package_name, v.package_kind, ' +
  'v.did, v.version_id, v.version_code_name, v.fixed_in_version, v.scheme';

/**
 * Binding values for one record. The content hash covers every field, so a
 * record repeated across runs is stored once and linked to each run. An
 * absent code name is kept apart from an empty one (NULL versus ''), so a
 * record reads back exactly as it was given.
 */
export function vulnParams(v: Vulnerability): VulnParams {
  const d = v.distribution;
  const fields = [
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
  };
}

/**
 * The record a row holds. The schema's CHECK constraints restrict
 * `normalized_severity` and `package_kind` to the model's words, so the
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
  };
}
