import fs from 'node:fs';
import type { ConnectionOptions } from 'node:tls';

import type { ClientConfig } from 'pg';

import { ClaroError, errorMessage } from '../../errors.js';

/** A parsed connection string and how to name it without its password. */
export interface Connection {
  readonly config: ClientConfig;
  /** The string with any password replaced by `***`, for messages. */
  readonly display: string;
}

/**
 * libpq connection strings: a URI (`postgres://`, `postgresql://`) or
 * `keyword=value` words (PostgreSQL manual, "Connection Strings").
 */
const URI = /^postgres(?:ql)?:\/\//i;
const WORDS = /^\s*[a-z_]+\s*=/i;

/** Wait for a server this long unless `connect_timeout` says otherwise. */
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const APPLICATION_NAME = 'claro';

/** Whether `connstring` names a PostgreSQL database rather than a file. */
export function isPostgresConnstring(connstring: string): boolean {
  return URI.test(connstring) || WORDS.test(connstring);
}

/** Hides a password in either form so that the string can be shown. */
export function redact(connstring: string): string {
  if (URI.test(connstring)) return redactUri(connstring);

  return connstring.replace(
    /(password\s*=\s*)(?:'(?:[^'\\]|\\.)*'?|(?:[^\s\\]|\\.)*)/gi,
    '$1***',
  );
}

/**
 * Turns a connection string into node-postgres settings. URIs go to
 * node-postgres as they are; keyword/value words are read here, since
 * node-postgres reads only URIs. Throws INVALID_ARGUMENT for a malformed
 * string or a keyword this store does not support; the message never
 * holds the password.
 */
export function parseConnstring(connstring: string): Connection {
  const display = redact(connstring);
  const fail = (reason: string, cause?: unknown) =>
    new ClaroError(
      'INVALID_ARGUMENT',
      `Cannot open store ${display}: ${reason}`,
      cause === undefined ? undefined : { cause },
    );

  if (URI.test(connstring)) {
    return { config: uriConfig(connstring, fail), display };
  }
  if (!WORDS.test(connstring)) {
    throw fail('not a PostgreSQL connection string');
  }
  return { config: wordsConfig(parseWords(connstring, fail), fail), display };
}

type Fail = (reason: string, cause?: unknown) => ClaroError;

function uriConfig(connstring: string, fail: Fail): ClientConfig {
  let timeout: string | null;
  try {
    timeout = new URL(connstring).searchParams.get('connect_timeout');
  } catch (err) {
    throw fail('not a valid URI', err);
  }
  return {
    connectionString: connstring,
    fallback_application_name: APPLICATION_NAME,
    connectionTimeoutMillis: timeoutMs(timeout ?? undefined, fail),
  };
}

/**
 * Masks from the first `:` of the authority to the last `@` of the
 * string: a password holding `/`, `?` or `@` unencoded is still hidden,
 * at worst with more of the string than the password.
 */
