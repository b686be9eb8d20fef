import type Database from 'better-sqlite3';

import { ClaroError } from '../../errors.js';
import type { Logger } from '../../log.js';

/** One numbered schema step. Applied once, in order, never edited. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

const INITIAL_SCHEMA = `
CREATE TABLE layer_record (
  digest TEXT NOT NULL,
  reader TEXT NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (digest, reader)
) WITHOUT ROWID;

CREATE TABLE scan_result (
  digest TEXT NOT NULL,
  scanner_name TEXT NOT NULL,
  scanner_version TEXT NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (digest, scanner_name, scanner_version)
) WITHOUT ROWID;

CREATE TABLE index_report (
  manifest TEXT PRIMARY KEY,
  data TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE update_operation (
  id INTEGER PRIMARY KEY,
  ref TEXT NOT NULL UNIQUE,
  updater TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  date TEXT NOT NULL,
  count INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX update_operation_updater ON update_operation (updater, id);

CREATE TABLE latest_update_operation (
  updater TEXT PRIMARY KEY,
  uo INTEGER NOT NULL UNIQUE REFERENCES update_operation (id)
);

CREATE TABLE vuln (
  id INTEGER PRIMARY KEY,
  hash BLOB NOT NULL UNIQUE,
  updater TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  issued TEXT NOT NULL,
  links TEXT NOT NULL,
  severity TEXT NOT NULL,
  normalized_severity TEXT NOT NULL CHECK (normalized_severity IN
    ('Unknown', 'Negligible', 'Low', 'Medium', 'High', 'Critical')),
  package_name TEXT NOT NULL,
  package_kind TEXT NOT NULL CHECK (package_kind IN ('binary', 'source')),
  did TEXT NOT NULL,
  version_id TEXT NOT NULL,
  version_code_name TEXT,
  fixed_in_version TEXT NOT NULL,
  scheme TEXT NOT NULL
);
CREATE INDEX vuln_lookup ON vuln (package_name, did, version_id);

CREATE TABLE uo_vuln (
  uo INTEGER NOT NULL REFERENCES update_operation (id) ON DELETE CASCADE,
  vuln INTEGER NOT NULL REFERENCES vuln (id),
  PRIMARY KEY (uo, vuln)
) WITHOUT ROWID;
CREATE INDEX uo_vuln_vuln ON uo_vuln (vuln, uo);

CREATE TABLE uo_coverage (
  uo INTEGER NOT NULL REFERENCES update_operation (id) ON DELETE CASCADE,
  did TEXT NOT NULL,
  version_id TEXT NOT NULL,
  version_code_name TEXT NOT NULL,
  PRIMARY KEY (uo, did, version_id, version_code_name)
) WITHOUT ROWID;
`;

/**
 * Which manifests hold which package names (binary and source), in which
 * release: the affected-manifest search reads it instead of every report.
 * Reports stored before it existed are filled in from their JSON.
 */
const MANIFEST_PACKAGES = `
CREATE TABLE index_package (
  manifest TEXT NOT NULL
    REFERENCES index_report (manifest) ON DELETE CASCADE,
  package_name TEXT NOT NULL,
  did TEXT NOT NULL,
  version_id TEXT NOT NULL,
  version_code_name TEXT NOT NULL,
  PRIMARY KEY (package_name, did, version_id, version_code_name, manifest)
) WITHOUT ROWID;
CREATE INDEX index_package_manifest ON index_package (manifest);

INSERT OR IGNORE INTO index_package
SELECT r.manifest, n.name,
  coalesce(json_extract(d.value, '$.did'), ''),
  coalesce(json_extract(d.value, '$.versionId'), ''),
  coalesce(json_extract(d.value, '$.versionCodeName'), '')
FROM index_report AS r
JOIN (
  SELECT r2.manifest, json_extract(p.value, '$.name') AS name
  FROM index_report AS r2, json_each(r2.data, '$.packages') AS p
  UNION
  SELECT r2.manifest, json_extract(p.value, '$.source.name')
  FROM index_report AS r2, json_each(r2.data, '$.packages') AS p
  UNION
  SELECT r2.manifest, json_extract(p.value, '$.name')
  FROM index_report AS r2,
    json_each(r2.data, '$.lowerLayersOnly.packages') AS p
  UNION
  SELECT r2.manifest, json_extract(p.value, '$.source.name')
  FROM index_report AS r2,
    json_each(r2.data, '$.lowerLayersOnly.packages') AS p
) AS n ON n.manifest = r.manifest AND n.name IS NOT NULL
LEFT JOIN json_each(r.data, '$.distributions') AS d;
`;

