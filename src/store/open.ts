import fs from 'node:fs';
import path from 'node:path';

import { ClaroError, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { defaultDatabasePath } from './paths.js';
import { SqliteStore } from './sqlite.js';
import type { Store } from './store.js';

/** Options shared by every store engine. */
export interface OpenStoreOptions {
  readonly logger?: Logger;
  /** SQLite: how long a write waits for another process's lock. */
  readonly busyTimeoutMs?: number;
}

const SQLITE_PREFIX = 'sqlite:';
const MEMORY = ':memory:';

/**
 * libpq connection strings: a URI (`postgres://`, `postgresql://`) or
 * `keyword=value` words (PostgreSQL manual, "Connection Strings").
 */
const POSTGRES_URI = /^postgres(?:ql)?:\/\//i;
const LIBPQ_WORDS = /^\s*[a-z_]+\s*=/i;

/**
 * Opens the store a connection string names:
 * - undefined: SQLite at `defaultDatabasePath()`, creating its folder;
 * - `:memory:` (or `sqlite::memory:`): a private in-memory SQLite store;
 * - `sqlite:PATH`, `sqlite://PATH` or a plain file path: SQLite there;
 * - a PostgreSQL URI or libpq `key=value` words: INVALID_ARGUMENT for now.
 *
 * Known limitation: a plain path that starts with `word=` reads as libpq
 * words; prefix it with `sqlite:` to open it as a file.
 */
export async function openStore(
  connstring: string | undefined,
  opts: OpenStoreOptions = {},
): Promise<Store> {
  const sqliteOpts = {
    ...(opts.logger === undefined ? {} : { logger: opts.logger }),
    ...(opts.busyTimeoutMs === undefined
      ? {}
      : { busyTimeoutMs: opts.busyTimeoutMs }),
  };
  const file = sqlitePath(connstring);
  if (connstring === undefined) makeFolder(path.dirname(file));
  return SqliteStore.open(file, sqliteOpts);
}

/**
 * The SQLite file a connection string names, or `:memory:`. Throws
 * INVALID_ARGUMENT for PostgreSQL strings and empty paths.
 */
export function sqlitePath(connstring: string | undefined): string {
  if (connstring === undefined) return defaultDatabasePath();

  if (POSTGRES_URI.test(connstring) || LIBPQ_WORDS.test(connstring)) {
    throw new ClaroError(
      'INVALID_ARGUMENT',
      `Cannot open store ${redact(connstring)}: ` +
        'PostgreSQL is not supported yet',
    );
  }

  let file = connstring;
  if (file.startsWith(SQLITE_PREFIX)) {
    file = file.slice(SQLITE_PREFIX.length);
    if (file.startsWith('//')) file = file.slice(2);
  }
  if (file === '') {
    throw new ClaroError(
      'INVALID_ARGUMENT',
      `Cannot open store ${connstring}: no file path given`,
    );
  }
  return file === MEMORY ? MEMORY : file;
}

function makeFolder(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new ClaroError(
      'STORE_FAILED',
      `Cannot create store folder ${dir}: ${errorMessage(err)}`,
      { cause: err },
    );
  }
}

/** Hides a password so that error messages can be logged safely. */
function redact(connstring: string): string {
  return connstring
    .replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@')
    .replace(/(password\s*=\s*)(?:'[^']*'|\S+)/i, '$1***');
}
