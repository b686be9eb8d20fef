/**
 * The PostgreSQL test server and the schemas tests make on it. Tests that
 * need the server run when it answers; when it does not, they fail under
 * CI (CI=true) and are skipped with a visible message elsewhere.
 */
import { randomBytes } from 'node:crypto';

import pg from 'pg';

/** The local test server: trust auth, database `test`. */
export const TEST_POSTGRES = 'postgres://postgres@127.0.0.1:5432/test';

export const SKIP_MESSAGE =
  'PostgreSQL not reachable at 127.0.0.1:5432; set CI=true to require it';

/** Whether the test server answers a query within two seconds. */
export async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({
    connectionString: TEST_POSTGRES,
    connectionTimeoutMillis: 2_000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * node:test options for a PostgreSQL suite: skip with the message when
 * the server is unreachable outside CI; under CI, run, so that each test
 * fails on the missing server.
 */
export async function postgresSuiteOptions(): Promise<{ skip?: string }> {
  if (process.env['CI'] === 'true' || (await postgresReachable())) return {};
  return { skip: SKIP_MESSAGE };
}

const made: string[] = [];

/** A new schema name, unique across processes and runs; not created. */
export function freshSchema(): string {
  const name = `claro_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  made.push(name);
  return name;
}

/** Runs `fn` with a connection of its own to the test server. */
export async function withAdmin<T>(
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Drops every schema `freshSchema` named in this process. */
export async function dropSchemas(): Promise<void> {
  const names = made.splice(0);
  if (names.length === 0 || !(await postgresReachable())) return;

  await withAdmin(async (client) => {
    for (const name of names) {
      await client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
    }
  });
}

/** Rows of one table of a schema. */
export async function countRows(schema: string, table: string) {
  return withAdmin(async (client) => {
    const res = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM "${schema}"."${table}"`,
    );
    return Number(res.rows[0]!.n);
  });
}
