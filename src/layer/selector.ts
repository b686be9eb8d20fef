import type { PathSelector, Scanner } from '../indexer/scanner.js';
import { createHash } from 'node:crypto';
import { ancestors, dirname } from './paths.js';

/**
 * The union of the paths a set of scanners wants from a layer, compiled
 * for lookups once per entry.
 */
export interface CompiledSelector {
  /** Whether the layer reader keeps this path's contents. */
  wants(path: string): boolean;
  /** Size cap for a wanted path, in bytes. */
  maxSize(path: string): number;
  /**
   * Whether a non-folder entry here could hide wanted paths of lower
   * layers (it stands where a folder leading to them would be).
   */
  watchesFolder(path: string): boolean;
  /** Changes whenever the selection does; part of the layer record key. */
  readonly fingerprint: string;
}

/** Compiles the selectors of `scanners` into one. */
export function compileSelector(
  scanners: readonly Scanner[],
): CompiledSelector {
  const exact = new Map<string, number>();
  const children = new Map<string, number>();
  const folders = new Set<string>();
  for (const s of scanners) addSelector(s.selector, s.maxFileSize);
  return {
    wants: (path) => exact.has(path) || children.has(dirname(path)),
    maxSize: (path) =>
      Math.max(exact.get(path) ?? 0, children.get(dirname(path)) ?? 0),
    watchesFolder: (path) => folders.has(path),
    fingerprint: fingerprint(exact, children),
  };

  function addSelector(sel: PathSelector, max: number): void {
    for (const p of sel.exact ?? []) {
      exact.set(p, Math.max(exact.get(p) ?? 0, max));
      for (const a of ancestors(p)) folders.add(a);
    }
    for (const d of sel.children ?? []) {
      children.set(d, Math.max(children.get(d) ?? 0, max));
      folders.add(d);
      for (const a of ancestors(d)) folders.add(a);
    }
  }
}

function fingerprint(
  exact: ReadonlyMap<string, number>,
  children: ReadonlyMap<string, number>,
): string {
  const h = createHash('sha256');
  for (const p of [...exact.keys()].sort()) h.update(`e:${p}\n`);
  for (const p of [...children.keys()].sort()) h.update(`c:${p}\n`);
  return h.digest('hex').slice(0, 16);
}
