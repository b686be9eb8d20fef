/**
 * Durations written the way Go's `time.ParseDuration` reads them, as
 * Clair's configuration does: a sequence of decimal numbers, each with an
 * optional fraction and a unit, with an optional leading sign: `6h`,
 * `1h30m`, `1.5s`, `500ms`, `-2m`. Units: `ns`, `us` (or `µs`, `μs`), `ms`,
 * `s`, `m`, `h`. A bare `0` is allowed; any other number needs a unit.
 *
 * As in Go the value is computed in whole nanoseconds (a fraction finer
 * than the unit's nanosecond is truncated) and must fit in a signed 64-bit
 * count of nanoseconds (about 2,562,047 hours).
 */
import { ClaroError } from '../errors.js';

const NS_PER_UNIT: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n],
  ['us', 1_000n],
  ['\u00b5s', 1_000n], // micro sign
  ['\u03bcs', 1_000n], // Greek small letter mu
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', 60_000_000_000n],
  ['h', 3_600_000_000_000n],
]);

const MAX_NS = 2n ** 63n - 1n;
const NS_PER_MS = 1_000_000n;

/** One `<number><unit>` component: digits, optional fraction, unit. */
const COMPONENT = /^(\d*)(?:\.(\d*))?([^\d.]+)/;

/**
 * Parses a duration and returns it in milliseconds (fractional below one
 * millisecond: `1500us` is 1.5). Throws INVALID_ARGUMENT naming the text
 * and what is wrong with it.
 */
export function parseDuration(text: string): number {
  let rest = text;
  let negative = false;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    negative = rest.startsWith('-');
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw invalid(text, 'empty');

  let total = 0n;
  while (rest !== '') {
    const match = COMPONENT.exec(rest);
    if (match === null) throw invalid(text, missingUnitOrNumber(rest));
    total += componentNs(text, match);
    if (total > MAX_NS) throw invalid(text, 'too large');
    rest = rest.slice(match[0].length);
  }

  const ms = toMilliseconds(total);
  return negative ? -ms : ms;
}

/**
 * Formats milliseconds the way Go prints a duration (`6h0m0s` becomes the
 * shorter `6h`): for messages and documentation.
 */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  const parts: string[] = [];
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1_000],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  if (rest > 0) parts.push(`${rest}ms`);
  return sign + parts.join('');
}

function componentNs(text: string, match: RegExpExecArray): bigint {
  const whole = match[1] ?? '';
  const fraction = match[2] ?? '';
  const unit = match[3] ?? '';
  if (whole === '' && fraction === '') throw invalid(text, 'missing number');

  const size = NS_PER_UNIT.get(unit);
  if (size === undefined) throw invalid(text, `unknown unit "${unit}"`);

  const wholeNs = BigInt(whole === '' ? '0' : whole) * size;
  if (fraction === '') return wholeNs;
  const scale = 10n ** BigInt(fraction.length);
  return wholeNs + (BigInt(fraction) * size) / scale;
}

/** Exact below 2^53 milliseconds, whatever the nanosecond count. */
function toMilliseconds(ns: bigint): number {
  return Number(ns / NS_PER_MS) + Number(ns % NS_PER_MS) / 1e6;
}

function missingUnitOrNumber(rest: string): string {
  return /^[\d.]+$/.test(rest) ? 'missing unit' : 'not a number and unit';
}

function invalid(text: string, reason: string): ClaroError {
  return new ClaroError(
    'INVALID_ARGUMENT',
    `Cannot parse duration "${text}": ${reason} ` +
      '(expected a number and unit, like 6h, 30m, 90s, 1h30m, 500ms)',
  );
}
