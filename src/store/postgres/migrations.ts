import type { PoolClient } from 'pg';

import { ClaroError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { advisoryKey, quoteIdent } from './keys.js';

/** One numbered schema step. Applied once, in order, never edited. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

const CACHES = `
CREATE TABLE layer_record (
  digest text NOT NULL,
  reader text NOT NULL,
  data jsonb NOT NULL,
  PRIMARY KEY (digest, reader)
);

CREATE TABLE scan_result (
  digest text NOT NULL,
  scanner_name text NOT NULL,
  scanner_version text NOT NULL,
  data jsonb NOT NULL,
  PRIMARY KEY (digest, scanner_name, scanner_version)
);
`;

/**
 * Index reports, normalised: a package or distribution is one row however
 * many manifests hold it (unique by a hash of its content), and each
 * report links to its rows under the ids the report gave them. A link's
 * package is NULL when the report lists environments for an id without a
 * package; its environments are NULL when the report lists none.
 */
const INDEX_REPORTS = `
CREATE TABLE manifest (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  hash text NOT NULL UNIQUE,
  state text NOT NULL
    CHECK (state IN ('IndexStarted', 'IndexFinished', 'IndexError')),
  success boolean NOT NULL,
  err text NOT NULL,
  index_state text,
  layers jsonb NOT NULL,
  notices jsonb NOT NULL,
  stored timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE package (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  hash bytea NOT NULL UNIQUE,
  name text NOT NULL,
  version text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('binary', 'source')),
  source_name text,
  source_version text,
  package_db text NOT NULL,
  arch text,
  scheme text NOT NULL,
  CHECK ((source_name IS NULL) = (source_version IS NULL))
);
CREATE INDEX package_name ON package (name);
CREATE INDEX package_source_name ON package (source_name);

CREATE TABLE distribution (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  hash bytea NOT NULL UNIQUE,
  did text NOT NULL,
  name text NOT NULL,
  version_id text NOT NULL,
  version text NOT NULL,
  version_code_name text NOT NULL,
  pretty_name text NOT NULL,
  arch text,
  cpe text
);
CREATE INDEX distribution_release ON distribution (did, version_id);

CREATE TABLE manifest_package (
  manifest bigint NOT NULL REFERENCES manifest (id) ON DELETE CASCADE,
  lower_only boolean NOT NULL,
  local_id text NOT NULL,
  ord integer NOT NULL,
  package bigint REFERENCES package (id),
  environments jsonb,
  PRIMARY KEY (manifest, lower_only, local_id)
);
CREATE INDEX manifest_package_package ON manifest_package (package);

CREATE TABLE manifest_distribution (
  manifest bigint NOT NULL REFERENCES manifest (id) ON DELETE CASCADE,
  local_id text NOT NULL,
  ord integer NOT NULL,
  distribution bigint NOT NULL REFERENCES distribution (id),
  PRIMARY KEY (manifest, local_id)
);
CREATE INDEX manifest_distribution_distribution
  ON manifest_distribution (distribution);
`;

/**
 * Update operations as in the SQLite store (Clair v4's layout): each
 * record once under a content hash, linked to every operation holding it.
 */
const UPDATE_OPERATIONS = `
CREATE TABLE update_operation (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  ref uuid NOT NULL UNIQUE,
  updater text NOT NULL,
  fingerprint text NOT NULL,
  date timestamptz NOT NULL,
  count integer NOT NULL DEFAULT 0
);
CREATE INDEX update_operation_updater ON update_operation (updater, id);

CREATE TABLE latest_update_operation (
  updater text PRIMARY KEY,
  uo bigint NOT NULL UNIQUE REFERENCES update_operation (id)
);

CREATE TABLE vuln (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  hash bytea NOT NULL UNIQUE,
  updater text NOT NULL,
  name text NOT NULL,
  description text NOT NULL,
  issued text NOT NULL,
  links text NOT NULL,
  severity text NOT NULL,
  normalized_severity text NOT NULL CHECK (normalized_severity IN
    ('Unknown', 'Negligible', 'Low', 'Medium', 'High', 'Critical')),
  package_name text NOT NULL,
  package_kind text NOT NULL CHECK (package_kind IN ('binary', 'source')),
  did text NOT NULL,
  version_id text NOT NULL,
  version_code_name text,
  fixed_in_version text NOT NULL,
  scheme text NOT NULL
);
CREATE INDEX vuln_lookup ON vuln (package_name, did, version_id);

CREATE TABLE uo_vuln (
  uo bigint NOT NULL REFERENCES update_operation (id) ON DELETE CASCADE,
  vuln bigint NOT NULL REFERENCES vuln (id),
  PRIMARY KEY (uo, vuln)
);
CREATE INDEX uo_vuln_vuln ON uo_vuln (vuln, uo);

CREATE TABLE uo_coverage (
  uo bigint NOT NULL REFERENCES update_operation (id) ON DELETE CASCADE,
  did text NOT NULL,
  version_id text NOT NULL,
  version_code_name text NOT NULL,
  PRIMARY KEY (uo, did, version_id, version_code_name)
);
`;

/** Each updater's last attempt and last success, for updater_status. */
const UPDATER_STATUS = `
CREATE TABLE updater_status (
  updater text PRIMARY KEY,
  last_attempt text NOT NULL,
  last_success text,
  last_error text,
  records integer
);
`;

/**
 * A revision per stored manifest, so that a cache of reports computed
 * from it can tell a report stored again from the one it holds without
 * rebuilding it. Revisions come from one sequence, which never hands out
 * a value twice: a report stored again, or deleted and stored back, gets
 * a new one.
 */
const REPORT_REVISIONS = `
CREATE SEQUENCE manifest_revision;
ALTER TABLE manifest ADD COLUMN revision bigint NOT NULL
  DEFAULT nextval('manifest_revision');
`;

/**
 * The OSV fields of a record: its ecosystem (language records) and its
 * affected ranges and versions as JSON text, kept as text so that they
 * read back exactly as written. NULL when the record has none, which
 * every record stored before this step reads as.
 */
const OSV_FIELDS = `
ALTER TABLE vuln ADD COLUMN ecosystem text;
ALTER TABLE vuln ADD COLUMN ranges text;
ALTER TABLE vuln ADD COLUMN versions text;
`;

/** The schema history of the PostgreSQL store. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'layer records and scan results', sql: CACHES },
  { version: 2, name: 'index reports', sql: INDEX_REPORTS },
  { version: 3, name: 'update operations', sql: UPDATE_OPERATIONS },
  { version: 4, name: 'updater status', sql: UPDATER_STATUS },
  { version: 5, name: 'index report revisions', sql: REPORT_REVISIONS },
  { version: 6, name: 'osv fields', sql: OSV_FIELDS },
];

const LEDGER = `
CREATE TABLE IF NOT EXISTS schema_migrations (
  version integer PRIMARY KEY,
  name text NOT NULL,
  applied timestamptz NOT NULL DEFAULT now()
)`;

/** How to bring one schema up to date. */
export interface MigrateOptions {
  /** Schema to create when missing and migrate. */
  readonly schema: string;
  readonly create: boolean;
  readonly logger: Logger;
  readonly migrations?: readonly Migration[];
}

/**
 * Brings the schema up to date in one transaction that first takes a
 * transaction-level advisory lock on the schema's `migrate` key, so that
 * processes opening one new database at once apply each step once: the
 * others wait, then find nothing to do. DDL is transactional in
 * PostgreSQL, so a failed step leaves the schema as it was. Returns the
 * versions applied. Throws STORE_FAILED when the schema was written by a
 * newer claro, whose tables this code cannot vouch for.
 */
export async function migrate(
  client: PoolClient,
  opts: MigrateOptions,
): Promise<number[]> {
  const migrations = opts.migrations ?? MIGRATIONS;
  await client.query('BEGIN');
  try {
    const key = advisoryKey(opts.schema, 'migrate');
    await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [key]);
    if (opts.create) await createSchema(client, opts.schema);
    const pending = await pendingSteps(client, migrations);
    for (const m of pending) await apply(client, m);
    await client.query('COMMIT');
    for (const m of pending) {
      opts.logger.info({ version: m.version }, 'applied store migration');
    }
    return pending.map((m) => m.version);
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/**
 * `SET LOCAL` again after creating the schema: the session's search_path
 * named it before it existed.
 */
async function createSchema(client: PoolClient, schema: string) {
  const name = quoteIdent(schema);
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${name}`);
  await client.query(`SET LOCAL search_path TO ${name}`);
}

async function pendingSteps(
  client: PoolClient,
  migrations: readonly Migration[],
): Promise<readonly Migration[]> {
  await client.query(LEDGER);
  const res = await client.query<{ v: number | null }>(
    'SELECT max(version) AS v FROM schema_migrations',
  );
  const current = res.rows[0]?.v ?? 0;
  const known = migrations.at(-1)?.version ?? 0;
  if (current > known) {
    throw new ClaroError(
      'STORE_FAILED',
      `Cannot use store: its schema version ${current} is newer than ` +
        `this claro supports (${known}); upgrade claro`,
    );
  }
  return migrations.filter((m) => m.version > current);
}

async function apply(client: PoolClient, m: Migration): Promise<void> {
  await client.query(m.sql);
  await client.query(
    'INSERT INTO schema_migrations (version, name) VALUES ($1, $2)',
    [m.version, m.name],
  );
}
