import type { BaselineResult, BlobRange } from './baseline.js';
import type { CaseResult } from './cases.js';
import type { ChildReport } from './memory-child.js';
import type { ScanTiming } from './scan.js';
import { mib, ms } from './stats.js';
import type { StoreTemplate } from './store.js';

/** Peak resident memory any scan may reach. */
export const MEMORY_GOAL = 256 * 2 ** 20;
/** Goals of the ratios, at most. */
export const COLD_GOAL = 1.2;
export const WARM_GOAL = 0.1;
export const MEMORY_SPREAD_GOAL = 0.1;

/** Everything one bench run measured. */
export interface Figures {
  readonly template: StoreTemplate;
  readonly ranges: readonly BlobRange[];
  readonly synthetic: { readonly dir: string; readonly layerBytes: number };
  /** Tuning results, with `ms` the median of the paired runs. */
  readonly baseline: BaselineResult & { readonly paired: readonly number[] };
  readonly cold: CaseResult;
  readonly warm: CaseResult;
  /** Cumulative stages of the cold path, one layer after another. */
  readonly phases: readonly { label: string; ms: number }[];
  readonly memory: {
    readonly idle: ChildReport;
    readonly debian: ChildReport;
    readonly synthetic: ChildReport;
  };
}

type Row = readonly [string, string, string, string, string, string];

/** Prints the figures as a table, then the details behind them. */
export function printReport(f: Figures): void {
  const rows: Row[] = [
    ['figure', 'value', 'baseline', 'ratio', 'goal', 'met'],
    coldRow(f),
    warmRow(f),
    ...memoryRows(f),
  ];
  console.log(table(rows));
  console.log();
  for (const line of details(f)) console.log(line);
}

function coldRow(f: Figures): Row {
  const r = f.cold.median.total / f.baseline.ms;
  return [
    'cold scan (index+match)',
    ms(f.cold.median.total),
    `gunzip ${ms(f.baseline.ms)}`,
    r.toFixed(2),
    `<= ${COLD_GOAL.toFixed(2)}`,
    met(r <= COLD_GOAL),
  ];
}

function warmRow(f: Figures): Row {
  const r = f.warm.median.total / f.cold.median.total;
  return [
    'warm scan',
    ms(f.warm.median.total),
    `cold ${ms(f.cold.median.total)}`,
    r.toFixed(3),
    `<= ${WARM_GOAL.toFixed(2)}`,
    met(r <= WARM_GOAL),
  ];
}

function memoryRows(f: Figures): Row[] {
  const { idle, debian, synthetic } = f.memory;
  const spread =
    Math.abs(synthetic.peakBytes - debian.peakBytes) /
    Math.min(synthetic.peakBytes, debian.peakBytes);
  const big = `peak RSS, ${mib(f.synthetic.layerBytes)} layer`;
  return [
    [
      'peak RSS, Debian image',
      mib(debian.peakBytes),
      `idle ${mib(idle.peakBytes)}`,
      (debian.peakBytes / idle.peakBytes).toFixed(2),
      '<= 256 MiB',
      met(debian.peakBytes <= MEMORY_GOAL),
    ],
    [
      big,
      mib(synthetic.peakBytes),
      `Debian ${mib(debian.peakBytes)}`,
      (synthetic.peakBytes / debian.peakBytes).toFixed(2),
      '<= 256 MiB, 10%',
      met(synthetic.peakBytes <= MEMORY_GOAL && spread <= MEMORY_SPREAD_GOAL),
    ],
  ];
}

function details(f: Figures): string[] {
  const layers = f.ranges.map((r) => mib(r.size)).join(' + ');
  const loaded = f.template.outcomes
    .map((o) => `${o.updater} ${o.status}${o.count ? ` (${o.count})` : ''}`)
    .join(', ');
  return [
    `Medians of ${f.cold.runs.length} runs. Debian layers (gzip): ${layers}.`,
    `Vulnerability data: ${f.template.records} records: ${loaded}.`,
    `cold phases: ${phases(f.cold.median)}`,
    `warm phases: ${phases(f.warm.median)}`,
    `cold runs: ${f.cold.runs.map((t) => ms(t.total)).join(', ')}`,
    `cold path by stage, layers in turn: ${f.phases
      .map((p) => `${p.label} ${ms(p.ms)}`)
      .join(', ')}`,
    `baseline runs (each just before a cold run): ${f.baseline.paired
      .map(ms)
      .join(', ')}`,
    `baseline settings tried (${f.cold.runs.length} runs each): ${f.baseline.tried
      .map((t) => `${t.label}: ${ms(t.ms)}`)
      .join('; ')}`,
    `memory scans: Debian ${childLine(f.memory.debian)}; ` +
      `generated ${childLine(f.memory.synthetic)}`,
    `generated image: ${f.synthetic.dir}`,
  ];
}

function phases(t: ScanTiming): string {
  return (
    `open ${ms(t.open)}, index ${ms(t.index)}, match ${ms(t.match)}; ` +
    `layers scanned ${t.stats.scanned}, reused ${t.stats.reused}; ` +
    `${t.packages} packages, ${t.vulnerabilities} vulnerabilities`
  );
}

function childLine(c: ChildReport): string {
  return `${ms(c.ms)}, ${c.packages} packages, ${c.vulnerabilities} vulns`;
}

function met(ok: boolean): string {
  return ok ? 'yes' : 'NO';
}

function table(rows: readonly Row[]): string {
  const widths = rows[0]!.map((_, i) =>
    Math.max(...rows.map((r) => r[i]!.length)),
  );
  const line = (r: Row) =>
    r
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(rows[0]!), rule, ...rows.slice(1).map(line)].join('\n');
}
