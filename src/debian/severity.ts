/**
 * Debian security tracker urgencies and Clair's normalized severities.
 *
 * The tracker gives each (CVE, package, release) an urgency: `unimportant`,
 * `low`, `medium`, `high`, `not yet assigned` or `end-of-life`; one or two
 * `*` after the word mark a guess and an uncertain guess (tracker
 * documentation, "Urgency levels"). The DSA and DLA lists carry none.
 */
import type { Severity } from '../vuln/types.js';

const URGENCY_SEVERITY: Readonly<Record<string, Severity>> = {
  unimportant: 'Negligible',
  low: 'Low',
  medium: 'Medium',
  high: 'High',
};

/**
 * Maps a tracker urgency to a normalized severity, ignoring `*` marks and
 * case. `not yet assigned`, `end-of-life` (the release gets no fix, which
 * says nothing of the flaw's weight), an empty urgency and unknown words
 * are `Unknown`.
 */
export function normalizeUrgency(urgency: string): Severity {
  const word = urgency.replace(/\*+$/, '').trim().toLowerCase();
  return URGENCY_SEVERITY[word] ?? 'Unknown';
}
