import { ClaroError, errorMessage } from '../errors.js';
import { isBerkeleyHash, readBerkeleyBlobs } from './bdb.js';
import { isNdb, readNdbBlobs } from './ndb.js';
import { readRpmPackage, type RpmPackage } from './package.js';
import { isSqlite, readSqliteBlobs } from './sqlite.js';

/** The three database backends rpm has shipped. */
export type RpmDatabaseFormat = 'sqlite' | 'ndb' | 'bdb';

/** The packages of one database, and the headers that could not be read. */
export interface RpmDatabase {
  readonly format: RpmDatabaseFormat;
  readonly packages: readonly RpmPackage[];
  /** One entry per header skipped: its position and why. */
  readonly skipped: readonly {
    readonly index: number;
    readonly reason: string;
  }[];
}

/**
 * The format of an rpm database file, told by its content rather than its
 * name: SQLite's file header, ndb's `RpmP` magic, or Berkeley DB's hash
 * magic. Undefined for anything else.
 */
export function rpmDatabaseFormat(
  data: Uint8Array,
): RpmDatabaseFormat | undefined {
  if (isSqlite(data)) return 'sqlite';
  if (isNdb(data)) return 'ndb';
  if (isBerkeleyHash(data)) return 'bdb';
  return undefined;
}

/**
 * Reads every package header of an rpm database, whatever its format. A
 * header that cannot be parsed is skipped and reported; a database whose
 * structure is broken fails whole.
 *
 * @throws ClaroError INVALID_LAYER when the file is no rpm database or
 *   its structure is broken.
 */
export function readRpmDatabase(data: Uint8Array): RpmDatabase {
  const format = rpmDatabaseFormat(data);
  if (format === undefined) {
    throw new ClaroError(
      'INVALID_LAYER',
      'Cannot read rpm database: not SQLite, ndb or Berkeley DB',
    );
  }

  const packages: RpmPackage[] = [];
  const skipped: { index: number; reason: string }[] = [];
  headerBlobs(format, data).forEach((blob, index) => {
    try {
      packages.push(readRpmPackage(blob));
    } catch (err) {
      if (!(err instanceof ClaroError)) throw err;
      skipped.push({ index, reason: errorMessage(err) });
    }
  });
  return { format, packages, skipped };
}

function headerBlobs(format: RpmDatabaseFormat, data: Uint8Array): Buffer[] {
  switch (format) {
    case 'sqlite':
      return readSqliteBlobs(data);
    case 'ndb':
      return readNdbBlobs(data);
    case 'bdb':
      return readBerkeleyBlobs(data);
  }
}
