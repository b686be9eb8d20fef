import fs from 'node:fs';

import type { DistributionKey, Vulnerability } from '../../vuln/types.js';

/** Alpine secdb releases the store tests load, from `../shared`. */
export const SECDB = {
  v319: {
    file: '../shared/data/feeds/alpine/secdb/v3.19/main.json',
    dist: { did: 'alpine', versionId: '3.19' },
  },
  v320: {
    file: '../shared/data/feeds/alpine/secdb/v3.20/main.json',
    dist: { did: 'alpine', versionId: '3.20' },
  },
} as const;

interface SecdbFile {
  readonly packages: readonly {
    readonly pkg: {
      readonly name: string;
      readonly secfixes: Readonly<Record<string, readonly string[]>>;
    };
  }[];
}

/**
 * Real records for store tests: one per (package, fix, CVE) of an Alpine
 * secdb file. This is test data shaped like an updater's output, not the
 * Alpine updater: severities are not in secdb, so each is `Unknown`.
 */
export function secdbRecords(
  file: string,
  dist: DistributionKey,
  opts: { updater: string; packages?: readonly string[] },
): Vulnerability[] {
  const db = JSON.parse(fs.readFileSync(file, 'utf8')) as SecdbFile;
  const wanted =
    opts.packages === undefined ? undefined : new Set(opts.packages);
  const out: Vulnerability[] = [];
  for (const { pkg } of db.packages) {
    if (wanted !== undefined && !wanted.has(pkg.name)) continue;
    for (const [fixed, ids] of Object.entries(pkg.secfixes)) {
      for (const id of ids) {
        out.push(record(opts.updater, id, pkg.name, fixed, dist));
      }
    }
  }
  return out;
}

/** Package names of a secdb file, in file order. */
export function secdbPackages(file: string): string[] {
  const db = JSON.parse(fs.readFileSync(file, 'utf8')) as SecdbFile;
  return db.packages.map((p) => p.pkg.name);
}

function record(
  updater: string,
  id: string,
  packageName: string,
  fixedInVersion: string,
  distribution: DistributionKey,
): Vulnerability {
  return {
    updater,
    name: id,
    description: '',
    issued: '',
    links: `https://security.alpinelinux.org/vuln/${id}`,
    severity: '',
    normalizedSeverity: 'Unknown',
    packageName,
    packageKind: 'binary',
    distribution,
    fixedInVersion,
    scheme: 'apk',
  };
}
