/**
 * Python's core metadata: the `METADATA` file of a `.dist-info` folder
 * (PyPA "Core metadata specifications", "Recording installed projects")
 * and the `PKG-INFO` of an `.egg-info` folder, or an `.egg-info` file
 * holding the same text. Both are RFC 822-style headers: `Name: value`
 * lines, continued on lines that begin with whitespace, ended by the first
 * empty line (the description may follow as a body).
 */

/** The fields claro reads from one metadata file. */
export interface CoreMetadata {
  readonly name: string;
  readonly version: string;
}

/**
 * Reads `Name` and `Version` (the first of each, trimmed) from the
 * headers of `text`; undefined for either field that is absent or empty.
 */
export function readCoreMetadata(text: string): Partial<CoreMetadata> {
  const found: { name?: string; version?: string } = {};
  for (const line of headerLines(text)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (value === '') continue;
    if (key === 'name') found.name ??= value;
    if (key === 'version') found.version ??= value;
    if (found.name !== undefined && found.version !== undefined) break;
  }
  return found;
}

/** Header lines up to the first empty line, continuations skipped. */
function* headerLines(text: string): Generator<string> {
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '') return;
    if (line.startsWith(' ') || line.startsWith('\t')) continue;
    yield line;
  }
}

/**
 * A project name normalised as PEP 503 says ("Normalized Names"): lower
 * case, each run of `-`, `_` and `.` made one `-`. Names compare equal
 * exactly when their normalised forms do, on PyPI and in OSV's records.
 */
export function normalizePythonName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}
