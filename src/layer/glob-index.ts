import { compileGlob, type Glob } from './glob.js';

interface Entry<T> {
  readonly g: Glob;
  readonly v: T;
}

/**
 * Many globs tested against every entry of every layer. Each glob is
 * filed under what a matching path must end with, so that a path is fully
 * matched only against globs it already agrees with at its end:
 * - its file name, for globs whose last component is a literal;
 * - its extension (text from the file name's last dot), for globs whose
 *   last component is `*<suffix>` with a dotted suffix;
 * - its folder's name, for globs ending in `<folder>/*` and the like;
 * - otherwise a list tried in turn, each first checked for its longest
 *   literal text.
 * A path then costs a few slices and Map lookups, whatever the count of
 * globs.
 */
export class GlobIndex<T> {
  private readonly byName = new Map<string, Entry<T>[]>();
  private readonly byExtension = new Map<string, Entry<T>[]>();
  private readonly byParent = new Map<string, Entry<T>[]>();
  private readonly others: Entry<T>[] = [];

  /** `combine` merges the values of several globs matching one path. */
  constructor(private readonly combine: (a: T, b: T) => T) {}

  /** Adds `pattern` (see compileGlob) with its value. */
  add(pattern: string, v: T): void {
    const g = compileGlob(pattern);
    const e = { g, v };
    const ext = extensionOf(g.suffix ?? '');
    if (g.literalName !== undefined) file(this.byName, g.literalName, e);
    else if (ext !== '') file(this.byExtension, ext, e);
    else if (g.parentName !== undefined) file(this.byParent, g.parentName, e);
    else this.others.push(e);
  }

  /** The values of matching globs, merged; undefined when none match. */
  lookup(path: string): T | undefined {
    const slash = path.lastIndexOf('/');
    const name = path.slice(slash + 1);
    let found = this.scan(this.byName.get(name), path, undefined);
    if (this.byExtension.size > 0) {
      const ext = extensionOf(name);
      if (ext !== '') found = this.scan(this.byExtension.get(ext), path, found);
    }
    if (this.byParent.size > 0 && slash > 0) {
      const parent = path.slice(path.lastIndexOf('/', slash - 1) + 1, slash);
      found = this.scan(this.byParent.get(parent), path, found);
    }
    for (const e of this.others) {
      if (!path.includes(e.g.needle) || !e.g.matches(path)) continue;
      found = found === undefined ? e.v : this.combine(found, e.v);
    }
    return found;
  }

  private scan(
    list: readonly Entry<T>[] | undefined,
    path: string,
    found: T | undefined,
  ): T | undefined {
    for (const e of list ?? []) {
      if (!e.g.matches(path)) continue;
      found = found === undefined ? e.v : this.combine(found, e.v);
    }
    return found;
  }
}

function file<T>(m: Map<string, Entry<T>[]>, key: string, e: Entry<T>) {
  const list = m.get(key);
  if (list) list.push(e);
  else m.set(key, [e]);
}

/** From the last dot of a file name or suffix (`.gz` of `.tar.gz`). */
function extensionOf(text: string): string {
  const dot = text.lastIndexOf('.');
  return dot < 0 ? '' : text.slice(dot);
}
