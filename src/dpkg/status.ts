import type { Notice, PackageRecord } from '../indexer/types.js';

/**
 * One deb822 paragraph (deb822(5)): fields keyed by lower-cased name, as
 * field names are case-insensitive. Continuation lines are joined to their
 * field's value with a newline, leading whitespace removed.
 */
export interface Deb822Stanza {
  readonly fields: ReadonlyMap<string, string>;
  /** 1-based line number of the stanza's first line, for notices. */
  readonly line: number;
}

/**
 * Splits deb822 text into stanzas. Paragraphs are separated by blank
 * (whitespace-only) lines; a line starting with space or tab continues the
 * previous field; `#` lines are comments. Lines that are none of these and
 * have no `:` are ignored: whether a stanza is usable is for the caller to
 * judge from the fields it needs. When a field repeats, the first wins.
 *
 * With `only`, other fields are dropped unread, which keeps a status file
 * of several megabytes in the tens of milliseconds.
 */
export function parseDeb822(
  text: string,
  options: { only?: ReadonlySet<string> } = {},
): Deb822Stanza[] {
  const stanzas: Deb822Stanza[] = [];
  const state = new StanzaBuilder(options.only);
  let lineNo = 0;

  for (let start = 0; start < text.length;) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = lineEnd(text, start, end);
    const next = end + 1;
    lineNo++;

    if (isBlank(text, start, line)) {
      state.finish(stanzas);
    } else {
      state.add(text, start, line, lineNo);
    }
    start = next;
  }

  state.finish(stanzas);
  return stanzas;
}

/** Accumulates one stanza's fields. */
class StanzaBuilder {
  #fields = new Map<string, string>();
  #first = 0;
  #last: string | undefined;

  constructor(private readonly only: ReadonlySet<string> | undefined) {}

  /** Adds the non-blank line text[start, end). */
  add(text: string, start: number, end: number, lineNo: number): void {
    if (this.#first === 0) this.#first = lineNo;

    const c = text.charCodeAt(start);
    if (c === 0x23) return;
    if (c === 0x20 || c === 0x09) {
      const key = this.#last;
      if (key !== undefined) this.#continue(key, text.slice(start, end));
      return;
    }
    this.#last = this.#field(text.slice(start, end));
  }

  finish(into: Deb822Stanza[]): void {
    if (this.#first === 0) return;

    into.push({ fields: this.#fields, line: this.#first });
    this.#fields = new Map();
    this.#first = 0;
    this.#last = undefined;
  }

  /** Records `Name: value`; returns the key, or undefined if dropped. */
  #field(line: string): string | undefined {
    const colon = line.indexOf(':');
    if (colon <= 0) return undefined;

    const key = line.slice(0, colon).trim().toLowerCase();
    if (this.only && !this.only.has(key)) return undefined;
    if (this.#fields.has(key)) return undefined;
    this.#fields.set(key, line.slice(colon + 1).trim());
    return key;
  }

  #continue(key: string, line: string): void {
    const more = line.trim();
    const prev = this.#fields.get(key) ?? '';
    this.#fields.set(key, prev === '' ? more : `${prev}\n${more}`);
  }
}

/** Index just past the line's content, dropping a CR of CRLF. */
function lineEnd(text: string, start: number, end: number): number {
  return end > start && text.charCodeAt(end - 1) === 0x0d ? end - 1 : end;
}

/** Whether text[start, end) holds only spaces and tabs. */
function isBlank(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09) return false;
  }
  return true;
}

/** How to read one dpkg database file. */
export interface DpkgStatusOptions {
  /** Layer path of the file: recorded as `packageDb` and in notices. */
  readonly path: string;
  /**
   * Whether a stanza without `Status:` counts as installed. True for the
   * distroless `status.d/` files, which carry no Status field; false for
   * `var/lib/dpkg/status`, where dpkg always writes one.
   */
  readonly statusOptional: boolean;
  /** The dpkg version scheme's validity check (deb-version(5)). */
  readonly validVersion: (version: string) => boolean;
}

/** Installed packages of one database file and the stanzas skipped. */
export interface DpkgStatusResult {
  readonly packages: PackageRecord[];
  readonly notices: Notice[];
}

/**
 * Reads the installed packages of a dpkg status file (dpkg(1) "Status"
 * field, deb-control(5) fields). A stanza counts as installed when its
 * Status has error flag `ok` and state `installed`, whatever the wanted
 * selection (`install`, `hold`, `deinstall`, `purge`): the package's
 * files are on disk until dpkg removes them. Other states
 * (`config-files`, `half-installed`, `unpacked`, ...) are skipped quietly.
 * A stanza without Package or Version, or with a version deb-version(5)
 * rejects, is skipped with a `skipped-record` notice.
 *
 * The source package is `Source: name` or `Source: name (version)`; its
 * version defaults to the binary's, and without Source the binary is its
 * own source.
 */
export function readDpkgStatus(
  text: string,
  options: DpkgStatusOptions,
): DpkgStatusResult {
  const packages: PackageRecord[] = [];
  const notices: Notice[] = [];

  for (const stanza of parseDeb822(text, { only: STATUS_FIELDS })) {
    const read = stanzaPackage(stanza, options);
    if (read === undefined) continue;
    if (typeof read === 'string') {
      notices.push(skipped(stanza, read, options.path));
      continue;
    }
    packages.push(read);
  }

  return { packages, notices };
}

/** The stanza's package, undefined if not installed, or why it is bad. */
function stanzaPackage(
  stanza: Deb822Stanza,
  options: DpkgStatusOptions,
): PackageRecord | string | undefined {
  const { fields } = stanza;
  const name = fields.get('package');
  const version = fields.get('version');
  if (!name) return 'no Package field';
  if (!version) return 'no Version field';

  const status = fields.get('status');
  if (status === undefined && !options.statusOptional) {
    return 'no Status field';
  }
  if (status !== undefined && !isInstalled(status)) return undefined;
  if (!options.validVersion(version)) return `bad Version "${version}"`;

  const source = parseSource(fields.get('source'), name, version);
  if (typeof source === 'string') return source;
  if (!options.validVersion(source.version)) {
    return `bad source version "${source.version}"`;
  }

  const arch = fields.get('architecture');
  return {
    name,
    version,
    kind: 'binary',
    source,
    packageDb: options.path,
    ...(arch ? { arch } : {}),
    scheme: 'dpkg',
  };
}

/** The fields the status reader uses; parseDeb822 drops the rest. */
const STATUS_FIELDS: ReadonlySet<string> = new Set([
  'package',
  'status',
  'version',
  'source',
  'architecture',
]);

/** dpkg(1) Status is "want flag state"; see the decision above. */
function isInstalled(status: string): boolean {
  const words = status.split(/\s+/);
  return words.length === 3 && words[1] === 'ok' && words[2] === 'installed';
}

const SOURCE_FIELD = /^(\S+)(?:\s+\(([^()\s]+)\))?$/;

function parseSource(
  field: string | undefined,
  name: string,
  version: string,
): { name: string; version: string } | string {
  if (field === undefined || field === '') return { name, version };

  const m = SOURCE_FIELD.exec(field);
  if (!m?.[1]) return `bad Source "${field}"`;
  return { name: m[1], version: m[2] ?? version };
}

function skipped(stanza: Deb822Stanza, reason: string, path: string): Notice {
  const name = stanza.fields.get('package');
  const what = name ? ` (Package: ${name})` : '';
  return {
    code: 'skipped-record',
    message:
      `Cannot read dpkg stanza at line ${stanza.line}${what} ` +
      `of ${path}: ${reason}`,
    path,
  };
}
