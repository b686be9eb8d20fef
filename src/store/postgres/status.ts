import type { Pool } from 'pg';

import { toStatus } from '../sqlite/status.js';
import type { UpdaterAttempt, UpdaterStatus } from '../store.js';

/**
 * A failed attempt keeps the last success and its record count; a
 * successful one clears the error. Times stay the text the caller gave.
 */
const RECORD = `INSERT INTO updater_status AS s
  (updater, last_attempt, last_success, last_error, records)
  VALUES ($1, $2, $3, $4, $5)
  ON CONFLICT (updater) DO UPDATE SET
    last_attempt = excluded.last_attempt,
    last_success = coalesce(excluded.last_success, s.last_success),
    last_error = excluded.last_error,
    records = coalesce(excluded.records, s.records)`;

const LIST = `SELECT updater, last_attempt, last_success, last_error, records
  FROM updater_status ORDER BY updater COLLATE "C"`;

/** Writes one attempt into `updater_status`. */
export async function recordAttempt(
  pool: Pool,
  a: UpdaterAttempt,
): Promise<void> {
  const ok = a.error === undefined;
  await pool.query(RECORD, [
    a.updater,
    a.at,
    ok ? a.at : null,
    a.error ?? null,
    a.records ?? null,
  ]);
}

/** Every updater attempted so far, by name. */
export async function listStatus(pool: Pool): Promise<UpdaterStatus[]> {
  const res = await pool.query<Parameters<typeof toStatus>[0]>(LIST);
  return res.rows.map(toStatus);
}
