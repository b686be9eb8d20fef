import { randomUUID } from 'node:crypto';

import type { Pool, PoolClient } from 'pg';

import { ClaroError } from '../../errors.js';
import type { VulnerabilityQuery } from '../../matcher/matcher.js';
import type {
  DistributionKey,
  UpdateData,
  Vulnerability,
} from '../../vuln/types.js';
import {
  byPackage,
  rowToVulnerability,
  VULN_COLUMNS,
  vulnParams,
  type VulnParams,
  type VulnRow,
} from '../sqlite/vuln-rows.js';
import type {
  GcResult,
  PackagesQuery,
  ReportVersions,
  UpdateDiff,
  UpdateOperation,
} from '../store.js';
import { affected, inTransaction, type Queryable } from './db.js';
import { advisoryKey } from './keys.js';

interface OperationRow {
  readonly id: number;
  readonly ref: string;
  readonly updater: string;
  readonly fingerprint: string;
  readonly date: Date;
  readonly count: number;
}

const OP_COLUMNS = 'o.id, o.ref, o.updater, o.fingerprint, o.date, o.count';

/**
 * An updater is selected when its name starts with one of the prefixes
 * (a text[] parameter), compared exactly: LIKE would treat `_` and `%`
 * as wildcards.
 */
const UPDATER_MATCHES = (param: string) => `EXISTS (SELECT 1
  FROM unnest(${param}::text[]) AS p WHERE left(l.updater, length(p)) = p)`;

/** The refs of every updater's current operation, in updater order. */
const DATA_VERSION = `(SELECT coalesce(string_agg(o.ref::text, ','
    ORDER BY l.updater COLLATE "C"), '')
  FROM latest_update_operation AS l
  JOIN update_operation AS o ON o.id = l.uo)`;

/** Columns of `vuln` in the order of the unnest() parameters below. */
const VULN_INSERT_COLUMNS = [
  ['hash', 'bytea'],
  ['updater', 'text'],
  ['name', 'text'],
  ['description', 'text'],
  ['issued', 'text'],
  ['links', 'text'],
  ['severity', 'text'],
  ['normalized_severity', 'text'],
  ['package_name', 'text'],
  ['package_kind', 'text'],
  ['did', 'text'],
  ['version_id', 'text'],
  ['version_code_name', 'text'],
  ['fixed_in_version', 'text'],
  ['scheme', 'text'],
  ['ecosystem', 'text'],
  ['ranges', 'text'],
  ['versions', 'text'],
] as const satisfies readonly (readonly [keyof VulnParams, string])[];

const VULN_NAMES = VULN_INSERT_COLUMNS.map(([c]) => c).join(', ');
const VULN_ARRAYS = VULN_INSERT_COLUMNS.map(
  ([, type], i) => `$${i + 1}::${type}[]`,
).join(', ');

