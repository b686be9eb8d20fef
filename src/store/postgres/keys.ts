import { createHash } from 'node:crypto';

/**
 * The 64-bit advisory lock key of a purpose within one schema, as the
 * decimal text of a signed bigint: the first 8 bytes of SHA-256 over the
 * schema and the purpose. Advisory locks are per database, so keys carry
 * the schema: stores in two schemas of one database never contend.
 *
 * Purposes: `lock:<name>` for `Store.withLock`, `apply:<updater>` and
 * `gc` for update operations, `migrate` for the schema history; the
 * prefixes keep a caller's lock name from ever meeting an internal one.
 */
export function advisoryKey(schema: string, purpose: string): string {
  const digest = createHash('sha256').update(`${schema}\0${purpose}`).digest();
  return digest.readBigInt64BE(0).toString();
}

/**
 * An identifier in double quotes, inner quotes doubled (PostgreSQL
 * manual, "Identifiers and Key Words"), for names that cannot be bound as
 * parameters (schemas).
 */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