/** Each updater's last attempt and last success, for updater_status. */
const UPDATER_STATUS = `
CREATE TABLE updater_status (
  updater TEXT PRIMARY KEY,
  last_attempt TEXT NOT NULL,
  last_success TEXT,
  last_error TEXT,
  records INTEGER
) WITHOUT ROWID;
`;

/**
 * A revision per stored index report, so that a cache of reports computed
 * from it can tell a report stored again from the one it holds without
 * reading it. A table of its own, so that reading a revision never walks
 * a large report's pages. Each put replaces the manifest's row, and
 * AUTOINCREMENT never hands out a rowid twice, so a revision is never
 * reused, even after the report is deleted and stored again. Reports
 * stored before get one each here.
 */
const REPORT_REVISIONS = `
CREATE TABLE index_report_revision (
  revision INTEGER PRIMARY KEY AUTOINCREMENT,
  manifest TEXT NOT NULL UNIQUE
    REFERENCES index_report (manifest) ON DELETE CASCADE
);

INSERT INTO index_report_revision (manifest)
SELECT manifest FROM index_report ORDER BY manifest;
`;

/**
 * The OSV fields of a record: its ecosystem (language records) and its
 * affected ranges and versions as JSON text. NULL when the record has
 * none, which every record stored before this step reads as.
 */
const OSV_FIELDS = `
ALTER TABLE vuln ADD COLUMN ecosystem TEXT;
ALTER TABLE vuln ADD COLUMN ranges TEXT;
ALTER TABLE vuln ADD COLUMN versions TEXT;
`;

/**
 * The schema history. The vulnerability tables follow Clair v4's layout:
 * each record is stored once under a content hash and linked to every
 * update operation that holds it, so a run that changes little costs
 * little, and two runs can be diffed by their links.
 */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial schema', sql: INITIAL_SCHEMA },
  { version: 2, name: 'manifest packages', sql: MANIFEST_PACKAGES },
  { version: 3, name: 'updater status', sql: UPDATER_STATUS },
  { version: 4, name: 'index report revisions', sql: REPORT_REVISIONS },
  { version: 5, name: 'osv fields', sql: OSV_FIELDS },
];

const LEDGER = `
CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied TEXT NOT NULL
)`;

/**
 * Brings the schema up to date in one IMMEDIATE transaction, so that two
 * processes opening a new file at once apply each step once: the second
 * waits on the busy timeout and then finds nothing to do. Returns the
 * versions it applied. Throws STORE_FAILED when the file was written by a
 * newer claro, whose schema this code cannot vouch for.
 */
export function migrate(
  db: Database.Database,
  opts: { logger: Logger; migrations?: readonly Migration[] },
): number[] {
  const migrations = opts.migrations ?? MIGRATIONS;
  const run = db.transaction((): number[] => {
    db.exec(LEDGER);
    const current = schemaVersion(db);
    const known = migrations.at(-1)?.version ?? 0;
    if (current > known) {
      throw new ClaroError(
        'STORE_FAILED',
        `Cannot use store: its schema version ${current} is newer than ` +
          `this claro supports (${known}); upgrade claro`,
      );
    }

    const pending = migrations.filter((m) => m.version > current);
    for (const m of pending) apply(db, m);
    return pending.map((m) => m.version);
  });

  const applied = run.immediate();
  for (const version of applied) {
    opts.logger.info({ version }, 'applied store migration');
  }
  return applied;
}

function schemaVersion(db: Database.Database): number {
  const row = db
    .prepare('SELECT max(version) AS v FROM schema_migrations')
    .get() as { v: number | null };
  return row.v ?? 0;
}

function apply(db: Database.Database, m: Migration): void {
  db.exec(m.sql);
  db.prepare(
    'INSERT INTO schema_migrations (version, name, applied) VALUES (?, ?, ?)',
  ).run(m.version, m.name, new Date().toISOString());
}
