/**
 * The module information text a Go binary embeds: the format of
 * `runtime/debug.BuildInfo.String` that `runtime/debug.ParseBuildInfo`
 * reads (Go 1.18 and later; older toolchains wrote the same line kinds
 * without `build` lines). One record per line, fields separated by tabs:
 *
 * - `go\t<toolchain>`: only in `String()` output, not in binaries;
 * - `path\t<main package path>`;
 * - `mod\t<path>\t<version>[\t<sum>]`: the main module;
 * - `dep\t<path>\t<version>[\t<sum>]`: one dependency module;
 * - `=>\t<path>\t<version>[\t<sum>]`: replaces the module of the line
 *   before it (a directory replacement has an empty version);
 * - `build\t<key>=<value>`: one build setting, key and value quoted as Go
 *   string literals when they hold spaces, tabs, newlines or quotes (and
 *   `=`, for keys).
 */

/** A module as the build recorded it. */
export interface GoModule {
  readonly path: string;
  /** Module version (`v1.2.3`, a pseudo-version, `(devel)`), or empty. */
  readonly version: string;
  /** go.sum hash (`h1:...`), when recorded. */
  readonly sum?: string;
  /** The module that replaced this one (a `=>` line). */
  readonly replace?: GoModule;
}

/** One `build` setting: `-ldflags`, `GOOS`, `vcs.revision`, ... */
export interface BuildSetting {
  readonly key: string;
  readonly value: string;
}

/** The module information of one binary. */
export interface ModInfo {
  /** The main package's import path (`command-line-arguments` too). */
  readonly path?: string;
  /** The main module; absent for binaries built outside module mode. */
  readonly main?: GoModule;
  readonly deps: readonly GoModule[];
  readonly settings: readonly BuildSetting[];
  /** Lines that fit no record kind, 1-based with the reason; skipped. */
  readonly skipped: readonly { line: number; reason: string }[];
}

const TAB = '\t';

/**
 * Parses module information text. Unlike Go's own parser, which rejects
 * the whole text on one bad line, a malformed line is skipped and listed
 * in `skipped`, so the rest of the binary's modules are still reported.
 */
export function parseModInfo(text: string): ModInfo {
  const state = new ModInfoBuilder();
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (line === '') return;
    const problem = state.line(line);
    if (problem !== undefined) state.skip(i + 1, problem);
  });
  return state.result();
}

class ModInfoBuilder {
  private path: string | undefined;
  private main: GoModule | undefined;
  private readonly deps: GoModule[] = [];
  private readonly settings: BuildSetting[] = [];
  private readonly skipped: { line: number; reason: string }[] = [];
  /** Where the last `mod` or `dep` went, for a `=>` line to replace. */
  private last: { dep: number } | 'main' | undefined;

  /** Takes one line; returns why it was skipped, if it was. */
  line(line: string): string | undefined {
    const tab = line.indexOf(TAB);
    const word = tab < 0 ? line : line.slice(0, tab);
    const rest = tab < 0 ? '' : line.slice(tab + 1);
    switch (word) {
      case 'go':
        return undefined;
      case 'path':
        this.path = rest;
        return undefined;
      case 'mod':
      case 'dep':
      case '=>':
        return this.module(word, rest);
      case 'build':
        return this.setting(rest);
      default:
        return `unknown line kind ${JSON.stringify(word)}`;
    }
  }

  skip(line: number, reason: string): void {
    this.skipped.push({ line, reason });
  }

  result(): ModInfo {
    return {
      ...(this.path !== undefined ? { path: this.path } : {}),
      ...(this.main !== undefined ? { main: this.main } : {}),
      deps: this.deps,
      settings: this.settings,
      skipped: this.skipped,
    };
  }

  private module(word: string, rest: string): string | undefined {
    const mod = moduleFields(rest);
    if (typeof mod === 'string') return mod;

    if (word === 'mod') {
      this.main = mod;
      this.last = 'main';
    } else if (word === 'dep') {
      this.last = { dep: this.deps.push(mod) - 1 };
    } else {
      return this.replace(mod);
    }
    return undefined;
  }

  private replace(mod: GoModule): string | undefined {
    const last = this.last;
    this.last = undefined;
    if (last === undefined) return 'replacement without a module before it';

    if (last === 'main') {
      this.main = withReplace(this.main!, mod);
      return undefined;
    }
    this.deps[last.dep] = withReplace(this.deps[last.dep]!, mod);
    return undefined;
  }

