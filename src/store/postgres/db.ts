import type { Pool, PoolClient } from 'pg';

/** Runs statements on the pool or on one checked-out connection. */
export type Queryable = Pool | PoolClient;

/**
 * Runs `fn` with one pooled connection. node-postgres leaves a
 * checked-out connection without an `error` listener, and an error event
 * with no listener ends the process: a server gone between two
 * statements is caught here instead. A connection that failed so, or
 * that `fn` calls `broken` on, is destroyed rather than pooled again.
 */
export async function withClient<T>(
  pool: Pool,
  fn: (client: PoolClient, broken: (err: Error) => void) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let failure: Error | undefined;
  const broken = (err: Error) => {
    failure ??= err;
  };
  client.on('error', broken);
  try {
    return await fn(client, broken);
  } finally {
    client.removeListener('error', broken);
    client.release(failure);
  }
}

/** SQLSTATE of a transaction the server aborted to break a deadlock. */
const DEADLOCK_DETECTED = '40P01';
const ATTEMPTS = 3;

/**
 * Runs `fn` in one READ COMMITTED transaction: COMMIT when it resolves,
 * ROLLBACK when it throws. A transaction the server aborted to break a
 * deadlock runs again, up to three times in all: `fn` reads what it
 * needs inside the transaction, so a new run decides anew. A connection
 * whose ROLLBACK fails is destroyed.
 */
export async function inTransaction<T>(
  pool: Pool,
  fn: (client: PoolClient) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transactionOnce(pool, fn);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code !== DEADLOCK_DETECTED || attempt >= ATTEMPTS) throw err;
    }
  }
}

async function transactionOnce<T>(
  pool: Pool,
  fn: (client: PoolClient) => Promise<T>,
): Promise<T> {
  return withClient(pool, async (client, broken) => {
    await client.query('BEGIN');
    try {
      const value = await fn(client);
      await client.query('COMMIT');
      return value;
    } catch (err) {
      await client.query('ROLLBACK').catch(broken);
      throw err;
    }
  });
}

/** Rows affected by a statement; node-postgres gives null for some. */
export function affected(res: { rowCount: number | null }): number {
  return res.rowCount ?? 0;
}
