import Database from 'better-sqlite3';

import { ClaroError, errorMessage, isClaroError } from '../errors.js';
import type { IndexReport } from '../indexer/report.js';
import type { ScanResult } from '../indexer/types.js';
import type { LayerRecord } from '../layer/record.js';
import { silentLogger, type Logger } from '../log.js';
import type { VulnerabilityQuery } from '../matcher/matcher.js';
import type {
  DistributionKey,
  UpdateData,
  Vulnerability,
} from '../vuln/types.js';
import { migrate, type Migration } from './sqlite/migrations.js';
import { ProcessLocks } from './locks.js';
import { ReportTables } from './sqlite/reports.js';
import { listStatus, recordAttempt } from './sqlite/status.js';
import { UpdateTables } from './sqlite/updates.js';
import type {
  GcResult,
  LockResult,
  PackagesQuery,
  ReportVersions,
  ScannerId,
  Store,
  UpdateDiff,
  UpdateOperation,
  UpdaterAttempt,
  UpdaterStatus,
} from './store.js';

/** How to open a SQLite store. */
export interface SqliteStoreOptions {
  readonly logger?: Logger;
  /** How long a write waits for another connection's lock; default 5 s. */
  readonly busyTimeoutMs?: number;
  /** Schema history to apply; tests replace it, callers should not. */
  readonly migrations?: readonly Migration[];
}

const DEFAULT_BUSY_TIMEOUT_MS = 5_000;

const SQL = {
  getLayer: 'SELECT data FROM layer_record WHERE digest = ? AND reader = ?',
  putLayer: `INSERT INTO layer_record (digest, reader, data) VALUES (?, ?, ?)
    ON CONFLICT (digest, reader) DO UPDATE SET data = excluded.data`,
  getScan: `SELECT data FROM scan_result
    WHERE digest = ? AND scanner_name = ? AND scanner_version = ?`,
  putScan: `INSERT INTO scan_result
    (digest, scanner_name, scanner_version, data) VALUES (?, ?, ?, ?)
    ON CONFLICT (digest, scanner_name, scanner_version)
    DO UPDATE SET data = excluded.data`,
} as const;

type Statements = { [K in keyof typeof SQL]: Database.Statement };

/**
 * The embedded store: one SQLite file (or memory) per process or shared by
 * several, in WAL mode with a busy timeout so that concurrent processes
 * wait for each other's writes instead of failing. Layer records, scan
 * results and index reports are JSON text under their keys; update
 * operations live in normalized tables (see `sqlite/updates.ts`).
 *
 * Each write is one statement or one transaction, so a failure leaves the
 * previous contents whole. SQLite failures surface as STORE_FAILED.
 */
export class SqliteStore implements Store {
  /** File path, or `:memory:`. */
  readonly path: string;
  readonly #db: Database.Database;
  readonly #st: Statements;
  readonly #updates: UpdateTables;
  readonly #reports: ReportTables;
  readonly #locks = new ProcessLocks();

  private constructor(path: string, db: Database.Database) {
    this.path = path;
    this.#db = db;
    this.#st = prepareAll(db);
    this.#updates = new UpdateTables(db);
    this.#reports = new ReportTables(db);
  }

  /**
   * Opens (creating if needed) the database at `path` and brings its schema
   * up to date. Throws STORE_FAILED naming the path when the file is not a
   * SQLite database, cannot be opened, or has a newer schema.
   */
  static open(path: string, opts: SqliteStoreOptions = {}): SqliteStore {
    const logger = (opts.logger ?? silentLogger()).child({ store: path });
    let db: Database.Database | undefined;
    try {
      db = new Database(path);
      configure(db, opts.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS);
      const migrateOpts =
        opts.migrations === undefined
          ? { logger }
          : { logger, migrations: opts.migrations };
      migrate(db, migrateOpts);
      return new SqliteStore(path, db);
    } catch (err) {
      db?.close();
      throw new ClaroError(
        'STORE_FAILED',
        `Cannot open store ${path}: ${errorMessage(err)}`,
        { cause: err },
      );
    }
  }

