/**
 * Readers of single configuration values. Each takes what YAML or the
 * environment gave (undefined when the key is absent) and returns the
 * typed value or throws a ValueError whose message completes
 * "<key>: ...".
 */
import { errorMessage } from '../errors.js';
import { parseListenAddr, type ListenAddr } from './address.js';
import { formatDuration, parseDuration } from './duration.js';

/** A value that does not fit its key; the message says why. */
export class ValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ValueError';
  }
}

/** Turns what YAML or the environment gave into a typed value. */
export type Reader<T> = (value: unknown) => T;

/** The longest delay `setTimeout` accepts: 2^31 - 1 milliseconds. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Undefined stays undefined; anything else goes to `read`. */
export function optional<T>(read: Reader<T>): Reader<T | undefined> {
  return (value) => (value === undefined ? undefined : read(value));
}

/** An absent key reads as `fallback`, itself parsed by `read`. */
export function withDefault<T>(read: Reader<T>, fallback: unknown): Reader<T> {
  return (value) => read(value === undefined ? fallback : value);
}

/** A non-empty string. */
export const text: Reader<string> = (value) => {
  if (typeof value === 'string' && value !== '') return value;
  throw new ValueError(`expected a non-empty string, got ${shown(value)}`);
};

/** One of a fixed list of strings. */
export function oneOf<T extends string>(choices: readonly T[]): Reader<T> {
  return (value) => {
    const found = choices.find((c) => c === value);
    if (found !== undefined) return found;
    throw new ValueError(
      `expected one of ${choices.join(', ')}, got ${shown(value)}`,
    );
  };
}

/** A whole number of at least `min`. */
export function integer(min: number): Reader<number> {
  return (value) => {
    if (typeof value === 'number' && Number.isSafeInteger(value)) {
      if (value >= min) return value;
    }
    throw new ValueError(`expected an integer >= ${min}, got ${shown(value)}`);
  };
}

/** YAML `true`/`false`. */
export const boolean: Reader<boolean> = (value) => {
  if (typeof value === 'boolean') return value;
  throw new ValueError(`expected true or false, got ${shown(value)}`);
};

/** Bounds of a duration, in milliseconds. */
export interface DurationBounds {
  /** The duration must exceed zero (else it may be zero). */
  readonly positive?: boolean;
  readonly max?: number;
  /** Whole seconds only, for values sent in seconds. */
  readonly wholeSeconds?: boolean;
}

/** A Go-style duration string (`6h`, `1h30m`), in milliseconds. */
export function duration(bounds: DurationBounds): Reader<number> {
  return (value) => {
    if (typeof value !== 'string') {
      throw new ValueError(
        `expected a duration like 6h, 30m or 90s, got ${shown(value)}`,
      );
    }
    const ms = wrap(() => parseDuration(value));
    checkDuration(ms, bounds);
    return ms;
  };
}

function checkDuration(ms: number, bounds: DurationBounds): void {
  if (ms < 0) throw new ValueError('must not be negative');
  if (bounds.positive === true && ms === 0) {
    throw new ValueError('must be longer than 0s');
  }
  if (bounds.max !== undefined && ms > bounds.max) {
    throw new ValueError(`must be at most ${formatDuration(bounds.max)}`);
  }
  if (bounds.wholeSeconds === true && ms % 1000 !== 0) {
    throw new ValueError('must be a whole number of seconds');
  }
}

/** `host:port`, `[ipv6]:port` or `:port`. */
export const listenAddr: Reader<ListenAddr> = (value) => {
  if (typeof value !== 'string') {
    throw new ValueError(`expected host:port, got ${shown(value)}`);
  }
  return wrap(() => parseListenAddr(value));
};

/** A list of non-empty strings; a single string is a list of one. */
export const textList: Reader<readonly string[]> = (value) => {
  const items = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(items) || items.length === 0) {
    throw new ValueError(
      `expected a list of non-empty strings, got ${shown(value)}`,
    );
  }
  return items.map((item) => text(item));
};

/** Standard base64 with padding (RFC 4648 §4), nothing else. */
const BASE64 =
  /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * An HMAC key in standard base64. RFC 7518 §3.2 requires a key at least
 * as long as the hash, so HS256 needs 32 bytes; shorter keys are refused.
 */
export function base64Key(minBytes: number): Reader<Buffer> {
  return (value) => {
    if (typeof value !== 'string' || !BASE64.test(value) || value === '') {
      throw new ValueError('expected a key in standard base64 (RFC 4648)');
    }
    const key = Buffer.from(value, 'base64');
    if (key.length < minBytes) {
      throw new ValueError(
        `the key must be at least ${minBytes} bytes, got ${key.length} ` +
          `(generate one with: openssl rand -base64 ${minBytes})`,
      );
    }
    return key;
  };
}

/** How a value is shown in a message; never a secret (keys say less). */
function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

function wrap<T>(step: () => T): T {
  try {
    return step();
  } catch (err) {
    throw new ValueError(errorMessage(err));
  }
}
