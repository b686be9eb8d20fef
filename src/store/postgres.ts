import pg from 'pg';

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
import { parseConnstring } from './postgres/connection.js';
import { withClient } from './postgres/db.js';
import { quoteIdent } from './postgres/keys.js';
import { AdvisoryLocks } from './postgres/locks.js';
import { migrate, type Migration } from './postgres/migrations.js';
import { ReportTables } from './postgres/reports.js';
import { listStatus, recordAttempt } from './postgres/status.js';
import { UpdateTables } from './postgres/updates.js';
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

/** How to open a PostgreSQL store. */
export interface PostgresStoreOptions {
  readonly logger?: Logger;
  /**
   * Schema to keep the tables in, created when missing; by default the
   * first schema of the server's search_path that exists.
   */
  readonly schema?: string;
  /** Query connections per store; default 10. Locks use one more. */
  readonly poolSize?: number;
  /** Schema history to apply; tests replace it, callers should not. */
  readonly migrations?: readonly Migration[];
}

const DEFAULT_POOL_SIZE = 10;
/** PostgreSQL's NAMEDATALEN less one: the longest identifier. */
const MAX_IDENTIFIER_BYTES = 63;

const SQL = {
  getLayer: 'SELECT data FROM layer_record WHERE digest = $1 AND reader = $2',
  putLayer: `INSERT INTO layer_record (digest, reader, data) VALUES ($1, $2, $3)
    ON CONFLICT (digest, reader) DO UPDATE SET data = excluded.data`,
  getScan: `SELECT data FROM scan_result
    WHERE digest = $1 AND scanner_name = $2 AND scanner_version = $3`,
  putScan: `INSERT INTO scan_result
    (digest, scanner_name, scanner_version, data) VALUES ($1, $2, $3, $4)
    ON CONFLICT (digest, scanner_name, scanner_version)
    DO UPDATE SET data = excluded.data`,
} as const;

/**
 * bigint columns (ids, counts) read as numbers: identity values and
 * counts of this store stay far below 2^53.
 */
const TYPES = {
  getTypeParser: (oid: number, format?: string) =>
    oid === pg.types.builtins.INT8
      ? (text: string) => Number(text)
      : pg.types.getTypeParser(oid, format as 'text'),
} as pg.CustomTypesConfig;

/**
 * The shared store: one PostgreSQL database (or one schema of it) used
 * by any number of claro processes. Layer records and scan results are
 * JSON under their keys; index reports are normalised (packages and
 * distributions stored once, linked per manifest, see
 * `postgres/reports.ts`); update operations follow the SQLite store's
 * tables (see `postgres/updates.ts`). Locks are advisory locks that every
 * process on the database shares (see `postgres/locks.ts`).
 *
 * Each write is one statement or one transaction. PostgreSQL failures
 * surface as STORE_FAILED "Cannot <action>: <reason>"; no message or log
 * holds the connection string's password.
 */
export class PostgresStore implements Store {
  /** The connection string with its password masked. */
  readonly display: string;
  /** The schema holding the tables. */
  readonly schema: string;
  readonly #pool: pg.Pool;
  readonly #updates: UpdateTables;
  readonly #reports: ReportTables;
  readonly #locks: AdvisoryLocks;
  #closed = false;

  private constructor(
    display: string,
    schema: string,
    pool: pg.Pool,
    locks: AdvisoryLocks,
  ) {
    this.display = display;
    this.schema = schema;
    this.#pool = pool;
    this.#updates = new UpdateTables(pool, schema);
    this.#reports = new ReportTables(pool);
    this.#locks = locks;
  }

  /**
   * Connects, creates the schema when one is named and missing, and
   * brings it up to date. Throws INVALID_ARGUMENT for a malformed
   * connection string or schema name, and STORE_FAILED naming the
   * server (password masked) when it cannot be reached or its schema is
   * newer than this code.
   */
  static async open(
    connstring: string,
    opts: PostgresStoreOptions = {},
  ): Promise<PostgresStore> {
    const { config, display } = parseConnstring(connstring);
    if (opts.schema !== undefined) checkSchemaName(opts.schema, display);
    const logger = (opts.logger ?? silentLogger()).child({ store: display });
    const pool = createPool(config, opts, logger);
    try {
      const schema = await prepareSchema(pool, opts, logger);
      const locks = new AdvisoryLocks(config, schema, logger);
      return new PostgresStore(display, schema, pool, locks);
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw new ClaroError(
        'STORE_FAILED',
        `Cannot open store ${display}: ${describeError(err)}`,
        { cause: err },
      );
    }
  }

  async getLayerRecord(
    digest: string,
    reader: string,
  ): Promise<LayerRecord | undefined> {
    return this.#data('read layer record', SQL.getLayer, [digest, reader]);
  }

