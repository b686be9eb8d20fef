import type { IndexedPackage, PackageSet } from '../indexer/report.js';
import type {
  IndexedVulnerability,
  VulnerabilityReport,
} from '../matcher/report.js';
import { SEVERITIES, type Severity } from '../vuln/types.js';
import { ClaroError } from '../errors.js';

/** One package affected by one vulnerability. */
export interface Finding {
  readonly pkg: IndexedPackage;
  readonly vuln: IndexedVulnerability;
  /** Layer that introduced the package; empty when unknown. */
  readonly layer: string;
  /** True for packages only lower layers hold. */
  readonly lowerOnly: boolean;
}

/** What is shown and counted, as `--severity` and friends set it. */
export interface FindingFilter {
  readonly severities: ReadonlySet<Severity>;
  /** Count lower-layers-only findings towards `--exit-code`. */
  readonly countLowerLayers: boolean;
}

/** Every finding of a report, installed first, sorted by package. */
export function findings(r: VulnerabilityReport): Finding[] {
  return [
    ...flatten(r, r.index, r.packageVulnerabilities, false),
    ...flatten(
      r,
      r.index.lowerLayersOnly,
      r.lowerLayersOnlyVulnerabilities,
      true,
    ),
  ];
}

function flatten(
  r: VulnerabilityReport,
  set: PackageSet,
  links: Readonly<Record<string, readonly string[]>>,
  lowerOnly: boolean,
): Finding[] {
  const out: Finding[] = [];
  for (const [pkgId, vulnIds] of Object.entries(links)) {
    const pkg = set.packages[pkgId];
    if (!pkg) continue;
    const layer = set.environments[pkgId]?.[0]?.introducedIn ?? '';
    for (const id of vulnIds) {
      const vuln = r.vulnerabilities[id];
      if (vuln) out.push({ pkg, vuln, layer, lowerOnly });
    }
  }
  return out.sort(
    (a, b) =>
      cmp(a.pkg.name, b.pkg.name) ||
      cmp(a.pkg.version, b.pkg.version) ||
      rank(b.vuln.normalizedSeverity) - rank(a.vuln.normalizedSeverity) ||
      cmp(a.vuln.name, b.vuln.name),
  );
}

/** Findings the filter shows. */
export function shown(all: readonly Finding[], f: FindingFilter): Finding[] {
  return all.filter((x) => f.severities.has(x.vuln.normalizedSeverity));
}

/** Shown findings that count towards the exit code. */
export function counted(all: readonly Finding[], f: FindingFilter): Finding[] {
  return shown(all, f).filter((x) => !x.lowerOnly || f.countLowerLayers);
}

/**
 * Parses a `--severity` list such as `HIGH,CRITICAL` (any case). Throws
 * INVALID_ARGUMENT naming the unknown word.
 */
export function parseSeverities(list: string): Set<Severity> {
  const out = new Set<Severity>();
  for (const word of list
    .split(',')
    .map((w) => w.trim())
    .filter(Boolean)) {
    const sev = SEVERITIES.find((s) => s.toLowerCase() === word.toLowerCase());
    if (!sev) {
      throw new ClaroError(
        'INVALID_ARGUMENT',
        `Cannot use severity "${word}": expected one of ` +
          SEVERITIES.map((s) => s.toUpperCase()).join(', '),
      );
    }
    out.add(sev);
  }
  return out;
}

export function rank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
