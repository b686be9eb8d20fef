import { randomUUID } from 'node:crypto';

import type Database from 'better-sqlite3';

import { ClaroError } from '../../errors.js';
import type { VulnerabilityQuery } from '../../matcher/matcher.js';
import type {
  DistributionKey,
  UpdateData,
  Vulnerability,
} from '../../vuln/types.js';
import type {
  GcResult,
  PackagesQuery,
  UpdateDiff,
  UpdateOperation,
} from '../store.js';
import {
  byPackage,
  rowToVulnerability,
  VULN_COLUMNS,
  vulnParams,
  type VulnRow,
} from './vuln-rows.js';

interface OperationRow extends UpdateOperation {
  readonly id: number;
}

const OP_COLUMNS = 'o.id, o.ref, o.updater, o.fingerprint, o.date, o.count';

/**
 * An updater is selected when its name starts with one of the prefixes,
 * given as one JSON array parameter so that one prepared statement serves
 * any number of prefixes. `substr` compares exactly, unlike LIKE, which
 * folds case and treats `_` and `%` as wildcards.
 */
const UPDATER_MATCHES = `EXISTS (SELECT 1 FROM json_each(@prefixes) AS p
  WHERE substr(l.updater, 1, length(p.value)) = p.value)`;

const SQL = {
  latest: `SELECT ${OP_COLUMNS} FROM latest_update_operation AS l
    JOIN update_operation AS o ON o.id = l.uo WHERE l.updater = ?`,
  insertOp: `INSERT INTO update_operation (ref, updater, fingerprint, date)
    VALUES (?, ?, ?, ?)`,
  vulnId: 'SELECT id FROM vuln WHERE hash = ?',
  insertVuln: `INSERT INTO vuln (hash, updater, name, description, issued,
    links, severity, normalized_severity, package_name, package_kind, did,
    version_id, version_code_name, fixed_in_version, scheme, ecosystem,
    ranges, versions)
    VALUES (@hash, @updater, @name, @description, @issued, @links,
    @severity, @normalized_severity, @package_name, @package_kind, @did,
    @version_id, @version_code_name, @fixed_in_version, @scheme, @ecosystem,
    @ranges, @versions)`,
  link: 'INSERT OR IGNORE INTO uo_vuln (uo, vuln) VALUES (?, ?)',
  cover: `INSERT OR IGNORE INTO uo_coverage
    (uo, did, version_id, version_code_name) VALUES (?, ?, ?, ?)`,
  count: `UPDATE update_operation
    SET count = (SELECT count(*) FROM uo_vuln WHERE uo = @id) WHERE id = @id`,
  setLatest: `INSERT INTO latest_update_operation (updater, uo) VALUES (?, ?)
    ON CONFLICT (updater) DO UPDATE SET uo = excluded.uo`,
  allOps: `SELECT ${OP_COLUMNS} FROM update_operation AS o
    ORDER BY o.updater, o.id DESC`,
  updaterOps: `SELECT ${OP_COLUMNS} FROM update_operation AS o
    WHERE o.updater = ? ORDER BY o.id DESC`,
  byRef: `SELECT ${OP_COLUMNS} FROM update_operation AS o WHERE o.ref = ?`,
  onlyIn: `SELECT ${VULN_COLUMNS} FROM uo_vuln AS a
    JOIN vuln AS v ON v.id = a.vuln
    WHERE a.uo = @in AND NOT EXISTS
      (SELECT 1 FROM uo_vuln AS b WHERE b.uo = @notIn AND b.vuln = a.vuln)
    ORDER BY v.id`,
  query: `SELECT DISTINCT ${VULN_COLUMNS} FROM vuln AS v
    JOIN uo_vuln AS uv ON uv.vuln = v.id
    JOIN latest_update_operation AS l ON l.uo = uv.uo
    WHERE v.package_name = @packageName AND v.did = @did
      AND v.version_id = @versionId AND ${UPDATER_MATCHES}
    ORDER BY v.id`,
  queryMany: `SELECT DISTINCT ${VULN_COLUMNS} FROM vuln AS v
    JOIN uo_vuln AS uv ON uv.vuln = v.id
    JOIN latest_update_operation AS l ON l.uo = uv.uo
    WHERE v.package_name IN (SELECT value FROM json_each(@names))
      AND v.did = @did AND v.version_id = @versionId AND ${UPDATER_MATCHES}
    ORDER BY v.id`,
  covers: `SELECT EXISTS (SELECT 1 FROM latest_update_operation AS l
    JOIN uo_coverage AS c ON c.uo = l.uo
    WHERE c.did = @did AND c.version_id = @versionId
      AND ${UPDATER_MATCHES})`,
  hasData: 'SELECT EXISTS (SELECT 1 FROM latest_update_operation)',
  dataVersionPragma: 'PRAGMA data_version',
  dataVersion: `SELECT coalesce(group_concat(ref, ','), '') FROM
    (SELECT o.ref FROM latest_update_operation AS l
      JOIN update_operation AS o ON o.id = l.uo ORDER BY l.updater)`,
  gcOps: `DELETE FROM update_operation WHERE id IN (SELECT id FROM
    (SELECT id, row_number() OVER (PARTITION BY updater ORDER BY id DESC)
      AS n FROM update_operation) WHERE n > ?)`,
  gcVulns: `DELETE FROM vuln
    WHERE NOT EXISTS (SELECT 1 FROM uo_vuln WHERE uo_vuln.vuln = vuln.id)`,
} as const;