  async putLayerRecord(
    digest: string,
    reader: string,
    rec: LayerRecord,
  ): Promise<void> {
    const values = [digest, reader, JSON.stringify(rec)];
    await this.#do('store layer record', () =>
      this.#pool.query(SQL.putLayer, values),
    );
  }

  async getScanResult(
    digest: string,
    scanner: ScannerId,
  ): Promise<ScanResult | undefined> {
    const values = [digest, scanner.name, scanner.version];
    return this.#data('read scan result', SQL.getScan, values);
  }

  async putScanResult(
    digest: string,
    scanner: ScannerId,
    result: ScanResult,
  ): Promise<void> {
    const data = JSON.stringify(result);
    const values = [digest, scanner.name, scanner.version, data];
    await this.#do('store scan result', () =>
      this.#pool.query(SQL.putScan, values),
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
    await this.#do('store index report', () => this.#reports.put(report));
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

  async updateOperations(updater?: string): Promise<UpdateOperation[]> {
    return this.#do('list update operations', () =>
      this.#updates.operations(updater),
    );
  }

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
    return this.#do('read report versions', () =>
      this.#updates.reportVersions(manifest),
    );
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

  async gcUpdateOperations(keep: number): Promise<GcResult> {
    return this.#do('collect update operations', () => this.#updates.gc(keep));
  }

  async recordUpdaterAttempt(attempt: UpdaterAttempt): Promise<void> {
    await this.#do('record updater attempt', () =>
      recordAttempt(this.#pool, attempt),
    );
  }

  async updaterStatus(): Promise<UpdaterStatus[]> {
    return this.#do('read updater status', () => listStatus(this.#pool));
  }

  /** See `postgres/locks.ts`: shared by every process on the database. */
  async withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return this.#locks.withLock(name, fn);
  }

  async tryLock<T>(name: string, fn: () => Promise<T>): Promise<LockResult<T>> {
    return this.#locks.tryLock(name, fn);
  }

  /** Ends the lock connection and the pool; later calls fail. */
  async close(): Promise<void> {
    if (this.#closed) return;

    this.#closed = true;
    await this.#do('close store', async () => {
      await this.#locks.close();
      await this.#pool.end();
    });
  }

  /** Runs `fn`, turning any PostgreSQL failure into STORE_FAILED. */
  async #do<T>(action: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (isClaroError(err)) throw err;
      throw new ClaroError(
        'STORE_FAILED',
        `Cannot ${action}: ${describeError(err)}`,
        { cause: err },
      );
    }
  }

  /**
   * Reads one JSON `data` cell. The value was written by this class from
   * the same type, so it is trusted rather than re-validated.
   */
  async #data<T>(
    action: string,
    sql: string,
    values: readonly string[],
  ): Promise<T | undefined> {
    const res = await this.#do(action, () =>
      this.#pool.query<{ data: T }>(sql, [...values]),
    );
    return res.rows[0]?.data;
  }
}

function checkSchemaName(schema: string, display: string): void {
  const bytes = Buffer.byteLength(schema);
  if (bytes > 0 && bytes <= MAX_IDENTIFIER_BYTES && !schema.includes('\0')) {
    return;
  }
  throw new ClaroError(
    'INVALID_ARGUMENT',
    `Cannot open store ${display}: schema name must be 1 to ` +
      `${MAX_IDENTIFIER_BYTES} bytes without NUL`,
  );
}

/**
 * The query pool. A named schema is set on each new connection before
 * any query (`onConnect` runs first); an idle connection's failure is
 * logged, and the pool replaces it.
 */
function createPool(
  config: pg.ClientConfig,
  opts: PostgresStoreOptions,
  logger: Logger,
): pg.Pool {
  const schema = opts.schema;
  const pool = new pg.Pool({
    ...config,
    max: opts.poolSize ?? DEFAULT_POOL_SIZE,
    types: TYPES,
    ...(schema === undefined
      ? {}
      : {
          onConnect: async (client: pg.ClientBase) => {
            await client.query(`SET search_path TO ${quoteIdent(schema)}`);
          },
        }),
  });
  pool.on('error', (err) => {
    logger.warn({ err }, 'idle store connection failed');
  });
  return pool;
}

/** Migrates the named schema, or the server's current one. */
async function prepareSchema(
  pool: pg.Pool,
  opts: PostgresStoreOptions,
  logger: Logger,
): Promise<string> {
  return withClient(pool, async (client) => {
    const schema = opts.schema ?? (await currentSchema(client));
    await migrate(client, {
      schema,
      create: opts.schema !== undefined,
      logger,
      ...(opts.migrations === undefined ? {} : { migrations: opts.migrations }),
    });
    return schema;
  });
}

async function currentSchema(client: pg.PoolClient): Promise<string> {
  const res = await client.query<{ s: string | null }>(
    'SELECT current_schema() AS s',
  );
  const schema = res.rows[0]?.s ?? null;
  if (schema === null) {
    throw new Error(
      'no schema of the search_path exists: create one, or name an ' +
        'existing one with options=-c search_path=NAME',
    );
  }
  return schema;
}

/**
 * A failure's message; a connection attempt to several addresses fails
 * with an AggregateError whose own message is empty, so its parts speak.
 */
function describeError(err: unknown): string {
  if (err instanceof AggregateError && err.message === '') {
    return err.errors.map(errorMessage).join('; ');
  }
  return errorMessage(err);
}
