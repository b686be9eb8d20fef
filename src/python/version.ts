import {
  invalidVersion,
  type Ordering,
  type VersionScheme,
} from '../versions/scheme.js';
import { isClaroError } from '../errors.js';

/** A pre-release phase, normalised: alpha, beta, release candidate. */
export type Pep440Phase = 'a' | 'b' | 'rc';

/** A pre-release: its normalised phase and number (`rc1`). */
export interface Pep440Pre {
  readonly phase: Pep440Phase;
  readonly number: bigint;
}

/**
 * A Python package version as PEP 440 ("Version scheme") defines it:
 * `[N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]`, numbers at any size.
 */
export interface Pep440Version {
  /** The epoch; 0 when the version has none. */
  readonly epoch: bigint;
  /** The release segment, as written: `1.0` keeps its trailing zero. */
  readonly release: readonly bigint[];
  readonly pre: Pep440Pre | undefined;
  readonly post: bigint | undefined;
  readonly dev: bigint | undefined;
  /**
   * The local version label split at `.`, `-` and `_`: all-digit parts as
   * numbers, other parts lower-cased; undefined when there is none.
   */
  readonly local: readonly (bigint | string)[] | undefined;
}

/**
 * PEP 440, appendix B ("Parsing version strings with regular
 * expressions"), with every spelling the normalisation section allows;
 * matched without regard to case. `postN1` is the implicit post-release
 * number of `1.0-1`.
 */
const PEP440 = new RegExp(
  '^v?(?:(?<epoch>[0-9]+)!)?(?<release>[0-9]+(?:\\.[0-9]+)*)' +
    '(?:[-_.]?(?<preL>alpha|a|beta|b|preview|pre|c|rc)' +
    '[-_.]?(?<preN>[0-9]+)?)?' +
    '(?:-(?<postN1>[0-9]+)' +
    '|[-_.]?(?<postL>post|rev|r)[-_.]?(?<postN2>[0-9]+)?)?' +
    '(?:[-_.]?(?<devL>dev)[-_.]?(?<devN>[0-9]+)?)?' +
    '(?:\\+(?<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?$',
  'i',
);

/**
 * The characters Python's `str.isspace` calls whitespace, which
 * `packaging` strips from both ends of a version.
 */
const SPACE =
  '[\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029' +
  '\\u202f\\u205f\\u3000]*';
const SURROUNDING_SPACE = new RegExp(`^${SPACE}|${SPACE}$`, 'g');
const NON_ASCII = /[^\x00-\x7f]/;

const PHASES: Readonly<Record<string, Pep440Phase>> = {
  a: 'a',
  alpha: 'a',
  b: 'b',
  beta: 'b',
  c: 'rc',
  pre: 'rc',
  preview: 'rc',
  rc: 'rc',
};

/**
 * Parses a version as PEP 440 and Python's `packaging.version.Version`
 * (the reference in claro's tests) do: any case, a leading `v`, the
 * alternative separators and spellings of the normalisation section
 * (`1.0-alpha.1` is `1.0a1`, `1.0-1` is `1.0.post1`, `1.0.dev` is
 * `1.0.dev0`), surrounding whitespace ignored.
 *
 * Known difference: `packaging` lets four non-ASCII letters stand for
 * ASCII ones (its regular expression ignores case the Unicode way, so
 * the Kelvin sign U+212A matches `k`); claro rejects every non-ASCII
 * character.
 *
 * @throws ClaroError INVALID_VERSION naming the reason.
 */
export function parsePep440(version: string): Pep440Version {
  const text = version.replace(SURROUNDING_SPACE, '');
  if (NON_ASCII.test(text)) {
    throw invalidVersion('pep440', version, 'non-ASCII character');
  }

  const g = PEP440.exec(text)?.groups;
  if (!g) throw invalidVersion('pep440', version, 'not a PEP 440 version');

  return {
    epoch: BigInt(g['epoch'] ?? 0),
    release: g['release']!.split('.').map(BigInt),
    pre: g['preL'] === undefined ? undefined : parsePre(g['preL'], g['preN']),
    post: parsePost(g),
    dev: g['devL'] === undefined ? undefined : number(g['devN']),
    local: g['local'] === undefined ? undefined : parseLocal(g['local']),
  };
}

/** Like {@link parsePep440}, but returns undefined when invalid. */
export function tryParsePep440(version: string): Pep440Version | undefined {
  try {
    return parsePep440(version);
  } catch (err) {
    if (isClaroError(err, 'INVALID_VERSION')) return undefined;
    throw err;
  }
}

