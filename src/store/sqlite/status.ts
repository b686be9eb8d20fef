import type Database from 'better-sqlite3';

import type { UpdaterAttempt, UpdaterStatus } from '../store.js';

/**
 * A failed attempt keeps the last success and its record count; a
 * successful one clears the error.
 */
const RECORD = `INSERT INTO updater_status
  (updater, last_attempt, last_success, last_error, records)
  VALUES (@updater, @at, @success, @error, @records)
  ON CONFLICT (updater) DO UPDATE SET
    last_attempt = excluded.last_attempt,
    last_success = coalesce(excluded.last_success, last_success),
    last_error = excluded.last_error,
    records = coalesce(excluded.records, records)`;

const LIST = `SELECT updater, last_attempt, last_success, last_error, records
  FROM updater_status ORDER BY updater`;

interface StatusRow {
  readonly updater: string;
  readonly last_attempt: string;
  readonly last_success: string | null;
  readonly last_error: string | null;
  readonly records: number | null;
}

/** Writes one attempt into `updater_status`. */
export function recordAttempt(db: Database.Database, a: UpdaterAttempt): void {
  const ok = a.error === undefined;
  db.prepare(RECORD).run({
    updater: a.updater,
    at: a.at,
    success: ok ? a.at : null,
    error: a.error ?? null,
    records: a.records ?? null,
  });
}

/** Every updater attempted so far, by name. */
export function listStatus(db: Database.Database): UpdaterStatus[] {
  const rows = db.prepare(LIST).all() as StatusRow[];
  return rows.map(toStatus);
}

/** Turns a row into the public shape; absent fields stay absent. */
export function toStatus(r: StatusRow): UpdaterStatus {
  return {
    updater: r.updater,
    lastAttempt: r.last_attempt,
    ...(r.last_success === null ? {} : { lastSuccess: r.last_success }),
    ...(r.last_error === null ? {} : { lastError: r.last_error }),
    ...(r.records === null ? {} : { records: r.records }),
  };
}
