import { createInterface } from 'node:readline';
import { once } from 'node:events';

import { isClaroError } from '../errors.js';
import { versionScheme } from './registry.js';
import type { VersionScheme } from './scheme.js';

/** What `claro versions compare` read: pairs rejected, pairs read. */
export interface CompareSummary {
  /** Lines answered `invalid`; the CLI exits non-zero when above 0. */
  readonly invalid: number;
  /** Non-blank lines read. */
  readonly lines: number;
}

const SYMBOLS = ['<', '=', '>'] as const;
const WHITESPACE = /\s+/;

/**
 * Backs `claro versions compare --scheme <id>`: reads one pair `A B` per
 * line (whitespace-separated; blank lines are skipped) and writes one line
 * per pair: `<`, `=` or `>`, or `invalid` when the scheme rejects either
 * version or the line does not hold exactly two words.
 *
 * @throws ClaroError INVALID_ARGUMENT for an unknown scheme id, before
 *   reading anything.
 */
export async function compareVersions(
  schemeId: string,
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
): Promise<CompareSummary> {
  const scheme = versionScheme(schemeId);
  const lines = createInterface({ input, crlfDelay: Infinity });
  let invalid = 0;
  let count = 0;
  for await (const line of lines) {
    const words = line.trim().split(WHITESPACE);
    if (words[0] === '') continue;

    count++;
    const answer = compareLine(scheme, words);
    if (answer === 'invalid') invalid++;
    if (!output.write(`${answer}\n`)) await once(output, 'drain');
  }
  return { invalid, lines: count };
}

function compareLine(scheme: VersionScheme, words: string[]): string {
  const [a, b] = words;
  if (words.length !== 2 || a === undefined || b === undefined) {
    return 'invalid';
  }

  try {
    return SYMBOLS[scheme.compare(a, b) + 1] ?? 'invalid';
  } catch (err) {
    if (isClaroError(err, 'INVALID_VERSION')) return 'invalid';
    throw err;
  }
}
