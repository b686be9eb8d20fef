import fs from 'node:fs';
import path from 'node:path';

import { ClaroError, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { defaultDatabasePath } from './paths.js';
import { PostgresStore } from './postgres.js';
import { isPostgresConnstring, redact } from './postgres/connection.js';
import { SqliteStore } from './sqlite.js';
import type { Store } from './store.js';

/** Options shared by every store engine. */
export interface OpenStoreOptions {
  readonly logger?: Logger;
  /** SQLite: how long a write waits for another process's lock. */
  readonly busyTimeoutMs?: number;
  /** PostgreSQL: schema to keep the tables in, created when missing. */
  readonly schema?: string;
  /** PostgreSQL: query connections of the store's pool. */
  readonly poolSize?: number;
}

const SQLITE_PREFIX = 'sqlite:';
const MEMORY = ':memory:';

/**
 * Opens the store a connection string names:
 * - undefined: SQLite at `defaultDatabasePath()`, creating its folder;
 * - `:memory:` (or `sqlite::memory:`): a private in-memory SQLite store;
 * - `sqlite:PATH`, `sqlite://PATH` or a plain file path: SQLite there;
 * - a PostgreSQL URI (`postgres://`, `postgresql://`) or libpq
 *   `keyword=value` words: a PostgresStore on that database.
 *
 * Known limitation: a plain path that starts with `word=` reads as libpq
 * words; prefix it with `sqlite:` to open it as a file.
 */
export async function openStore(
  connstring: string | undefined,
  opts: OpenStoreOptions = {},
): Promise<Store> {
  if (connstring !== undefined && isPostgresConnstring(connstring)) {
    return PostgresStore.open(connstring, postgresOptions(opts));
  }

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

  if (isPostgresConnstring(connstring)) {
    throw new ClaroError(
      'INVALID_ARGUMENT',
      `Cannot open store ${redact(connstring)}: ` +
        'a PostgreSQL connection string names no SQLite file',
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

function postgresOptions(opts: OpenStoreOptions) {
  return {
    ...(opts.logger === undefined ? {} : { logger: opts.logger }),
    ...(opts.schema === undefined ? {} : { schema: opts.schema }),
    ...(opts.poolSize === undefined ? {} : { poolSize: opts.poolSize }),
  };
}
