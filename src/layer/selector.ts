import type { PathSelector, Scanner } from '../indexer/scanner.js';
import { createHash } from 'node:crypto';
import { folderPrefixes } from './glob.js';
import { GlobIndex } from './glob-index.js';
import { ancestors, dirname } from './paths.js';

/**
 * What the scanners want of one layer entry: the entry's contents kept
 * whole (up to a size), streamed to extracting scanners, or both.
 */
export interface Selection {
  /**
   * Largest size, in bytes, at which scanners that keep files want it
   * kept whole; undefined when only extracting scanners want it.
   */
  readonly keep: number | undefined;
  /** Scanners with `extract` that want it streamed to them. */
  readonly extract: readonly Scanner[];
}

/**
 * The union of the entries a set of scanners wants from a layer, compiled
 * for lookups once per entry.
 */
export interface CompiledSelector {
  /** What is wanted of the entry at `path`, by path alone. */
  select(path: string): Selection | undefined;
  /**
   * Bytes of a regular file with an execute bit that `selectHead` needs
   * to decide on it; 0 when no scanner selects executables.
   */
  readonly headBytes: number;
  /**
   * What is wanted of a regular file with an execute bit whose contents
   * begin with `head` (at least `headBytes` of them, or the whole file).
   */
  selectHead(head: Buffer): Selection | undefined;
  /**
   * Whether a non-folder entry here could hide wanted paths of lower
   * layers (it stands where a folder leading to them would be).
   */
  watchesFolder(path: string): boolean;
  /** Changes whenever the selection does; part of the layer record key. */
  readonly fingerprint: string;
}

/** Merges two selections of one entry; either may be absent. */
export function mergeSelections(
  a: Selection | undefined,
  b: Selection | undefined,
): Selection | undefined {
  if (!a || !b) return a ?? b;
  const keep =
    a.keep === undefined || b.keep === undefined
      ? (a.keep ?? b.keep)
      : Math.max(a.keep, b.keep);
  return { keep, extract: [...new Set([...a.extract, ...b.extract])] };
}

/** Compiles the selectors of `scanners` into one. */
export function compileSelector(
  scanners: readonly Scanner[],
): CompiledSelector {
  const t = newTables();
  for (const s of scanners) addScanner(t, s);

  return {
    select: (path) =>
      mergeSelections(
        mergeSelections(t.exact.get(path), t.children.get(dirname(path))),
        t.patterns.lookup(path),
      ),
    headBytes: Math.max(0, ...t.heads.map((h) => h.magic.length)),
    selectHead: (head) =>
      t.heads
        .filter((h) => head.subarray(0, h.magic.length).equals(h.magic))
        .reduce<Selection | undefined>(
          (acc, h) => mergeSelections(acc, h.sel),
          undefined,
        ),
    watchesFolder: (path) =>
      t.folders.has(path) || t.folderGlobs.lookup(path) === true,
    fingerprint: fingerprint(scanners),
  };
}

/** The lookup tables of a compiled selector. */
interface Tables {
  readonly exact: Map<string, Selection>;
  readonly children: Map<string, Selection>;
  readonly patterns: GlobIndex<Selection>;
  /** Folders leading to exact paths and children folders. */
  readonly folders: Set<string>;
  /** Folders patterns name (see folderPrefixes). */
  readonly folderGlobs: GlobIndex<true>;
  readonly heads: { magic: Buffer; sel: Selection }[];
}

function newTables(): Tables {
  return {
    exact: new Map(),
    children: new Map(),
    patterns: new GlobIndex((a, b) => mergeSelections(a, b)!),
    folders: new Set(),
    folderGlobs: new GlobIndex<true>(() => true),
    heads: [],
  };
}

function addScanner(t: Tables, s: Scanner): void {
  const sel = selectionOf(s);
  const add = (m: Map<string, Selection>, p: string) =>
    m.set(p, mergeSelections(m.get(p), sel)!);
  for (const p of s.selector.exact ?? []) {
    add(t.exact, p);
    for (const a of ancestors(p)) t.folders.add(a);
  }
  for (const d of s.selector.children ?? []) {
    add(t.children, d);
    for (const a of [d, ...ancestors(d)]) t.folders.add(a);
  }
  for (const p of s.selector.patterns ?? []) {
    t.patterns.add(p, sel);
    for (const f of folderPrefixes(p)) t.folderGlobs.add(f, true);
  }
  for (const m of s.selector.executables?.magic ?? []) {
    t.heads.push({ magic: Buffer.from(m, 'hex'), sel });
  }
}

function selectionOf(s: Scanner): Selection {
  return s.extract
    ? { keep: undefined, extract: [s] }
    : { keep: s.maxFileSize, extract: [] };
}

/**
 * Hash of every path form selected. Sets of exact paths and children
 * folders alone hash as they did before patterns and executables existed,
 * so that their cached layer records stay valid.
 */
function fingerprint(scanners: readonly Scanner[]): string {
  const of = (f: (s: PathSelector) => readonly string[] | undefined) =>
    [...new Set(scanners.flatMap((s) => f(s.selector) ?? []))].sort();
  const h = createHash('sha256');
  for (const p of of((s) => s.exact)) h.update(`e:${p}\n`);
  for (const p of of((s) => s.children)) h.update(`c:${p}\n`);
  for (const p of of((s) => s.patterns)) h.update(`p:${p}\n`);
  for (const m of of((s) => s.executables?.magic)) h.update(`x:${m}\n`);
  return h.digest('hex').slice(0, 16);
}
