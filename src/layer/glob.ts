import { ClaroError } from '../errors.js';

/**
 * Path globs for layer selectors, matched against claro's paths (relative
 * to the root, `/`-separated, no `.` components, no trailing slash).
 *
 * A pattern is `/`-separated components:
 * - `**` alone matches zero or more whole components;
 * - in any other component, `*` matches any run of characters other than
 *   `/` (including none);
 * - every other character matches itself, case-sensitively.
 *
 * There is no `?`, no character class and no brace: selectors name what
 * they want precisely, and every tar entry of every layer is tested, so a
 * match must stay a few string comparisons. Matching runs from the last
 * component backwards, where patterns are most specific.
 */
export interface Glob {
  /** The pattern as written. */
  readonly source: string;
  matches(path: string): boolean;
  /**
   * What a matching path must look like at its end, for indexing globs
   * (see GlobIndex): its file name, when the last component is a literal
   * (`METADATA` of `**\/*.dist-info/METADATA`); the text it ends with,
   * when the last component is a `*` glob (`.jar` of `**\/*.jar`, maybe
   * empty); and the name of its folder, when the last component is not
   * `**` and the one before it is a literal (`node_modules` of
   * `**\/node_modules/*`).
   */
  readonly literalName: string | undefined;
  readonly suffix: string | undefined;
  readonly parentName: string | undefined;
  /** The longest literal text a matching path must contain. */
  readonly needle: string;
}

type Segment =
  | { readonly kind: 'any' }
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'star'; readonly parts: readonly string[] };

/**
 * Compiles `pattern`. Throws INTERNAL for a malformed one (empty
 * components, `.` or `..`, a leading or trailing slash, `**` mixed with
 * other characters): patterns come from scanner declarations, not users.
 */
export function compileGlob(pattern: string): Glob {
  const segments = pattern.split('/').map((c) => segment(pattern, c));
  const last = segments[segments.length - 1]!;
  const parent = segments[segments.length - 2];
  return {
    source: pattern,
    matches: (path) =>
      matchAt(segments, segments.length - 1, path, path.length),
    literalName: last.kind === 'literal' ? last.text : undefined,
    suffix:
      last.kind === 'star' ? last.parts[last.parts.length - 1] : undefined,
    parentName:
      last.kind !== 'any' && parent?.kind === 'literal'
        ? parent.text
        : undefined,
    needle: longestLiteral(segments),
  };
}

function longestLiteral(segments: readonly Segment[]): string {
  let best = '';
  for (const s of segments) {
    const texts =
      s.kind === 'literal' ? [s.text] : s.kind === 'star' ? s.parts : [];
    for (const t of texts) if (t.length > best.length) best = t;
  }
  return best;
}

/**
 * Proper prefixes of `pattern` that end in a component other than `**`:
 * the folders a path matching `pattern` must lie in, as globs
 * (`**\/site-packages` for `**\/site-packages/*.dist-info/METADATA`).
 */
export function folderPrefixes(pattern: string): string[] {
  const parts = pattern.split('/');
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) {
    if (parts[i - 1] !== '**') out.push(parts.slice(0, i).join('/'));
  }
  return out;
}

function segment(pattern: string, c: string): Segment {
  if (c === '**') return { kind: 'any' };
  if (c === '' || c === '.' || c === '..' || c.includes('**')) {
    throw new ClaroError(
      'INTERNAL',
      `Cannot compile path pattern ${JSON.stringify(pattern)}: ` +
        `component ${JSON.stringify(c)} is not allowed`,
    );
  }
  if (!c.includes('*')) return { kind: 'literal', text: c };
  return { kind: 'star', parts: c.split('*') };
}

/**
 * Whether `segs[0..si]` matches `path[0..end)`, where `end` is 0 (nothing
 * left) or the end of a component.
 */
function matchAt(
  segs: readonly Segment[],
  si: number,
  path: string,
  end: number,
): boolean {
  if (si < 0) return end === 0;
  const seg = segs[si]!;
  if (end === 0) return seg.kind === 'any' && matchAt(segs, si - 1, path, 0);

  const start = path.lastIndexOf('/', end - 1) + 1;
  const rest = start === 0 ? 0 : start - 1;
  if (seg.kind === 'any') {
    return matchAt(segs, si - 1, path, end) || matchAt(segs, si, path, rest);
  }
  if (!componentMatches(seg, path, start, end)) return false;
  return matchAt(segs, si - 1, path, rest);
}

function componentMatches(
  seg: Exclude<Segment, { kind: 'any' }>,
  path: string,
  start: number,
  end: number,
): boolean {
  if (seg.kind === 'literal') {
    return end - start === seg.text.length && path.startsWith(seg.text, start);
  }
  const parts = seg.parts;
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  if (end - start < first.length + last.length) return false;
  if (!path.startsWith(first, start) || !path.endsWith(last, end)) {
    return false;
  }
  let at = start + first.length;
  const stop = end - last.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const found = path.indexOf(parts[i]!, at);
    if (found < 0 || found + parts[i]!.length > stop) return false;
    at = found + parts[i]!.length;
  }
  return true;
}
