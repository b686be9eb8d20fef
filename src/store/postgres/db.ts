import type { Pool, PoolClient } from 'pg';

/** Runs statements on the pool or on one checked-out connection. */
export type Queryable = Pool | PoolClient;

/**
 * Runs `fn` in one READ COMMITTED transaction on a pooled connection:
 * COMMIT when it resolves, ROLLBACK when it throws. A connection whose
 * ROLLBACK fails is destroyed rather than returned to the pool.
 */
export async function inTransaction<T>(
  pool: Pool,
  fn: (client: PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const value = await fn(client);
    await client.query('COMMIT');
    return value;
  } catch (err) {
    await client.query('ROLLBACK').catch((e: Error) => {
      broken = e;
    });
    throw err;
  } finally {
    client.release(broken);
  }
}

/** Rows affected by a statement; node-postgres gives null for some. */
export function affected(res: { rowCount: number | null }): number {
  return res.rowCount ?? 0;
}
