import type { IndexReport } from '../indexer/report.js';

/**
 * Every package name an index report holds, binary and source, installed
 * or only in lower layers: the keys under which engines index a report
 * for `Store.manifestsWithPackage`.
 */
export function reportPackageNames(report: IndexReport): Set<string> {
  const names = new Set<string>();
  const sets = [report.packages, report.lowerLayersOnly.packages];
  for (const pkgs of sets) {
    for (const p of Object.values(pkgs)) {
      names.add(p.name);
      if (p.source !== undefined) names.add(p.source.name);
    }
  }
  return names;
}
