import Database from 'better-sqlite3';

import { ClaroError, errorMessage } from '../errors.js';

/** The first 16 bytes of every SQLite 3 database file. */
const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * Offsets of the file format write and read versions in the database
 * header (sqlite.org/fileformat.html, 1.3): 1 for rollback journals, 2 for
 * write-ahead logging.
 */
const WRITE_VERSION = 18;
const READ_VERSION = 19;

/** Whether `data` starts like an SQLite 3 database. */
export function isSqlite(data: Uint8Array): boolean {
  return Buffer.from(data.subarray(0, 16)).equals(SQLITE_MAGIC);
}

/**
 * The header blobs of an rpm SQLite database (`rpmdb.sqlite`, rpm 4.16
 * and later: table `Packages`, columns `hnum` and `blob`), in `hnum`
 * order. The database is opened read-only in memory from a copy of the
 * bytes, never from a file; a database in WAL mode is read as a rollback
 * journal one, since an in-memory copy has no `-wal` file beside it.
 *
 * Known limitation: changes still in `rpmdb.sqlite-wal` (rpm checkpoints
 * them when it closes the database) are not seen.
 *
 * @throws ClaroError INVALID_LAYER when the bytes are no SQLite database
 *   or have no Packages table.
 */
export function readSqliteBlobs(data: Uint8Array): Buffer[] {
  if (!isSqlite(data)) throw badSqlite('not an SQLite 3 database');

  const copy = Buffer.from(data);
  if (copy[WRITE_VERSION] === 2) copy[WRITE_VERSION] = 1;
  if (copy[READ_VERSION] === 2) copy[READ_VERSION] = 1;

  let db: Database.Database | undefined;
  try {
    db = new Database(copy, { readonly: true });
    const rows = db
      .prepare('SELECT blob FROM Packages ORDER BY hnum')
      .raw()
      .all() as unknown[][];
    return rows.map(([blob]) => toBlob(blob));
  } catch (err) {
    if (err instanceof ClaroError) throw err;
    throw badSqlite(errorMessage(err), err);
  } finally {
    db?.close();
  }
}

function toBlob(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value;
  throw badSqlite('a Packages row holds no blob');
}

function badSqlite(reason: string, cause?: unknown): ClaroError {
  return new ClaroError(
    'INVALID_LAYER',
    `Cannot read rpm SQLite database: ${reason}`,
    cause === undefined ? undefined : { cause },
  );
}