const SQL = {
  latest: `SELECT ${OP_COLUMNS} FROM latest_update_operation AS l
    JOIN update_operation AS o ON o.id = l.uo WHERE l.updater = $1`,
  insertOp: `INSERT INTO update_operation (ref, updater, fingerprint, date)
    VALUES ($1, $2, $3, $4) RETURNING id`,
  /**
   * Rows go in in input order (WITH ORDINALITY), so ids, and with them
   * the order queries return records in, follow the updater's output.
   */
  insertVulns: `INSERT INTO vuln (${VULN_NAMES})
    SELECT ${VULN_NAMES} FROM unnest(${VULN_ARRAYS}) WITH ORDINALITY
      AS t(${VULN_NAMES}, ord)
    ORDER BY ord
    ON CONFLICT (hash) DO NOTHING`,
  link: `INSERT INTO uo_vuln (uo, vuln)
    SELECT $1::bigint, v.id FROM vuln AS v WHERE v.hash = ANY ($2::bytea[])
    ON CONFLICT DO NOTHING`,
  cover: `INSERT INTO uo_coverage (uo, did, version_id, version_code_name)
    SELECT $1::bigint, * FROM unnest($2::text[], $3::text[], $4::text[])
    ON CONFLICT DO NOTHING`,
  count: `UPDATE update_operation
    SET count = (SELECT count(*) FROM uo_vuln WHERE uo = $1) WHERE id = $1`,
  setLatest: `INSERT INTO latest_update_operation (updater, uo)
    VALUES ($1, $2) ON CONFLICT (updater) DO UPDATE SET uo = excluded.uo`,
  byId: `SELECT ${OP_COLUMNS} FROM update_operation AS o WHERE o.id = $1`,
  allOps: `SELECT ${OP_COLUMNS} FROM update_operation AS o
    ORDER BY o.updater COLLATE "C", o.id DESC`,
  updaterOps: `SELECT ${OP_COLUMNS} FROM update_operation AS o
    WHERE o.updater = $1 ORDER BY o.id DESC`,
  byRef: `SELECT ${OP_COLUMNS} FROM update_operation AS o WHERE o.ref = $1`,
  onlyIn: `SELECT ${VULN_COLUMNS} FROM uo_vuln AS a
    JOIN vuln AS v ON v.id = a.vuln
    WHERE a.uo = $1 AND NOT EXISTS
      (SELECT 1 FROM uo_vuln AS b WHERE b.uo = $2 AND b.vuln = a.vuln)
    ORDER BY v.id`,
  query: `SELECT ${VULN_COLUMNS} FROM vuln AS v
    JOIN uo_vuln AS uv ON uv.vuln = v.id
    JOIN latest_update_operation AS l ON l.uo = uv.uo
    WHERE v.package_name = $1 AND v.did = $2 AND v.version_id = $3
      AND ${UPDATER_MATCHES('$4')}
    ORDER BY v.id`,
  queryMany: `SELECT ${VULN_COLUMNS} FROM vuln AS v
    JOIN uo_vuln AS uv ON uv.vuln = v.id
    JOIN latest_update_operation AS l ON l.uo = uv.uo
    WHERE v.package_name = ANY ($1::text[]) AND v.did = $2
      AND v.version_id = $3 AND ${UPDATER_MATCHES('$4')}
    ORDER BY v.id`,
  covers: `SELECT EXISTS (SELECT 1 FROM latest_update_operation AS l
    JOIN uo_coverage AS c ON c.uo = l.uo
    WHERE c.did = $1 AND c.version_id = $2
      AND ${UPDATER_MATCHES('$3')}) AS hit`,
  hasData: `SELECT EXISTS (SELECT 1 FROM latest_update_operation) AS hit`,
  dataVersion: `SELECT ${DATA_VERSION} AS version`,
  /** One statement, so one snapshot. See `reports.ts` for revisions. */
  reportVersions: `SELECT
    (SELECT revision FROM manifest WHERE hash = $1) AS revision,
    ${DATA_VERSION} AS version`,
  gcOps: `DELETE FROM update_operation WHERE id IN (SELECT id FROM
    (SELECT id, row_number() OVER (PARTITION BY updater ORDER BY id DESC)
      AS n FROM update_operation) AS ranked WHERE n > $1)`,
  gcVulns: `DELETE FROM vuln AS v
    WHERE NOT EXISTS (SELECT 1 FROM uo_vuln AS u WHERE u.vuln = v.id)`,
} as const;

/** Records sent to the server per statement when storing a run. */
const CHUNK = 2_000;

/** A UUID as text; anything else cannot name an operation. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The update-operation tables of the PostgreSQL store, with the SQLite
 * store's semantics. Writers serialise through transaction-level advisory
 * locks: `applyUpdate` holds its updater's `apply:` key (and those of the
 * updaters its records name), so two processes storing one updater's run
 * take turns and the second sees the first's fingerprint; it also holds the `gc` key shared, and collection holds it
 * exclusively, so no record is collected while a run is linking it.
 */
export class UpdateTables {
  readonly #pool: Pool;
  readonly #schema: string;

  constructor(pool: Pool, schema: string) {
    this.#pool = pool;
    this.#schema = schema;
  }

