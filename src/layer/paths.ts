/**
 * Path handling for layer entries. Paths inside claro are relative to the
 * image root, `/`-separated, without `.` components or a trailing slash.
 */

/**
 * Why an entry name cannot be used. `empty` is the root itself (`./`),
 * which archives commonly hold and which carries nothing to read.
 */
export type UnsafeReason = 'absolute' | 'parent' | 'empty';

/**
 * Normalises a tar entry name (`./etc/os-release`, `etc/`) to claro's form.
 * Names that climb out of the root with `..` or are absolute are refused:
 * the OCI image spec requires relative paths inside the root.
 */
export function normalizeEntryName(
  name: string,
): { path: string } | { unsafe: UnsafeReason } {
  if (name.startsWith('/')) return { unsafe: 'absolute' };
  // Most names are `./a/b` or `a/b/`, already in claro's form once the
  // leading `./` and a trailing slash are cut: no `.` or `..` part (none
  // starts with a dot), no empty part.
  const start = name.startsWith('./') ? 2 : 0;
  const end = name.endsWith('/') ? name.length - 1 : name.length;
  if (
    end > start &&
    name.charCodeAt(start) !== 0x2e &&
    name.charCodeAt(start) !== 0x2f &&
    !name.includes('/.', start) &&
    !name.includes('//', start)
  ) {
    return { path: name.slice(start, end) };
  }

  const parts: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') return { unsafe: 'parent' };
    parts.push(part);
  }
  if (parts.length === 0) return { unsafe: 'empty' };
  return { path: parts.join('/') };
}

/** The folder holding `path`; '' for the root. */
export function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** Last component of `path`. */
export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Strict ancestors of `path`, nearest first, the root excluded. */
export function ancestors(path: string): string[] {
  const out: string[] = [];
  for (let d = dirname(path); d !== ''; d = dirname(d)) out.push(d);
  return out;
}

/**
 * Resolves a symbolic link target relative to the link's folder, inside
 * the root: `..` at the root stays at the root, as the kernel does for `/`.
 */
export function resolveLink(linkPath: string, target: string): string {
  const start = target.startsWith('/') ? [] : dirname(linkPath).split('/');
  const parts = start.filter((p) => p !== '');
  for (const part of target.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return parts.join('/');
}
