import { JAVA_ARCHIVE_PATTERNS } from '../java/scanner.js';
import { GlobIndex } from '../layer/glob-index.js';
import { NPM_PATTERNS } from '../npm/scanner.js';
import { PYTHON_PATTERNS } from '../python/scanner.js';
import { GEM_PATTERNS } from '../rubygems/scanner.js';
import type { OwnedFiles, OwnershipFinding } from './types.js';

/**
 * The files of OS packages that could be language packages: where the
 * Python, npm, RubyGems and Java scanners find theirs, and the folders
 * executables are installed into (Go binaries are found by their bytes,
 * anywhere; an OS package installs its programs into these).
 *
 * OS scanners keep only these paths of their packages' file lists, so
 * that stored results stay small (a Debian image lists tens of thousands
 * of files). Known limitation: a Go binary an OS package installs outside
 * these folders (`usr/lib/<package>/…`) is not seen as owned.
 */
export const OWNERSHIP_PATTERNS: readonly string[] = [
  ...PYTHON_PATTERNS,
  ...NPM_PATTERNS,
  ...GEM_PATTERNS,
  ...JAVA_ARCHIVE_PATTERNS,
  '**/bin/*',
  '**/sbin/*',
  '**/libexec/**',
];

const CANDIDATES = new GlobIndex<true>(() => true);
for (const p of OWNERSHIP_PATTERNS) CANDIDATES.add(p, true);

/** Top folders that merged-/usr systems link into `usr/`. */
const MERGED_USR = new Set(['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32']);

/**
 * A layer path as an OS file list names it (`/usr/bin/x`, `/bin/x`, with
 * a leading slash) or as a layer holds it, in one form for comparison:
 * relative, and under `usr/` for the folders merged-/usr systems link
 * there (dpkg lists `/bin/bash` where the layer holds `usr/bin/bash`).
 */
export function canonicalPath(path: string): string {
  let p = path;
  while (p.startsWith('/')) p = p.slice(1);
  if (p.startsWith('./')) p = p.slice(2);
  const slash = p.indexOf('/');
  const top = slash < 0 ? p : p.slice(0, slash);
  return MERGED_USR.has(top) ? `usr/${p}` : p;
}

/**
 * Whether an OS package's file (as its list names it, with or without a
 * leading slash) is kept in ownership findings.
 */
export function isOwnershipCandidate(path: string): boolean {
  return CANDIDATES.lookup(canonicalPath(path)) === true;
}

/**
 * The ownership finding of one listing file: each package's candidate
 * files, canonical (see canonicalPath). Undefined when no package has
 * any, so that scanners record nothing for most listings.
 */
export function ownershipFinding(
  path: string,
  owners: readonly { name: string; files: Iterable<string> }[],
): OwnershipFinding | undefined {
  const kept: OwnedFiles[] = [];
  for (const o of owners) {
    const files = new Set<string>();
    for (const f of o.files) {
      if (isOwnershipCandidate(f)) files.add(canonicalPath(f));
    }
    if (files.size > 0) kept.push({ name: o.name, files: [...files].sort() });
  }
  return kept.length > 0 ? { path, owners: kept } : undefined;
}