function redactUri(uri: string): string {
  const start = uri.indexOf('//') + 2;
  const at = uri.lastIndexOf('@');
  const colon = uri.indexOf(':', start);
  let out = uri;
  if (at > start && colon !== -1 && colon < at) {
    out = `${uri.slice(0, colon + 1)}***${uri.slice(at)}`;
  }
  return out.replace(/([?&]password=)[^&#]*/gi, '$1***');
}

/**
 * Reads `keyword = value` words as libpq does: spaces around `=` are
 * optional; a value is either unquoted, ending at white space, or in
 * single quotes; in both, a backslash makes the next character literal
 * (`\'`, `\\`). Repeated keywords: the last one wins.
 */
export function parseWords(text: string, fail: Fail): Map<string, string> {
  const words = new Map<string, string>();
  let i = 0;
  const skipSpace = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  for (skipSpace(); i < text.length; skipSpace()) {
    const key = /^[^\s=]+/.exec(text.slice(i))?.[0] ?? '';
    i += key.length;
    skipSpace();
    if (key === '' || text[i] !== '=') {
      throw fail(`missing "=" after "${key}" in connection info string`);
    }
    i++;
    skipSpace();
    const [value, end] = readValue(text, i, fail);
    words.set(key, value);
    i = end;
  }
  return words;
}

function readValue(text: string, start: number, fail: Fail): [string, number] {
  const quoted = text[start] === "'";
  let i = quoted ? start + 1 : start;
  let value = '';
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (quoted ? c === "'" : /\s/.test(c)) break;
    if (c === '\\' && i + 1 < text.length) {
      i++;
      value += text[i]!;
    } else {
      value += c;
    }
  }
  if (!quoted) return [value, i];
  if (i >= text.length) {
    throw fail('unterminated quoted string in connection info string');
  }
  return [value, i + 1];
}

/** Keywords node-postgres can honour, and the setting each one becomes. */
const PLAIN_KEYWORDS: Readonly<Record<string, keyof ClientConfig>> = {
  host: 'host',
  dbname: 'database',
  user: 'user',
  password: 'password',
  application_name: 'application_name',
  fallback_application_name: 'fallback_application_name',
  options: 'options',
  client_encoding: 'client_encoding',
};
const SSL_KEYWORDS = ['sslmode', 'sslrootcert', 'sslcert', 'sslkey'];
const OTHER_KEYWORDS = ['hostaddr', 'port', 'connect_timeout', 'keepalives'];

function wordsConfig(words: Map<string, string>, fail: Fail): ClientConfig {
  const config: Record<string, unknown> = {
    fallback_application_name: APPLICATION_NAME,
  };
  for (const [key, value] of words) {
    const setting = PLAIN_KEYWORDS[key];
    if (setting !== undefined) config[setting] = value;
    else if (!SSL_KEYWORDS.includes(key) && !OTHER_KEYWORDS.includes(key)) {
      throw fail(`unsupported connection keyword "${key}"`);
    }
  }

  const hostaddr = words.get('hostaddr');
  if (hostaddr !== undefined) config['host'] = hostaddr;
  const port = words.get('port');
  if (port !== undefined) config['port'] = portNumber(port, fail);
  config['connectionTimeoutMillis'] = timeoutMs(
    words.get('connect_timeout'),
    fail,
  );
  const keepalives = words.get('keepalives');
  if (keepalives !== undefined) config['keepAlive'] = keepalives !== '0';
  const ssl = sslOptions(words, fail);
  if (ssl !== undefined) config['ssl'] = ssl;
  return config as ClientConfig;
}

function portNumber(text: string, fail: Fail): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= 1 && port <= 65535)) throw fail(`invalid port "${text}"`);
  return port;
}

/**
 * `connect_timeout` is in seconds; libpq treats zero as "wait forever"
 * and so does node-postgres with 0 ms.
 */
function timeoutMs(text: string | undefined, fail: Fail): number {
  if (text === undefined) return DEFAULT_CONNECT_TIMEOUT_MS;
  if (!/^\d+$/.test(text)) throw fail(`invalid connect_timeout "${text}"`);
  return Number(text) * 1000;
}

/**
 * TLS settings after libpq's `sslmode` table (PostgreSQL manual, "SSL
 * Support"): `require` encrypts without checking the server, `verify-ca`
 * checks the chain against `sslrootcert`, `verify-full` the host name too.
 * Known limitation: node-postgres cannot fall back between TLS and plain
 * connections, so `allow` and `prefer` connect without TLS.
 */
function sslOptions(
  words: Map<string, string>,
  fail: Fail,
): false | ConnectionOptions | undefined {
  const mode = words.get('sslmode');
  if (mode === undefined || ['disable', 'allow', 'prefer'].includes(mode)) {
    return mode === undefined ? undefined : false;
  }
  if (!['require', 'verify-ca', 'verify-full'].includes(mode)) {
    throw fail(`invalid sslmode "${mode}"`);
  }

  const files = readTlsFiles(words, fail);
  if (mode === 'verify-ca' && files.ca === undefined) {
    throw fail('sslmode verify-ca needs sslrootcert');
  }
  if (mode === 'verify-full') return files;
  if (mode === 'require' && files.ca === undefined) {
    return { ...files, rejectUnauthorized: false };
  }
  return { ...files, checkServerIdentity: () => undefined };
}

function readTlsFiles(
  words: Map<string, string>,
  fail: Fail,
): { ca?: string; cert?: string; key?: string } {
  const read = (keyword: string) => {
    const file = words.get(keyword);
    if (file === undefined) return {};
    try {
      return { [keyword]: fs.readFileSync(file, 'utf8') };
    } catch (err) {
      throw fail(`cannot read ${keyword}: ${errorMessage(err)}`, err);
    }
  };
  const {
    sslrootcert: ca,
    sslcert: cert,
    sslkey: key,
  } = {
    ...read('sslrootcert'),
    ...read('sslcert'),
    ...read('sslkey'),
  } as Record<string, string | undefined>;
  return {
    ...(ca === undefined ? {} : { ca }),
    ...(cert === undefined ? {} : { cert }),
    ...(key === undefined ? {} : { key }),
  };
}
