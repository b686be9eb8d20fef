/**
 * The severity of an OSV record, in claro's fields: `severity` keeps what
 * the record says (a CVSS vector, or a severity word), and
 * `normalizedSeverity` is one of Clair's bands.
 *
 * Sources, in order (the first that gives an answer wins):
 * 1. CVSS vectors (OSV `severity` of the affected entry, then of the
 *    record), CVSS v4.0 before v3.x, scored with ae-cvss-calculator and
 *    banded as the CVSS v3.1 and v4.0 specifications rate scores
 *    ("Qualitative Severity Rating Scale"): 0.1–3.9 Low, 4.0–6.9 Medium,
 *    7.0–8.9 High, 9.0–10.0 Critical. A score of 0.0 (rating "None": no
 *    impact) is Negligible. v3 vectors give their base score; v4 vectors
 *    the score of the metrics they state (CVSS-B, or CVSS-BT with threat
 *    metrics), as the v4.0 specification names them. CVSS v2 vectors are
 *    not read: v2 has another scale and every record with one has a
 *    newer one too in OSV's databases.
 * 2. A severity word: `database_specific.severity` of the record (GitHub's
 *    LOW, MODERATE, HIGH, CRITICAL), then `ecosystem_specific.severity`
 *    and `database_specific.severity` of the affected entry.
 * 3. For distribution records, the rating that starts the summary of a
 *    Red Hat-style advisory (`Important: openssl security update`), the
 *    only severity AlmaLinux's records carry.
 */
import cvss from 'ae-cvss-calculator';

import type { Severity } from '../vuln/types.js';
import type { OsvAffected, OsvRecord, OsvSeverity } from './record.js';

/** A record's severity fields. */
export interface RecordSeverity {
  readonly severity: string;
  readonly normalizedSeverity: Severity;
}

const UNKNOWN: RecordSeverity = { severity: '', normalizedSeverity: 'Unknown' };

/** The base metrics every vector of a version must state. */
const BASE_METRICS: Readonly<Record<'3' | '4', readonly string[]>> = {
  '3': ['AV', 'AC', 'PR', 'UI', 'S', 'C', 'I', 'A'],
  '4': ['AV', 'AC', 'AT', 'PR', 'UI', 'VC', 'VI', 'VA', 'SC', 'SI', 'SA'],
};

/**
 * The severity of one record for one affected entry (see the module
 * comment for the order of sources).
 */
export function recordSeverity(
  record: OsvRecord,
  affected: OsvAffected,
  opts: { readonly distribution: boolean },
): RecordSeverity {
  return (
    vectorSeverity([
      ...(affected.severity ?? []),
      ...(record.severity ?? []),
    ]) ??
    wordSeverity([
      record.database_specific?.['severity'],
      affected.ecosystem_specific?.['severity'],
      affected.database_specific?.['severity'],
    ]) ??
    (opts.distribution ? summarySeverity(record.summary) : undefined) ??
    UNKNOWN
  );
}

/** The first scorable vector, v4 before v3. */
function vectorSeverity(
  entries: readonly OsvSeverity[],
): RecordSeverity | undefined {
  for (const type of ['CVSS_V4', 'CVSS_V3']) {
    for (const e of entries.filter((s) => s.type === type)) {
      const score = cvssScore(e.score);
      if (score !== undefined) {
        return { severity: e.score, normalizedSeverity: cvssBand(score) };
      }
    }
  }
  return undefined;
}

/**
 * The score of a CVSS v3.0, v3.1 or v4.0 vector, or undefined when it is
 * not one: another version, a metric or value the specification does not
 * define, or a base metric missing.
 */
export function cvssScore(vector: string): number | undefined {
  const version = /^CVSS:(3\.0|3\.1|4\.0)\//.exec(vector)?.[1];
  if (version === undefined) return undefined;

  const stated = new Set(
    vector
      .split('/')
      .slice(1)
      .map((m) => m.split(':')[0]),
  );
  const major = version === '4.0' ? '4' : '3';
  if (!BASE_METRICS[major].every((m) => stated.has(m))) return undefined;

  try {
    return scoreOf(version, vector);
  } catch {
    return undefined;
  }
}

/** Scores a vector; the calculator throws on undefined metrics or values. */
function scoreOf(version: string, vector: string): number | undefined {
  if (version === '4.0') return new cvss.Cvss4P0(vector).calculateScores().base;
  const calc =
    version === '3.0' ? new cvss.Cvss3P0(vector) : new cvss.Cvss3P1(vector);
  return calc.calculateScores().base;
}

/** Clair's band of a CVSS v3/v4 score (0.0 to 10.0). */
export function cvssBand(score: number): Severity {
  if (score >= 9) return 'Critical';
  if (score >= 7) return 'High';
  if (score >= 4) return 'Medium';
  if (score > 0) return 'Low';
  return 'Negligible';
}

/**
 * Severity words as OSV databases write them: GitHub's (LOW, MODERATE,
 * HIGH, CRITICAL), Red Hat-style ratings (Low, Moderate, Important,
 * Critical), Ubuntu's priorities (negligible, low, medium, high,
 * critical) and Debian's (unimportant).
 */
const WORDS: ReadonlyMap<string, Severity> = new Map([
  ['critical', 'Critical'],
  ['important', 'High'],
  ['high', 'High'],
  ['moderate', 'Medium'],
  ['medium', 'Medium'],
  ['low', 'Low'],
  ['negligible', 'Negligible'],
  ['unimportant', 'Negligible'],
  ['none', 'Negligible'],
]);

/**
 * The first severity word among the candidates, kept as given with its
 * band (Unknown for a word outside WORDS); undefined when none is a
 * non-empty string.
 */
export function wordSeverity(
  candidates: readonly unknown[],
): RecordSeverity | undefined {
  for (const c of candidates) {
    if (typeof c !== 'string' || c.trim() === '') continue;
    const band = WORDS.get(c.trim().toLowerCase()) ?? 'Unknown';
    return { severity: c, normalizedSeverity: band };
  }
  return undefined;
}

/** `Important: openssl security update` → Important. */
function summarySeverity(
  summary: string | undefined,
): RecordSeverity | undefined {
  const word = /^(Low|Moderate|Important|Critical):/.exec(summary ?? '')?.[1];
  return word === undefined ? undefined : wordSeverity([word]);
}