  /** See `Store.applyUpdate`; one transaction. */
  async apply(
    updater: string,
    fingerprint: string,
    data: UpdateData,
  ): Promise<{ operation: UpdateOperation; changed: boolean }> {
    return inTransaction(this.#pool, async (c) => {
      await this.#lock(c, 'gc', { shared: true });
      for (const name of writers(updater, data)) {
        await this.#lock(c, `apply:${name}`, { shared: false });
      }
      const latest = await this.#latest(c, updater);
      if (latest?.fingerprint === fingerprint) {
        return { operation: publicOp(latest), changed: false };
      }

      const id = await insertOperation(c, updater, fingerprint);
      await insertRecords(c, id, data.vulnerabilities);
      await insertCoverage(c, id, data.coverage);
      await c.query(SQL.count, [id]);
      await c.query(SQL.setLatest, [updater, id]);
      const op = await c.query<OperationRow>(SQL.byId, [id]);
      return { operation: publicOp(op.rows[0]!), changed: true };
    });
  }

  /** All operations, grouped by updater, newest first within each. */
  async operations(updater?: string): Promise<UpdateOperation[]> {
    const res =
      updater === undefined
        ? await this.#pool.query<OperationRow>(SQL.allOps)
        : await this.#pool.query<OperationRow>(SQL.updaterOps, [updater]);
    return res.rows.map(publicOp);
  }

  /** See `Store.updateDiff`. Both operations must be one updater's. */
  async diff(prevRef: string | undefined, curRef: string): Promise<UpdateDiff> {
    const cur = await this.#byRef(curRef);
    const prev = prevRef === undefined ? undefined : await this.#byRef(prevRef);
    if (prev !== undefined && prev.updater !== cur.updater) {
      throw new ClaroError(
        'INVALID_ARGUMENT',
        `Cannot diff update operations: ${prevRef} belongs to ` +
          `${prev.updater}, ${curRef} to ${cur.updater}`,
      );
    }

    return {
      prev: prev === undefined ? undefined : publicOp(prev),
      cur: publicOp(cur),
      added: await this.#onlyIn(cur.id, prev?.id ?? -1),
      removed: prev === undefined ? [] : await this.#onlyIn(prev.id, cur.id),
    };
  }

  /** See `Store.vulnerabilities`. */
  async query(q: VulnerabilityQuery): Promise<Vulnerability[]> {
    const res = await this.#pool.query<VulnRow>({
      name: 'claro-vulnerabilities',
      text: SQL.query,
      values: [
        q.packageName,
        q.distribution.did,
        q.distribution.versionId,
        q.updaters,
      ],
    });
    return res.rows.map(rowToVulnerability);
  }

  /** See `Store.vulnerabilitiesOf`. */
  async queryMany(q: PackagesQuery): Promise<Map<string, Vulnerability[]>> {
    const res = await this.#pool.query<VulnRow>({
      name: 'claro-vulnerabilities-of',
      text: SQL.queryMany,
      values: [
        q.packageNames,
        q.distribution.did,
        q.distribution.versionId,
        q.updaters,
      ],
    });
    return byPackage(q.packageNames, res.rows.map(rowToVulnerability));
  }

  /** See `Store.covers`. */
  async covers(
    dist: DistributionKey,
    updaters: readonly string[],
  ): Promise<boolean> {
    const res = await this.#pool.query<{ hit: boolean }>(SQL.covers, [
      dist.did,
      dist.versionId,
      updaters,
    ]);
    return res.rows[0]?.hit === true;
  }

  /** See `Store.hasVulnerabilityData`. */
  async hasData(): Promise<boolean> {
    const res = await this.#pool.query<{ hit: boolean }>(SQL.hasData);
    return res.rows[0]?.hit === true;
  }

  /**
   * See `Store.vulnerabilityDataVersion`: the refs of every updater's
   * current operation, in updater order, comma-separated.
   */
  async dataVersion(): Promise<string> {
    const res = await this.#pool.query<{ version: string }>({
      name: 'claro-data-version',
      text: SQL.dataVersion,
    });
    return res.rows[0]?.version ?? '';
  }

  /** See `Store.reportVersions`. */
  async reportVersions(manifest: string): Promise<ReportVersions> {
    const res = await this.#pool.query<{
      revision: number | null;
      version: string;
    }>({
      name: 'claro-report-versions',
      text: SQL.reportVersions,
      values: [manifest],
    });
    const row = res.rows[0];
    const revision = row?.revision ?? null;
    return {
      index: revision === null ? undefined : String(revision),
      data: row?.version ?? '',
    };
  }

  /**
   * Deletes each updater's operations beyond its newest `keep`, then the
   * records no remaining operation links, in one transaction.
   */
  async gc(keep: number): Promise<GcResult> {
    if (!Number.isInteger(keep) || keep < 1) {
      throw new ClaroError(
        'INVALID_ARGUMENT',
        `Cannot collect update operations: keep must be a positive ` +
          `integer, got ${keep}`,
      );
    }

    return inTransaction(this.#pool, async (c) => {
      await this.#lock(c, 'gc', { shared: false });
      const ops = await c.query(SQL.gcOps, [keep]);
      const vulns = await c.query(SQL.gcVulns);
      return { operations: affected(ops), vulnerabilities: affected(vulns) };
    });
  }

  async #lock(c: PoolClient, purpose: string, opts: { shared: boolean }) {
    const fn = opts.shared
      ? 'pg_advisory_xact_lock_shared'
      : 'pg_advisory_xact_lock';
    const key = advisoryKey(this.#schema, purpose);
    await c.query(`SELECT ${fn}($1::bigint)`, [key]);
  }

  async #latest(
    c: Queryable,
    updater: string,
  ): Promise<OperationRow | undefined> {
    const res = await c.query<OperationRow>(SQL.latest, [updater]);
    return res.rows[0];
  }

  async #byRef(ref: string): Promise<OperationRow> {
    const res = UUID.test(ref)
      ? await this.#pool.query<OperationRow>(SQL.byRef, [ref])
      : undefined;
    const row = res?.rows[0];
    if (row === undefined) {
      throw new ClaroError(
        'NOT_FOUND',
        `Cannot find update operation: no operation has ref ${ref}`,
      );
    }
    return row;
  }

  async #onlyIn(inId: number, notInId: number): Promise<Vulnerability[]> {
    const res = await this.#pool.query<VulnRow>(SQL.onlyIn, [inId, notInId]);
    return res.rows.map(rowToVulnerability);
  }
}

