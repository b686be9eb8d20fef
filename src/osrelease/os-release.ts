import type { LayerFiles } from '../indexer/scanner.js';
import type { DistributionRecord, Notice } from '../indexer/types.js';

/** Release files are small; 64 KiB is generous. */
export const MAX_RELEASE_FILE_SIZE = 64 * 1024;

/** The assignments of an os-release file, by variable name. */
export type OsReleaseFields = ReadonlyMap<string, string>;

/** A parsed file, or why it could not be parsed. */
export type OsReleaseParse =
  | { readonly ok: true; readonly fields: OsReleaseFields }
  | { readonly ok: false; readonly reason: string };

const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/;

/**
 * Parses an os-release file (os-release(5)): newline-separated shell-style
 * `KEY=value` assignments; `#` lines are comments, blank lines are ignored.
 * Values may be double-quoted (where `\` escapes `$ " \ \``), single-quoted
 * (literal), or bare. A line that is no valid assignment is ignored, as
 * os-release readers must tolerate unknown content; a file with no valid
 * assignment at all, or binary content, cannot be parsed. When a variable
 * repeats, the last wins, as in the shell.
 */
export function parseOsRelease(text: string): OsReleaseParse {
  if (text.includes('\0')) return { ok: false, reason: 'binary content' };

  const fields = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;

    const m = ASSIGNMENT.exec(line);
    const value = m?.[2] === undefined ? undefined : unquote(m[2]);
    if (m?.[1] !== undefined && value !== undefined) fields.set(m[1], value);
  }

  if (fields.size === 0) {
    return { ok: false, reason: 'no KEY=value assignment' };
  }
  return { ok: true, fields };
}

/** A shell word's value, or undefined when its quoting is broken. */
function unquote(word: string): string | undefined {
  const quote = word[0];
  if (quote === "'") {
    const end = word.indexOf("'", 1);
    return end === word.length - 1 ? word.slice(1, end) : undefined;
  }
  if (quote !== '"') return word.replace(/\\(.)/g, '$1');

  let out = '';
  for (let i = 1; i < word.length; i++) {
    const c = word[i];
    if (c === '"') return i === word.length - 1 ? out : undefined;
    if (c === '\\' && i + 1 < word.length) {
      i++;
      out += word[i];
      continue;
    }
    out += c;
  }
  return undefined;
}

/**
 * The distribution an os-release file describes, read generically:
 * did = ID, name = NAME, versionId = VERSION_ID, version = VERSION,
 * versionCodeName = VERSION_CODENAME, prettyName = PRETTY_NAME, cpe =
 * CPE_NAME. Missing ID, NAME and PRETTY_NAME take os-release(5)'s defaults
 * (`linux`, `Linux`, `Linux`); other missing fields are empty.
 */
export function distributionFromOsRelease(
  fields: OsReleaseFields,
): DistributionRecord {
  const cpe = fields.get('CPE_NAME');
  return {
    did: fields.get('ID') || 'linux',
    name: fields.get('NAME') || 'Linux',
    versionId: fields.get('VERSION_ID') ?? '',
    version: fields.get('VERSION') ?? '',
    versionCodeName: fields.get('VERSION_CODENAME') ?? '',
    prettyName: fields.get('PRETTY_NAME') || 'Linux',
    ...(cpe ? { cpe } : {}),
  };
}

/**
 * What a distribution family adds to the generic reading of its
 * os-release (e.g. Debian code names, Alpine's major.minor release). Each
 * family lives in its own folder and is listed by the os-release scanner.
 */
export interface ReleaseFamily {
  /** The os-release ID the family refines: `debian`, `alpine`. */
  readonly did: string;
  /** Other files of the same layer `refine` may read. */
  readonly companions: readonly string[];
  refine(
    base: DistributionRecord,
    fields: OsReleaseFields,
    files: LayerFiles,
  ): DistributionRecord;
}

/** The notice for a release file claro could not read. */
export function skippedFile(path: string, reason: string): Notice {
  return {
    code: 'skipped-file',
    message: `Cannot read release file ${path}: ${reason}`,
    path,
  };
}
