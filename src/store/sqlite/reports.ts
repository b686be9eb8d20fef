import type Database from 'better-sqlite3';

import type { IndexReport } from '../../indexer/report.js';
import type { DistributionKey } from '../../vuln/types.js';
import { reportPackageNames } from '../report-keys.js';

const SQL = {
  get: 'SELECT data FROM index_report WHERE manifest = ?',
  revision: `SELECT revision FROM index_report_revision
    WHERE manifest = ?`,
  put: `INSERT INTO index_report (manifest, data) VALUES (?, ?)
    ON CONFLICT (manifest) DO UPDATE SET data = excluded.data`,
  revise: 'INSERT OR REPLACE INTO index_report_revision (manifest) VALUES (?)',
  delete: 'DELETE FROM index_report WHERE manifest = ?',
  unlink: 'DELETE FROM index_package WHERE manifest = ?',
  link: `INSERT OR IGNORE INTO index_package
    (manifest, package_name, did, version_id, version_code_name)
    VALUES (?, ?, ?, ?, ?)`,
  byName: `SELECT DISTINCT manifest FROM index_package
    WHERE package_name = ? ORDER BY manifest`,
  byRelease: `SELECT manifest FROM index_package
    WHERE package_name = ? AND did = ? AND version_id = ?
    ORDER BY manifest`,
  byCodeName: `SELECT manifest FROM index_package
    WHERE package_name = ? AND did = ? AND version_id = ?
      AND version_code_name = ?
    ORDER BY manifest`,
} as const;

/**
 * Index reports as JSON text under their manifest, with the package names
 * each holds kept beside them (`index_package`) so that a search by
 * package does not parse every report, and a revision that each put
 * renews (`index_report_revision`, see migration 4).
 */
export class ReportTables {
  readonly #db: Database.Database;
  readonly #cache = new Map<keyof typeof SQL, Database.Statement>();

  constructor(db: Database.Database) {
    this.#db = db;
  }

  /**
   * Statements are prepared on first use, so that a store opened with an
   * older schema history (in tests) opens at all.
   */
  #st(key: keyof typeof SQL): Database.Statement {
    let st = this.#cache.get(key);
    if (st === undefined) {
      st = this.#db.prepare(SQL[key]);
      this.#cache.set(key, st);
    }
    return st;
  }

  get(manifest: string): IndexReport | undefined {
    const data = this.#st('get').pluck().get(manifest) as string | undefined;
    return data === undefined ? undefined : (JSON.parse(data) as IndexReport);
  }

  /** See `Store.indexReportVersion`: the report's revision. */
  version(manifest: string): string | undefined {
    const rev = this.#st('revision').pluck().get(manifest) as
      number | undefined;
    return rev === undefined ? undefined : String(rev);
  }

  /**
   * Replaces the report and its package names, under a new revision, in
   * one transaction.
   */
  put(report: IndexReport): void {
    const m = report.manifestHash;
    const dist = Object.values(report.distributions)[0];
    const release = [
      dist?.did ?? '',
      dist?.versionId ?? '',
      dist?.versionCodeName ?? '',
    ];
    const data = JSON.stringify(report);
    const run = this.#db.transaction(() => {
      this.#st('put').run(m, data);
      this.#st('revise').run(m);
      this.#st('unlink').run(m);
      for (const name of reportPackageNames(report)) {
        this.#st('link').run(m, name, ...release);
      }
    });
    run.immediate();
  }

  delete(manifest: string): boolean {
    return this.#st('delete').run(manifest).changes > 0;
  }

  manifestsWith(name: string, dist: DistributionKey | undefined): string[] {
    const rows =
      dist === undefined
        ? this.#st('byName').pluck().all(name)
        : dist.versionCodeName === undefined
          ? this.#st('byRelease').pluck().all(name, dist.did, dist.versionId)
          : this.#st('byCodeName')
              .pluck()
              .all(name, dist.did, dist.versionId, dist.versionCodeName);
    return [...new Set(rows as string[])];
  }
}