  private setting(rest: string): string | undefined {
    const parsed = parseSetting(rest);
    if (typeof parsed === 'string') return parsed;
    this.settings.push(parsed);
    return undefined;
  }
}

/** `<path>\t<version>[\t<sum>]`: two or three columns. */
function moduleFields(rest: string): GoModule | string {
  const cols = rest.split(TAB);
  if (cols.length !== 2 && cols.length !== 3) {
    return `expected 2 or 3 module columns, got ${cols.length}`;
  }
  const [path = '', version = '', sum = ''] = cols;
  return { path, version, ...(sum !== '' ? { sum } : {}) };
}

/**
 * A replaced module keeps no sum of its own: Go writes the replacement's
 * sum on the `=>` line instead.
 */
function withReplace(mod: GoModule, replace: GoModule): GoModule {
  return { path: mod.path, version: mod.version, replace };
}

/** `key=value`, either side possibly a quoted Go string literal. */
function parseSetting(kv: string): BuildSetting | string {
  let key: string;
  let raw: string;
  if (kv.startsWith('"') || kv.startsWith('`')) {
    const quoted = quotedPrefix(kv);
    if (quoted === undefined) return 'build setting key badly quoted';
    key = quoted.value;
    const after = kv.slice(quoted.length);
    if (!after.startsWith('=')) return 'build setting without =';
    raw = after.slice(1);
  } else {
    const eq = kv.indexOf('=');
    if (eq <= 0) return 'build setting without key=value';
    key = kv.slice(0, eq);
    raw = kv.slice(eq + 1);
  }

  if (!raw.startsWith('"') && !raw.startsWith('`')) return { key, value: raw };
  const quoted = quotedPrefix(raw);
  if (quoted === undefined || quoted.length !== raw.length) {
    return 'build setting value badly quoted';
  }
  return { key, value: quoted.value };
}

/** Single-character escapes of Go string literals (Go spec, "Rune literals"). */
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  '"': '"',
};

/**
 * The Go string literal at the start of `s` (Go spec, "String literals"):
 * a raw `` `...` `` literal, or an interpreted `"..."` one with its
 * escapes. Returns the decoded value and the literal's length.
 */
export function quotedPrefix(
  s: string,
): { value: string; length: number } | undefined {
  if (s.startsWith('`')) {
    const end = s.indexOf('`', 1);
    if (end < 0) return undefined;
    return { value: s.slice(1, end).replaceAll('\r', ''), length: end + 1 };
  }
  if (!s.startsWith('"')) return undefined;

  const bytes: number[] = [];
  for (let i = 1; i < s.length;) {
    const c = s[i]!;
    if (c === '"') {
      return { value: Buffer.from(bytes).toString('utf8'), length: i + 1 };
    }
    if (c === '\n') return undefined;
    if (c !== '\\') {
      const cp = s.codePointAt(i)!;
      bytes.push(...Buffer.from(String.fromCodePoint(cp), 'utf8'));
      i += cp > 0xffff ? 2 : 1;
      continue;
    }
    const esc = escape(s, i + 1);
    if (esc === undefined) return undefined;
    bytes.push(...esc.bytes);
    i = esc.next;
  }
  return undefined;
}

/** One escape after a backslash at `at - 1`: its bytes and what follows. */
function escape(
  s: string,
  at: number,
): { bytes: number[]; next: number } | undefined {
  const c = s[at];
  if (c === undefined) return undefined;
  const simple = SIMPLE_ESCAPES[c];
  if (simple !== undefined)
    return { bytes: [simple.charCodeAt(0)], next: at + 1 };

  const hexLength = c === 'x' ? 2 : c === 'u' ? 4 : c === 'U' ? 8 : 0;
  if (hexLength > 0) {
    const digits = s.slice(at + 1, at + 1 + hexLength);
    if (!/^[0-9a-fA-F]+$/.test(digits) || digits.length !== hexLength) {
      return undefined;
    }
    const n = parseInt(digits, 16);
    const next = at + 1 + hexLength;
    if (c === 'x') return { bytes: [n], next };
    if (n > 0x10ffff || (n >= 0xd800 && n < 0xe000)) return undefined;
    return { bytes: [...Buffer.from(String.fromCodePoint(n), 'utf8')], next };
  }

  const octal = s.slice(at, at + 3);
  if (!/^[0-7]{3}$/.test(octal)) return undefined;
  const n = parseInt(octal, 8);
  return n > 255 ? undefined : { bytes: [n], next: at + 3 };
}