type Statements = { [K in keyof typeof SQL]: Database.Statement };

/** The last data version read, and when. */
interface DataVersionMemo {
  /** `PRAGMA data_version` then. */
  readonly seen: number;
  /** `#writes` then. */
  readonly writes: number;
  readonly version: string;
}

/**
 * The update-operation tables of the SQLite store: operations, records
 * stored once by content hash, their links and the coverage of each run.
 * An updater's current data is its latest operation, named in
 * `latest_update_operation` so that the per-package query joins one small
 * table instead of searching for each updater's maximum.
 */
export class UpdateTables {
  readonly #db: Database.Database;
  readonly #st: Statements;
  /** Writes through this connection so far; see `dataVersion`. */
  #writes = 0;
  #memo: DataVersionMemo | undefined;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#st = lazyStatements(db);
  }

  /** See `Store.applyUpdate`; runs in one IMMEDIATE transaction. */
  apply(
    updater: string,
    fingerprint: string,
    data: UpdateData,
  ): { operation: UpdateOperation; changed: boolean } {
    this.#writes += 1;
    const run = this.#db.transaction(() => {
      const latest = this.#latest(updater);
      if (latest?.fingerprint === fingerprint) {
        return { operation: publicOp(latest), changed: false };
      }

      const id = this.#insertOperation(updater, fingerprint);
      for (const v of data.vulnerabilities) {
        this.#st.link.run(id, this.#vulnId(v));
      }
      for (const d of data.coverage) {
        this.#st.cover.run(id, d.did, d.versionId, d.versionCodeName ?? '');
      }
      this.#st.count.run({ id });
      this.#st.setLatest.run(updater, id);
      return { operation: publicOp(this.#latest(updater)!), changed: true };
    });
    return run.immediate();
  }

  /** All operations, grouped by updater, newest first within each. */
  operations(updater?: string): UpdateOperation[] {
    const rows =
      updater === undefined
        ? this.#st.allOps.all()
        : this.#st.updaterOps.all(updater);
    return (rows as OperationRow[]).map(publicOp);
  }

  /** See `Store.updateDiff`. Both operations must be one updater's. */
  diff(prevRef: string | undefined, curRef: string): UpdateDiff {
    const cur = this.#byRef(curRef);
    const prev = prevRef === undefined ? undefined : this.#byRef(prevRef);
    if (prev !== undefined && prev.updater !== cur.updater) {
      throw new ClaroError(
        'INVALID_ARGUMENT',
        `Cannot diff update operations: ${prevRef} belongs to ` +
          `${prev.updater}, ${curRef} to ${cur.updater}`,
      );
    }

    const prevId = prev?.id ?? -1;
    return {
      prev: prev === undefined ? undefined : publicOp(prev),
      cur: publicOp(cur),
      added: this.#onlyIn(cur.id, prevId),
      removed: prev === undefined ? [] : this.#onlyIn(prev.id, cur.id),
    };
  }

  /** See `Store.vulnerabilities`. */
  query(q: VulnerabilityQuery): Vulnerability[] {
    const rows = this.#st.query.all({
      packageName: q.packageName,
      did: q.distribution.did,
      versionId: q.distribution.versionId,
      prefixes: JSON.stringify(q.updaters),
    }) as VulnRow[];
    return rows.map(rowToVulnerability);
  }

  /** See `Store.vulnerabilitiesOf`. */
  queryMany(q: PackagesQuery): Map<string, Vulnerability[]> {
    const rows = this.#st.queryMany.all({
      names: JSON.stringify(q.packageNames),
      did: q.distribution.did,
      versionId: q.distribution.versionId,
      prefixes: JSON.stringify(q.updaters),
    }) as VulnRow[];
    return byPackage(q.packageNames, rows.map(rowToVulnerability));
  }

  /** See `Store.covers`. */
  covers(dist: DistributionKey, updaters: readonly string[]): boolean {
    const hit = this.#st.covers.pluck().get({
      did: dist.did,
      versionId: dist.versionId,
      prefixes: JSON.stringify(updaters),
    });
    return hit === 1;
  }

  /** See `Store.hasVulnerabilityData`. */
  hasData(): boolean {
    return this.#st.hasData.pluck().get() === 1;
  }

  /**
   * See `Store.vulnerabilityDataVersion`: the refs of every updater's
   * current operation, in updater order, comma-separated. The answer is
   * kept while nothing was committed since it was read: `PRAGMA
   * data_version` changes when another connection commits (another
   * process, or another store on the file), `#writes` when this one
   * writes update operations, which only this class does.
   */
  dataVersion(): string {
    const seen = this.#st.dataVersionPragma.pluck().get() as number;
    const memo = this.#memo;
    if (memo?.seen === seen && memo.writes === this.#writes) {
      return memo.version;
    }

    const version = this.#st.dataVersion.pluck().get() as string;
    this.#memo = { seen, writes: this.#writes, version };
    return version;
  }

  /**
   * Deletes each updater's operations beyond its newest `keep`, then the
   * records no remaining operation links, in one transaction.
   */
  gc(keep: number): GcResult {
    if (!Number.isInteger(keep) || keep < 1) {
      throw new ClaroError(
        'INVALID_ARGUMENT',
        `Cannot collect update operations: keep must be a positive ` +
          `integer, got ${keep}`,
      );
    }

    this.#writes += 1;
    const run = this.#db.transaction(() => ({
      operations: this.#st.gcOps.run(keep).changes,
      vulnerabilities: this.#st.gcVulns.run().changes,
    }));
    return run.immediate();
  }

  #latest(updater: string): OperationRow | undefined {
    return this.#st.latest.get(updater) as OperationRow | undefined;
  }

  #insertOperation(updater: string, fingerprint: string): number {
    const date = new Date().toISOString();
    const res = this.#st.insertOp.run(randomUUID(), updater, fingerprint, date);
    return Number(res.lastInsertRowid);
  }

  #vulnId(v: Vulnerability): number {
    const params = vulnParams(v);
    const id = this.#st.vulnId.pluck().get(params.hash) as number | undefined;
    if (id !== undefined) return id;

    return Number(this.#st.insertVuln.run(params).lastInsertRowid);
  }

  #byRef(ref: string): OperationRow {
    const row = this.#st.byRef.get(ref) as OperationRow | undefined;
    if (row === undefined) {
      throw new ClaroError(
        'NOT_FOUND',
        `Cannot find update operation: no operation has ref ${ref}`,
      );
    }
    return row;
  }

  #onlyIn(inId: number, notInId: number): Vulnerability[] {
    const rows = this.#st.onlyIn.all({ in: inId, notIn: notInId });
    return (rows as VulnRow[]).map(rowToVulnerability);
  }
}

/**
 * The statements, each prepared on first use, so that a store opened with
 * an older schema history (in tests) opens at all.
 */
function lazyStatements(db: Database.Database): Statements {
  const st = {} as Statements;
  for (const key of Object.keys(SQL) as (keyof typeof SQL)[]) {
    let prepared: Database.Statement | undefined;
    Object.defineProperty(st, key, {
      get: () => (prepared ??= db.prepare(SQL[key])),
    });
  }
  return st;
}

function publicOp(row: OperationRow): UpdateOperation {
  return {
    ref: row.ref,
    updater: row.updater,
    fingerprint: row.fingerprint,
    date: row.date,
    count: row.count,
  };
}
