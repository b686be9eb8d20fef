import assert from 'node:assert/strict';

import { isClaroError } from '../../errors.js';
import type { VersionScheme } from '../scheme.js';

/**
 * Helpers for the tests that check a version scheme against its reference
 * implementation (dpkg, apk-tools, rpm, packaging, npm's semver, Maven,
 * RubyGems) on thousands of pairs: deterministic pair samples from real
 * versions or from generated ones, verdicts, and the skip-or-fail rule
 * for a missing reference tool.
 */

/** A comparison's outcome as both claro and a reference tool state it. */
export type Verdict = '<' | '=' | '>' | 'invalid';

/** Two versions to compare. */
export type Pair = readonly [string, string];

/** Versions grouped by package, for neighbour sampling. */
export type VersionsByPackage = Map<string, Set<string>>;

/** One pair on which claro and the reference disagree. */
export interface Mismatch {
  readonly a: string;
  readonly b: string;
  readonly claro: Verdict;
  readonly reference: Verdict | undefined;
}

/** claro's verdict on a pair: `invalid` when the scheme rejects either. */
export function verdict(scheme: VersionScheme, a: string, b: string): Verdict {
  try {
    return (['<', '=', '>'] as const)[scheme.compare(a, b) + 1] ?? '=';
  } catch (err) {
    if (isClaroError(err, 'INVALID_VERSION')) return 'invalid';
    throw err;
  }
}

/** The pairs on which claro's verdicts differ from the reference's. */
export function mismatches(
  scheme: VersionScheme,
  pairs: readonly Pair[],
  reference: readonly Verdict[],
): Mismatch[] {
  assert.equal(reference.length, pairs.length, 'one verdict per pair');
  return pairs
    .map(([a, b], i) => ({
      a,
      b,
      claro: verdict(scheme, a, b),
      reference: reference[i],
    }))
    .filter((m) => m.claro !== m.reference);
}

/** Adds a version to its package's set. */
export function addVersion(
  byPackage: VersionsByPackage,
  pkg: string,
  version: string,
): void {
  const set = byPackage.get(pkg) ?? new Set<string>();
  byPackage.set(pkg, set.add(version));
}

/** How {@link samplePairs} samples. */
export interface SampleOptions {
  /** Seed of {@link seededRandom}; the same seed gives the same pairs. */
  readonly seed: number;
  /** Pairs of versions picked anywhere in the pool. */
  readonly crossPairs: number;
  /** Share of neighbour pairs kept; all of them when absent. */
  readonly neighbourRate?: number;
}

/**
 * Deterministic pairs from real versions: each package's versions against
 * their neighbours in sorted (string) order, where near-equal versions
 * meet, plus random pairs across all packages.
 */
export function samplePairs(
  byPackage: ReadonlyMap<string, ReadonlySet<string>>,
  options: SampleOptions,
): [string, string][] {
  const random = seededRandom(options.seed);
  const rate = options.neighbourRate;
  const pairs: [string, string][] = [];
  for (const versions of byPackage.values()) {
    const sorted = [...versions].sort();
    for (let i = 1; i < sorted.length; i++) {
      if (rate === undefined || random() < rate) {
        pairs.push([sorted[i - 1]!, sorted[i]!]);
      }
    }
  }

  const all = [...new Set([...byPackage.values()].flatMap((v) => [...v]))];
  for (let i = 0; i < options.crossPairs; i++) {
    pairs.push([pick(all, random), pick(all, random)]);
  }
  return pairs;
}

/**
 * Spellings of one part of a scheme's grammar: the usual ones (`''` for
 * "absent", repeated to make it likelier) and odd ones (loose or
 * malformed), picked at {@link GenerateOptions.oddRate}.
 */
export interface Slot {
  readonly usual: readonly string[];
  readonly odd?: readonly string[];
}

/** How {@link generatedPairs} builds versions. */
export interface GenerateOptions {
  readonly seed: number;
  readonly count: number;
  /** A version is one spelling from each slot, concatenated. */
  readonly slots: readonly Slot[];
  /** Chance to pick a slot's odd spelling; 0.04 when absent. */
  readonly oddRate?: number;
}

/**
 * Deterministic pairs of generated versions: the first of a pair picks
 * from every slot; the second usually repicks one or two slots of the
 * first (so the pair differs only where the scheme's rules decide),
 * sometimes it is an unrelated version.
 */
export function generatedPairs(options: GenerateOptions): [string, string][] {
  const random = seededRandom(options.seed);
  const oddRate = options.oddRate ?? 0.04;
  const spell = ({ usual, odd }: Slot): string =>
    odd && odd.length > 0 && random() < oddRate
      ? pick(odd, random)
      : pick(usual, random);

  const { slots } = options;
  const pairs: [string, string][] = [];
  for (let i = 0; i < options.count; i++) {
    const a = slots.map(spell);
    const b = random() < 0.15 ? slots.map(spell) : [...a];
    for (let edits = random() < 0.7 ? 1 : 2; edits > 0; edits--) {
      const at = Math.floor(random() * slots.length);
      b[at] = spell(slots[at]!);
    }
    pairs.push([a.join(''), b.join('')]);
  }
  return pairs;
}

/** A slot from `|`-separated usual and odd spellings (`''` is one). */
export function slot(usual: string, odd = ''): Slot {
  return { usual: usual.split('|'), odd: odd === '' ? [] : odd.split('|') };
}

/** A random element; the list must not be empty. */
export function pick<T>(list: readonly T[], random: () => number): T {
  return list[Math.floor(random() * list.length)]!;
}

/** mulberry32: a small PRNG, so a sample is the same on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** How a test treats a missing reference tool. */
export interface ReferenceOptions {
  /**
   * Whether CI (`CI=true`) must have the tool: then its absence fails
   * the test; otherwise, and outside CI, the test is skipped with the
   * problem as the visible reason.
   */
  readonly requiredOnCi: boolean;
}

/**
 * Decides whether a comparison against a reference tool can run: true
 * when `problem` is undefined; otherwise fails or skips as
 * {@link ReferenceOptions} says, naming the problem.
 */
export function referenceReady(
  t: { skip(message: string): void },
  problem: string | undefined,
  options: ReferenceOptions,
): boolean {
  if (problem === undefined) return true;

  if (options.requiredOnCi && process.env['CI'] === 'true') {
    assert.fail(problem);
  }
  t.skip(problem);
  return false;
}
