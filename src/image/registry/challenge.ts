/**
 * `WWW-Authenticate` challenges (RFC 9110 section 11.6.1): a scheme, then
 * comma-separated auth-params `name=value`, the value a token or a quoted
 * string; one field may hold several challenges. Registries send
 * `Basic realm="..."` or `Bearer realm="...",service="...",scope="..."`
 * (the distribution spec's token authentication).
 */

/** One challenge: its scheme in lower case and its parameters. */
export interface Challenge {
  readonly scheme: string;
  /** Parameter names in lower case. */
  readonly params: Readonly<Record<string, string>>;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/;

/** Every challenge of a field, in order; unreadable rest is dropped. */
export function parseChallenges(field: string): Challenge[] {
  const out: { scheme: string; params: Record<string, string> }[] = [];
  let rest = field;
  for (;;) {
    rest = rest.replace(/^[\s,]+/, '');
    const word = TOKEN.exec(rest)?.[0];
    if (word === undefined) return out;
    rest = rest.slice(word.length);
    const param = /^\s*=\s*/.exec(rest);
    const current = out.at(-1);
    if (param === null || current === undefined) {
      out.push({ scheme: word.toLowerCase(), params: {} });
      continue;
    }
    rest = rest.slice(param[0].length);
    const value = readValue(rest);
    if (value === undefined) return out;
    current.params[word.toLowerCase()] = value.value;
    rest = value.rest;
  }
}

function readValue(text: string): { value: string; rest: string } | undefined {
  if (!text.startsWith('"')) {
    const token = /^[^\s,]*/.exec(text)![0];
    return { value: token, rest: text.slice(token.length) };
  }
  let value = '';
  for (let i = 1; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') return { value, rest: text.slice(i + 1) };
    if (c === '\\' && i + 1 < text.length) {
      value += text[++i]!;
    } else {
      value += c;
    }
  }
  return undefined;
}