/**
 * Orders two parsed versions as PEP 440's "Summary of permitted suffixes
 * and relative ordering" says and `packaging` implements it: epoch, then
 * release (trailing zeros ignored, so `1.0` equals `1.0.0`), then
 * `.devN` < `aN` < `bN` < `rcN` < release < `.postN` (a dev release of a
 * pre- or post-release sorts just before it), then the local label (a
 * version without one is the lowest; parts compare in turn, numeric ones
 * numerically and above alphanumeric ones, a prefix below the longer
 * label).
 */
export function comparePep440(a: Pep440Version, b: Pep440Version): Ordering {
  return (
    compareBig(a.epoch, b.epoch) ||
    compareRelease(a.release, b.release) ||
    compareKeys(preKey(a), preKey(b)) ||
    compareKeys(optionalKey(a.post, -1n), optionalKey(b.post, -1n)) ||
    compareKeys(optionalKey(a.dev, 1n), optionalKey(b.dev, 1n)) ||
    compareLocal(a.local, b.local)
  );
}

/**
 * The normalised form (PEP 440, "Normalization"): `1!2.0rc1.post3.dev4+x.5`;
 * no epoch when it is 0, numbers without leading zeros, lower case.
 */
export function formatPep440(v: Pep440Version): string {
  const parts = [
    v.epoch === 0n ? '' : `${v.epoch}!`,
    v.release.join('.'),
    v.pre === undefined ? '' : `${v.pre.phase}${v.pre.number}`,
    v.post === undefined ? '' : `.post${v.post}`,
    v.dev === undefined ? '' : `.dev${v.dev}`,
    v.local === undefined ? '' : `+${v.local.join('.')}`,
  ];
  return parts.join('');
}

/**
 * The `pep440` version scheme of Python packages (PyPI, and OSV's PyPI
 * records), per PEP 440 as Python's `packaging` implements it.
 */
export const pep440Scheme: VersionScheme = {
  id: 'pep440',
  valid: (version) => tryParsePep440(version) !== undefined,
  compare: (a, b) => comparePep440(parsePep440(a), parsePep440(b)),
};

type Groups = Record<string, string | undefined>;

/** `-N` (as in `1.0-1`), or a post label and an optional number. */
function parsePost(g: Groups): bigint | undefined {
  if (g['postN1'] !== undefined) return BigInt(g['postN1']);
  return g['postL'] === undefined ? undefined : number(g['postN2']);
}

function parsePre(phase: string, n: string | undefined): Pep440Pre {
  return { phase: PHASES[phase.toLowerCase()]!, number: number(n) };
}

/** A missing number after a label reads as 0 (`1.0rc` is `1.0rc0`). */
function number(digits: string | undefined): bigint {
  return BigInt(digits ?? 0);
}

function parseLocal(local: string): (bigint | string)[] {
  return local
    .toLowerCase()
    .split(/[-_.]/)
    .map((part) => (/^[0-9]+$/.test(part) ? BigInt(part) : part));
}

/** A sort key: a rank, then values compared only between equal ranks. */
type Key = readonly bigint[];

/**
 * Ranks the pre-release: a dev release of a plain release (`1.0.dev1`)
 * below every pre-release, no pre-release above every one.
 */
function preKey(v: Pep440Version): Key {
  if (v.pre !== undefined) {
    return [0n, BigInt(['a', 'b', 'rc'].indexOf(v.pre.phase)), v.pre.number];
  }
  return v.post === undefined && v.dev !== undefined ? [-1n] : [1n];
}

/** A present number ranks 0; an absent one ranks `absent`. */
function optionalKey(n: bigint | undefined, absent: bigint): Key {
  return n === undefined ? [absent] : [0n, n];
}

function compareKeys(a: Key, b: Key): Ordering {
  for (let i = 0; i < a.length && i < b.length; i++) {
    const order = compareBig(a[i]!, b[i]!);
    if (order !== 0) return order;
  }
  return 0;
}

function compareRelease(a: readonly bigint[], b: readonly bigint[]): Ordering {
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const order = compareBig(a[i] ?? 0n, b[i] ?? 0n);
    if (order !== 0) return order;
  }
  return 0;
}

function compareLocal(
  a: Pep440Version['local'],
  b: Pep440Version['local'],
): Ordering {
  if (a === undefined || b === undefined) {
    return a === b ? 0 : a === undefined ? -1 : 1;
  }

  for (let i = 0; i < a.length && i < b.length; i++) {
    const order = compareLocalPart(a[i]!, b[i]!);
    if (order !== 0) return order;
  }
  return compareBig(BigInt(a.length), BigInt(b.length));
}

/** Numbers rank above strings; each compares within its own kind. */
function compareLocalPart(a: bigint | string, b: bigint | string): Ordering {
  if (typeof a !== typeof b) return typeof a === 'bigint' ? 1 : -1;
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function compareBig(a: bigint, b: bigint): Ordering {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
