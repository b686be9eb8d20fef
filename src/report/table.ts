import type { VulnerabilityReport } from '../matcher/report.js';
import { SEVERITIES, type Severity } from '../vuln/types.js';
import {
  counted,
  findings,
  shown,
  type Finding,
  type FindingFilter,
} from './findings.js';

const COLOURS: Record<Severity, string> = {
  Unknown: '\x1b[37m',
  Negligible: '\x1b[37m',
  Low: '\x1b[34m',
  Medium: '\x1b[33m',
  High: '\x1b[31m',
  Critical: '\x1b[1;31m',
};
const RESET = '\x1b[0m';
const HEADER = [
  'PACKAGE',
  'VERSION',
  'VULNERABILITY',
  'SEVERITY',
  'FIXED IN',
  'LAYER',
];

/**
 * Renders a report for people: the image, its distribution, findings
 * grouped by package, the lower-layers-only findings apart, notices, and
 * a count by severity. Colour only when `colour` is set (a TTY).
 */
export function renderTable(
  r: VulnerabilityReport,
  filter: FindingFilter,
  colour: boolean,
): string {
  const all = findings(r);
  const visible = shown(all, filter);
  const lines = [...heading(r), ''];
  const none = r.notices.some((n) => n.code === 'no-vulnerability-data')
    ? 'no data to match against (see notices)'
    : 'no vulnerabilities found';
  const installed = visible.filter((f) => !f.lowerOnly);
  const lower = visible.filter((f) => f.lowerOnly);
  lines.push(...section('Installed packages', installed, colour, none));
  if (Object.keys(r.index.lowerLayersOnly.packages).length > 0) {
    const title = 'Lower layers only (not in the final filesystem, shipped)';
    lines.push('', ...section(title, lower, colour, none), ...lowerPackages(r));
  }
  if (r.notices.length > 0) {
    lines.push('', 'Notices:', ...r.notices.map((n) => `  - ${n.message}`));
  }
  lines.push('', summary(counted(all, filter), visible));
  return lines.join('\n') + '\n';
}

function heading(r: VulnerabilityReport): string[] {
  const i = r.index;
  const d = Object.values(i.distributions)[0];
  const os = d
    ? `${d.prettyName || `${d.did} ${d.versionId}`}`
    : 'unknown (no OS found)';
  const installed = Object.keys(i.packages).length;
  const lower = Object.keys(i.lowerLayersOnly.packages).length;
  const owned = Object.values(i.packages).filter((p) => p.ownedBy).length;
  const ofOs = owned > 0 ? ` (${owned} language, part of OS packages)` : '';
  return [
    `Image:    ${i.manifestHash || '(folder)'}`,
    `OS:       ${os}`,
    `Layers:   ${i.layers.filter((l) => l !== '').length}`,
    `Packages: ${installed} installed${ofOs}, ${lower} in lower layers only`,
  ];
}

function section(
  title: string,
  rows: readonly Finding[],
  colour: boolean,
  none: string,
): string[] {
  if (rows.length === 0) return [`${title}: ${none}`];
  const cells = rows.map((f, i) => {
    const prev = rows[i - 1];
    const same = prev && prev.pkg.id === f.pkg.id;
    return [
      same ? '' : f.pkg.name,
      same ? '' : f.pkg.version,
      f.vuln.name,
      f.vuln.normalizedSeverity,
      f.vuln.fixedInVersion || '(no fix)',
      short(f.layer),
    ];
  });
  const widths = HEADER.map((h, c) =>
    Math.max(h.length, ...cells.map((row) => row[c]!.length)),
  );
  const fmt = (row: readonly string[], sev?: Severity) =>
    row
      .map((cell, c) =>
        paint(cell.padEnd(widths[c]!), c === 3 && colour ? sev : undefined),
      )
      .join('  ')
      .trimEnd();
  return [
    `${title}:`,
    fmt(HEADER),
    ...cells.map((row, i) => fmt(row, rows[i]!.vuln.normalizedSeverity)),
  ];
}

/** Lists every lower-layers-only package, vulnerable or not. */
function lowerPackages(r: VulnerabilityReport): string[] {
  const set = r.index.lowerLayersOnly;
  return Object.values(set.packages).map((p) => {
    const env = set.environments[p.id]?.[0];
    const added = short(env?.introducedIn ?? '') || '?';
    const removed = short(env?.removedIn ?? '') || '?';
    return `  ${p.name} ${p.version}: added in ${added}, removed in ${removed}`;
  });
}

function paint(text: string, sev: Severity | undefined): string {
  return sev ? `${COLOURS[sev]}${text}${RESET}` : text;
}

function summary(
  countedRows: readonly Finding[],
  visible: readonly Finding[],
): string {
  const by = SEVERITIES.slice()
    .reverse()
    .map((s) => {
      const n = visible.filter((f) => f.vuln.normalizedSeverity === s).length;
      return `${s.toUpperCase()}: ${n}`;
    });
  const shownText = `${visible.length} shown (${by.join(', ')})`;
  return `Total: ${shownText}; ${countedRows.length} counted`;
}

function short(digest: string): string {
  return digest.startsWith('sha256:') ? digest.slice(7, 19) : digest;
}