/**
 * The updaters whose `apply:` keys a run takes, in one order for every
 * process: its own, and each updater its records name. Records are
 * unique by content, the updater field included, so two runs that could
 * insert one record take a common key, and never wait on each other's
 * rows in opposite orders (a deadlock).
 */
function writers(updater: string, data: UpdateData): string[] {
  const names = new Set([updater]);
  for (const v of data.vulnerabilities) names.add(v.updater);
  return [...names].sort();
}

async function insertOperation(
  c: PoolClient,
  updater: string,
  fingerprint: string,
): Promise<number> {
  const values = [randomUUID(), updater, fingerprint, new Date()];
  const res = await c.query<{ id: number }>(SQL.insertOp, values);
  return res.rows[0]!.id;
}

/**
 * Stores each record once by content hash and links it to the operation,
 * a chunk at a time: one statement inserts the records not yet stored,
 * one links every record of the chunk.
 */
async function insertRecords(
  c: PoolClient,
  op: number,
  records: readonly Vulnerability[],
): Promise<void> {
  const unique = new Map<string, VulnParams>();
  for (const v of records) {
    const p = vulnParams(v);
    const key = p.hash.toString('hex');
    if (!unique.has(key)) unique.set(key, p);
  }

  const rows = [...unique.values()];
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    const columns = VULN_INSERT_COLUMNS.map(([name]) =>
      chunk.map((p) => p[name]),
    );
    await c.query(SQL.insertVulns, columns);
    await c.query(SQL.link, [op, chunk.map((p) => p.hash)]);
  }
}

async function insertCoverage(
  c: PoolClient,
  op: number,
  coverage: readonly DistributionKey[],
): Promise<void> {
  if (coverage.length === 0) return;

  await c.query(SQL.cover, [
    op,
    coverage.map((d) => d.did),
    coverage.map((d) => d.versionId),
    coverage.map((d) => d.versionCodeName ?? ''),
  ]);
}

function publicOp(row: OperationRow): UpdateOperation {
  return {
    ref: row.ref,
    updater: row.updater,
    fingerprint: row.fingerprint,
    date: row.date.toISOString(),
    count: row.count,
  };
}