  async getLayerRecord(
    digest: string,
    reader: string,
  ): Promise<LayerRecord | undefined> {
    return this.#read('read layer record', () =>
      this.#st.getLayer.get(digest, reader),
    );
  }

  async putLayerRecord(
    digest: string,
    reader: string,
    rec: LayerRecord,
  ): Promise<void> {
    this.#do('store layer record', () =>
      this.#st.putLayer.run(digest, reader, JSON.stringify(rec)),
    );
  }

  async getScanResult(
    digest: string,
    scanner: ScannerId,
  ): Promise<ScanResult | undefined> {
    return this.#read('read scan result', () =>
      this.#st.getScan.get(digest, scanner.name, scanner.version),
    );
  }

  async putScanResult(
    digest: string,
    scanner: ScannerId,
    result: ScanResult,
  ): Promise<void> {
    const data = JSON.stringify(result);
    this.#do('store scan result', () =>
      this.#st.putScan.run(digest, scanner.name, scanner.version, data),
    );
  }

  async getIndexReport(manifest: string): Promise<IndexReport | undefined> {
    return this.#do('read index report', () => this.#reports.get(manifest));
  }

  async indexReportVersion(manifest: string): Promise<string | undefined> {
    return this.#do('read index report version', () =>
      this.#reports.version(manifest),
    );
  }

  async putIndexReport(report: IndexReport): Promise<void> {
    this.#do('store index report', () => this.#reports.put(report));
  }

  async deleteIndexReport(manifest: string): Promise<boolean> {
    return this.#do('delete index report', () =>
      this.#reports.delete(manifest),
    );
  }

  async manifestsWithPackage(query: {
    readonly packageName: string;
    readonly distribution?: DistributionKey;
  }): Promise<string[]> {
    return this.#do('find manifests by package', () =>
      this.#reports.manifestsWith(query.packageName, query.distribution),
    );
  }

  async applyUpdate(
    updater: string,
    fingerprint: string,
    data: UpdateData,
  ): Promise<{ operation: UpdateOperation; changed: boolean }> {
    return this.#do('store update', () =>
      this.#updates.apply(updater, fingerprint, data),
    );
  }

  /**
   * Every stored operation (of one updater when named), grouped by updater
   * and newest first within each; the first of each group is the
   * updater's current data.
   */
  async updateOperations(updater?: string): Promise<UpdateOperation[]> {
    return this.#do('list update operations', () =>
      this.#updates.operations(updater),
    );
  }

  /**
   * Records linked to `curRef` and not `prevRef` (added), and the reverse
   * (removed). Throws NOT_FOUND for an unknown ref and INVALID_ARGUMENT
   * when the two belong to different updaters.
   */
  async updateDiff(
    prevRef: string | undefined,
    curRef: string,
  ): Promise<UpdateDiff> {
    return this.#do('diff update operations', () =>
      this.#updates.diff(prevRef, curRef),
    );
  }

  async covers(
    dist: DistributionKey,
    updaters: readonly string[],
  ): Promise<boolean> {
    return this.#do('read coverage', () =>
      this.#updates.covers(dist, updaters),
    );
  }

  async hasVulnerabilityData(): Promise<boolean> {
    return this.#do('read update operations', () => this.#updates.hasData());
  }

  async vulnerabilityDataVersion(): Promise<string> {
    return this.#do('read vulnerability data version', () =>
      this.#updates.dataVersion(),
    );
  }

  async reportVersions(manifest: string): Promise<ReportVersions> {
    return this.#do('read report versions', () => ({
      index: this.#reports.version(manifest),
      data: this.#updates.dataVersion(),
    }));
  }

  async vulnerabilities(query: VulnerabilityQuery): Promise<Vulnerability[]> {
    return this.#do('query vulnerabilities', () => this.#updates.query(query));
  }

  async vulnerabilitiesOf(
    query: PackagesQuery,
  ): Promise<Map<string, Vulnerability[]>> {
    return this.#do('query vulnerabilities', () =>
      this.#updates.queryMany(query),
    );
  }

  /**
   * Deletes each updater's operations beyond its newest `keep` (at least
   * one, so current data always survives) and the records left unlinked.
   */
  async gcUpdateOperations(keep: number): Promise<GcResult> {
    return this.#do('collect update operations', () => this.#updates.gc(keep));
  }

  async recordUpdaterAttempt(attempt: UpdaterAttempt): Promise<void> {
    this.#do('record updater attempt', () => recordAttempt(this.#db, attempt));
  }

  async updaterStatus(): Promise<UpdaterStatus[]> {
    return this.#do('read updater status', () => listStatus(this.#db));
  }

  /**
   * Locks within this process only: a SQLite file shared by several
   * serving processes does not serialise their indexing (each write is
   * still atomic). Known limitation: run one `claro serve` per SQLite
   * file, or use PostgreSQL.
   */
  async withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return this.#locks.withLock(name, fn);
  }

  async tryLock<T>(name: string, fn: () => Promise<T>): Promise<LockResult<T>> {
    return this.#locks.tryLock(name, fn);
  }

  /**
   * Closes the connection after `PRAGMA optimize`, which SQLite recommends
   * before closing so that the planner's statistics follow the data.
   */
  async close(): Promise<void> {
    this.#do('close store', () => {
      if (!this.#db.open) return;
      this.#db.pragma('optimize');
      this.#db.close();
    });
  }

  /** Runs `fn`, turning any SQLite failure into STORE_FAILED. */
  #do<T>(action: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (isClaroError(err)) throw err;
      throw new ClaroError(
        'STORE_FAILED',
        `Cannot ${action}: ${errorMessage(err)}`,
        { cause: err },
      );
    }
  }

  /**
   * Reads one JSON `data` cell. The text was written by this class from
   * the same type, so it is trusted rather than re-validated.
   */
  #read<T>(action: string, fn: () => unknown): T | undefined {
    return this.#do(action, () => {
      const row = fn() as { data: string } | undefined;
      return row === undefined ? undefined : (JSON.parse(row.data) as T);
    });
  }
}

/**
 * Connection settings, applied before anything else touches the file:
 * the busy timeout first, so that switching to WAL waits on a concurrent
 * opener's lock too; WAL lets readers proceed while one process writes;
 * foreign keys make deleted operations take their links with them.
 * `synchronous = NORMAL` cannot corrupt a WAL database; a power cut may
 * lose the last commits, which are caches and feed runs that claro redoes.
 */
function configure(db: Database.Database, busyTimeoutMs: number): void {
  db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(busyTimeoutMs))}`);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = NORMAL');
}

function prepareAll(db: Database.Database): Statements {
  const entries = Object.entries(SQL).map(([k, sql]) => [k, db.prepare(sql)]);
  return Object.fromEntries(entries) as Statements;
}
