/**
 * Java `.properties` text, as `java.util.Properties.load(Reader)` reads
 * it (Java SE API documentation): natural lines end at LF, CR or CRLF; a
 * line whose first non-blank character is `#` or `!` is a comment; a line
 * ending in an odd number of backslashes continues on the next one, whose
 * leading blanks are dropped. The key runs to the first unescaped `=`,
 * `:` or blank; blanks, then one `=` or `:`, then blanks separate it from
 * the value. Escapes: `\t`, `\n`, `\r`, `\f`, `\uXXXX`; any other escaped
 * character stands for itself. Later keys override earlier ones.
 *
 * Callers decode the bytes: Maven writes `pom.properties` with
 * `Properties.store(OutputStream)`, that is ISO 8859-1 with `\u` escapes.
 */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of logicalLines(text)) {
    const [key, value] = splitPair(line);
    out.set(unescape(key), unescape(value));
  }
  return out;
}

const BLANK = new Set([' ', '\t', '\f']);

function logicalLines(text: string): string[] {
  const lines: string[] = [];
  let current: string | undefined;
  for (const raw of text.split(/\r\n|\r|\n/)) {
    const line = current === undefined ? raw : trimStartBlank(raw);
    if (current === undefined && isSkipped(line)) continue;

    const joined = (current ?? '') + line;
    if (endsWithOddBackslashes(joined)) {
      current = joined.slice(0, -1);
      continue;
    }
    lines.push(trimStartBlank(joined));
    current = undefined;
  }
  if (current !== undefined) lines.push(trimStartBlank(current));
  return lines;
}

function isSkipped(line: string): boolean {
  const t = trimStartBlank(line);
  return t === '' || t.startsWith('#') || t.startsWith('!');
}

function trimStartBlank(s: string): string {
  let i = 0;
  while (i < s.length && BLANK.has(s[i]!)) i++;
  return s.slice(i);
}

function endsWithOddBackslashes(s: string): boolean {
  let n = 0;
  for (let i = s.length - 1; i >= 0 && s[i] === '\\'; i--) n++;
  return n % 2 === 1;
}

/** Key and raw value of one logical line (leading blanks removed). */
function splitPair(line: string): [string, string] {
  let i = 0;
  for (; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\') i++;
    else if (c === '=' || c === ':' || BLANK.has(c)) break;
  }
  const key = line.slice(0, i);
  let j = i;
  while (j < line.length && BLANK.has(line[j]!)) j++;
  if (line[j] === '=' || line[j] === ':') j++;
  while (j < line.length && BLANK.has(line[j]!)) j++;
  return [key, line.slice(j)];
}

const ESCAPES: Readonly<Record<string, string>> = {
  t: '\t',
  n: '\n',
  r: '\r',
  f: '\f',
};

function unescape(s: string): string {
  if (!s.includes('\\')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '\\' || i + 1 >= s.length) {
      out += c;
      continue;
    }
    const e = s[++i]!;
    const hex = s.slice(i + 1, i + 5);
    if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(hex)) {
      out += String.fromCharCode(parseInt(hex, 16));
      i += 4;
    } else {
      out += ESCAPES[e] ?? e;
    }
  }
  return out;
}
