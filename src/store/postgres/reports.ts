import { createHash } from 'node:crypto';

import type { Pool, PoolClient } from 'pg';

import type {
  Environment,
  IndexedDistribution,
  IndexedPackage,
  IndexReport,
  PackageSet,
} from '../../indexer/report.js';
import type { DistributionKey } from '../../vuln/types.js';
import { affected, inTransaction } from './db.js';

/** A `package` row as stored. */
interface PackageRow {
  readonly hash: Buffer;
  readonly name: string;
  readonly version: string;
  readonly kind: string;
  readonly source_name: string | null;
  readonly source_version: string | null;
  readonly package_db: string;
  readonly arch: string | null;
  readonly scheme: string;
}

/** A `distribution` row as stored. */
interface DistributionRow {
  readonly hash: Buffer;
  readonly did: string;
  readonly name: string;
  readonly version_id: string;
  readonly version: string;
  readonly version_code_name: string;
  readonly pretty_name: string;
  readonly arch: string | null;
  readonly cpe: string | null;
}

/** Column names and types, in the order of an insert's arrays. */
type Columns<R> = readonly (readonly [keyof R & string, string])[];

const PACKAGE_COLUMNS: Columns<PackageRow> = [
  ['hash', 'bytea'],
  ['name', 'text'],
  ['version', 'text'],
  ['kind', 'text'],
  ['source_name', 'text'],
  ['source_version', 'text'],
  ['package_db', 'text'],
  ['arch', 'text'],
  ['scheme', 'text'],
];

const DISTRIBUTION_COLUMNS: Columns<DistributionRow> = [
  ['hash', 'bytea'],
  ['did', 'text'],
  ['name', 'text'],
  ['version_id', 'text'],
  ['version', 'text'],
  ['version_code_name', 'text'],
  ['pretty_name', 'text'],
  ['arch', 'text'],
  ['cpe', 'text'],
];

/** How to store content rows of one table and find their ids. */
interface ContentTable<R> {
  readonly columns: Columns<R>;
  readonly insert: string;
  readonly ids: string;
}

/**
 * Content rows go in sorted by hash, so that two transactions storing
 * overlapping packages wait for each other in one order and never
 * deadlock; rows already stored are left as they are.
 */
function contentTable<R>(table: string, columns: Columns<R>): ContentTable<R> {
  const names = columns.map(([c]) => c).join(', ');
  const arrays = columns.map(([, t], i) => `$${i + 1}::${t}[]`).join(', ');
  return {
    columns,
    insert: `INSERT INTO ${table} (${names})
      SELECT ${names} FROM unnest(${arrays}) AS t(${names})
      ORDER BY hash ON CONFLICT (hash) DO NOTHING`,
    ids: `SELECT id, hash FROM ${table} WHERE hash = ANY ($1::bytea[])`,
  };
}

const PACKAGES = contentTable('package', PACKAGE_COLUMNS);
const DISTRIBUTIONS = contentTable('distribution', DISTRIBUTION_COLUMNS);

const SQL = {
  putManifest: `INSERT INTO manifest
    (hash, state, success, err, index_state, layers, notices)
    VALUES ($1, $2, $3, $4, $5, $6, $7)
    ON CONFLICT (hash) DO UPDATE SET state = excluded.state,
      success = excluded.success, err = excluded.err,
      index_state = excluded.index_state, layers = excluded.layers,
      notices = excluded.notices, stored = now(),
      revision = nextval('manifest_revision')
    RETURNING id`,
  unlinkPackages: 'DELETE FROM manifest_package WHERE manifest = $1',
  unlinkDistributions: 'DELETE FROM manifest_distribution WHERE manifest = $1',
  linkPackages: `INSERT INTO manifest_package
    (manifest, lower_only, local_id, ord, package, environments)
    SELECT $1::bigint, * FROM
      unnest($2::boolean[], $3::text[], $4::integer[], $5::bigint[],
        $6::jsonb[])`,
  linkDistributions: `INSERT INTO manifest_distribution
    (manifest, local_id, ord, distribution)
    SELECT $1::bigint, * FROM unnest($2::text[], $3::integer[], $4::bigint[])`,
  /** One statement, so one snapshot: a concurrent put is seen whole. */
  get: `SELECT m.hash, m.state, m.success, m.err, m.index_state, m.layers,
      m.notices,
      (SELECT coalesce(json_agg(json_build_object('lowerOnly', l.lower_only,
          'id', l.local_id, 'environments', l.environments,
          'package', row_to_json(p)) ORDER BY l.lower_only, l.ord), '[]')
        FROM manifest_package AS l LEFT JOIN package AS p ON p.id = l.package
        WHERE l.manifest = m.id) AS packages,
      (SELECT coalesce(json_agg(json_build_object('id', l.local_id,
          'distribution', row_to_json(d)) ORDER BY l.ord), '[]')
        FROM manifest_distribution AS l
        JOIN distribution AS d ON d.id = l.distribution
        WHERE l.manifest = m.id) AS distributions
    FROM manifest AS m WHERE m.hash = $1`,
  delete: 'DELETE FROM manifest WHERE hash = $1',
  revision: 'SELECT revision FROM manifest WHERE hash = $1',
  /**
   * Manifests linking a package of that binary or source name, and, when
   * a release is named, a distribution of that release (its code name
   * compared only when given). Text is ordered by code point, as SQLite
   * orders it.
   */
  manifestsWith: `SELECT m.hash FROM manifest AS m
    WHERE m.id IN (SELECT l.manifest FROM package AS p
        JOIN manifest_package AS l ON l.package = p.id
        WHERE p.name = $1 OR p.source_name = $1)
      AND ($2::text IS NULL OR EXISTS (SELECT 1
        FROM manifest_distribution AS l
        JOIN distribution AS d ON d.id = l.distribution
        WHERE l.manifest = m.id AND d.did = $2 AND d.version_id = $3
          AND ($4::text IS NULL OR d.version_code_name = $4)))
    ORDER BY m.hash COLLATE "C"`,
} as const;

interface ReportRow {
  readonly hash: string;
  readonly state: IndexReport['state'];
  readonly success: boolean;
  readonly err: string;
  readonly index_state: string | null;
  readonly layers: string[];
  readonly notices: IndexReport['notices'];
  readonly packages: readonly PackageLinkJson[];
  readonly distributions: readonly DistributionLinkJson[];
}

interface PackageLinkJson {
  readonly lowerOnly: boolean;
  readonly id: string;
  readonly environments: Environment[] | null;
  readonly package: Omit<PackageRow, 'hash'> | null;
}

interface DistributionLinkJson {
  readonly id: string;
  readonly distribution: Omit<DistributionRow, 'hash'>;
}

/** One link row of `manifest_package`, before it is sent. */
interface PackageLink {
  readonly lowerOnly: boolean;
  readonly id: string;
  readonly hash: Buffer | undefined;
  readonly environments: readonly Environment[] | undefined;
}

/**
 * Index reports in normalised tables (see migration 2): `put` replaces a
 * report's links in one transaction, so a concurrent `put` of the same
 * manifest waits on the manifest row and then replaces them again; `get`
 * rebuilds the report that was put, ids and order included.
 *
 * Known limitation: package and distribution rows that no report links
 * any longer are kept; they are few next to the links, and collecting
 * them safely would need a lock against concurrent puts.
 */
export class ReportTables {
  readonly #pool: Pool;

  constructor(pool: Pool) {
    this.#pool = pool;
  }

  async get(manifest: string): Promise<IndexReport | undefined> {
    const res = await this.#pool.query<ReportRow>(SQL.get, [manifest]);
    const row = res.rows[0];
    return row === undefined ? undefined : toReport(row);
  }

  /** See `Store.indexReportVersion`: the manifest row's revision. */
  async version(manifest: string): Promise<string | undefined> {
    const res = await this.#pool.query<{ revision: number }>({
      name: 'claro-report-revision',
      text: SQL.revision,
      values: [manifest],
    });
    const row = res.rows[0];
    return row === undefined ? undefined : String(row.revision);
  }

  async put(report: IndexReport): Promise<void> {
    const links = packageLinks(report);
    const packages = uniqueRows(links.rows);
    const dists = Object.values(report.distributions).map(distributionRow);

    await inTransaction(this.#pool, async (c) => {
      const id = await putManifest(c, report);
      await c.query(SQL.unlinkPackages, [id]);
      await c.query(SQL.unlinkDistributions, [id]);
      const pkgIds = await putContent(c, PACKAGES, packages);
      const distIds = await putContent(c, DISTRIBUTIONS, uniqueRows(dists));
      await linkPackages(c, id, links.links, pkgIds);
      await linkDistributions(c, id, report, dists, distIds);
    });
  }

  async delete(manifest: string): Promise<boolean> {
    return affected(await this.#pool.query(SQL.delete, [manifest])) > 0;
  }

  async manifestsWith(
    name: string,
    dist: DistributionKey | undefined,
  ): Promise<string[]> {
    const res = await this.#pool.query<{ hash: string }>(SQL.manifestsWith, [
      name,
      dist?.did ?? null,
      dist?.versionId ?? null,
      dist?.versionCodeName ?? null,
    ]);
    return res.rows.map((r) => r.hash);
  }
}

async function putManifest(c: PoolClient, r: IndexReport): Promise<number> {
  const res = await c.query<{ id: number }>(SQL.putManifest, [
    r.manifestHash,
    r.state,
    r.success,
    r.err,
    r.indexState ?? null,
    JSON.stringify(r.layers),
    JSON.stringify(r.notices),
  ]);
  return res.rows[0]!.id;
}

/** Stores the rows not yet stored; returns every row's id by hash. */
async function putContent<R extends { readonly hash: Buffer }>(
  c: PoolClient,
  table: ContentTable<R>,
  rows: readonly R[],
): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  if (rows.length === 0) return ids;

  const arrays = table.columns.map(([name]) => rows.map((r) => r[name]));
  await c.query(table.insert, arrays);
  const hashes = rows.map((r) => r.hash);
  const res = await c.query<{ id: number; hash: Buffer }>(table.ids, [hashes]);
  for (const r of res.rows) ids.set(r.hash.toString('hex'), r.id);
  return ids;
}

async function linkPackages(
  c: PoolClient,
  manifest: number,
  links: readonly PackageLink[],
  ids: Map<string, number>,
): Promise<void> {
  if (links.length === 0) return;

  await c.query(SQL.linkPackages, [
    manifest,
    links.map((l) => l.lowerOnly),
    links.map((l) => l.id),
    links.map((_, i) => i),
    links.map((l) =>
      l.hash === undefined ? null : ids.get(l.hash.toString('hex')),
    ),
    links.map((l) =>
      l.environments === undefined ? null : JSON.stringify(l.environments),
    ),
  ]);
}

async function linkDistributions(
  c: PoolClient,
  manifest: number,
  report: IndexReport,
  rows: readonly DistributionRow[],
  ids: Map<string, number>,
): Promise<void> {
  const localIds = Object.keys(report.distributions);
  if (localIds.length === 0) return;

  await c.query(SQL.linkDistributions, [
    manifest,
    localIds,
    localIds.map((_, i) => i),
    rows.map((r) => ids.get(r.hash.toString('hex'))),
  ]);
}

/**
 * The links of both package sets, installed first, each in the report's
 * key order: every package, then environments listed under an id that
 * has no package.
 */
function packageLinks(report: IndexReport): {
  links: PackageLink[];
  rows: PackageRow[];
} {
  const links: PackageLink[] = [];
  const rows: PackageRow[] = [];
  const add = (set: PackageSet, lowerOnly: boolean) => {
    for (const [id, pkg] of Object.entries(set.packages)) {
      const row = packageRow(pkg);
      rows.push(row);
      links.push({
        lowerOnly,
        id,
        hash: row.hash,
        environments: set.environments[id],
      });
    }
    for (const [id, environments] of Object.entries(set.environments)) {
      if (set.packages[id] !== undefined) continue;
      links.push({ lowerOnly, id, hash: undefined, environments });
    }
  };
  add(report, false);
  add(report.lowerLayersOnly, true);
  return { links, rows };
}

function uniqueRows<R extends { readonly hash: Buffer }>(
  rows: readonly R[],
): R[] {
  const seen = new Map<string, R>();
  for (const r of rows) seen.set(r.hash.toString('hex'), r);
  return [...seen.values()];
}

/**
 * A content hash over every field, absent ones as null, so that two
 * packages differing in any field (an absent arch and an empty one
 * included) are two rows.
 */
function contentHash(fields: readonly (string | null)[]): Buffer {
  return createHash('sha256').update(JSON.stringify(fields)).digest();
}

function packageRow(p: IndexedPackage): PackageRow {
  const fields = {
    name: p.name,
    version: p.version,
    kind: p.kind,
    source_name: p.source?.name ?? null,
    source_version: p.source?.version ?? null,
    package_db: p.packageDb,
    arch: p.arch ?? null,
    scheme: p.scheme,
  };
  return { hash: contentHash(Object.values(fields)), ...fields };
}

function distributionRow(d: IndexedDistribution): DistributionRow {
  const fields = {
    did: d.did,
    name: d.name,
    version_id: d.versionId,
    version: d.version,
    version_code_name: d.versionCodeName,
    pretty_name: d.prettyName,
    arch: d.arch ?? null,
    cpe: d.cpe ?? null,
  };
  return { hash: contentHash(Object.values(fields)), ...fields };
}

function toReport(row: ReportRow): IndexReport {
  const installed = emptySet();
  const lower = emptySet();
  for (const link of row.packages) {
    const set = link.lowerOnly ? lower : installed;
    if (link.package !== null) {
      set.packages[link.id] = toPackage(link.id, link.package);
    }
    if (link.environments !== null) {
      set.environments[link.id] = link.environments;
    }
  }
  const distributions: Record<string, IndexedDistribution> = {};
  for (const link of row.distributions) {
    distributions[link.id] = toDistribution(link.id, link.distribution);
  }

  return {
    manifestHash: row.hash,
    state: row.state,
    ...installed,
    distributions,
    lowerLayersOnly: lower,
    layers: row.layers,
    notices: row.notices,
    success: row.success,
    err: row.err,
    ...(row.index_state === null ? {} : { indexState: row.index_state }),
  };
}

function emptySet(): {
  packages: Record<string, IndexedPackage>;
  environments: Record<string, Environment[]>;
} {
  return { packages: {}, environments: {} };
}

/**
 * The stored row back as the report's package. The schema's CHECK
 * constraints keep `kind` to the model's words and the source columns
 * both set or both NULL.
 */
function toPackage(id: string, r: Omit<PackageRow, 'hash'>): IndexedPackage {
  return {
    id,
    name: r.name,
    version: r.version,
    kind: r.kind as IndexedPackage['kind'],
    ...(r.source_name === null
      ? {}
      : { source: { name: r.source_name, version: r.source_version! } }),
    packageDb: r.package_db,
    ...(r.arch === null ? {} : { arch: r.arch }),
    scheme: r.scheme,
  };
}

function toDistribution(
  id: string,
  r: Omit<DistributionRow, 'hash'>,
): IndexedDistribution {
  return {
    id,
    did: r.did,
    name: r.name,
    versionId: r.version_id,
    version: r.version,
    versionCodeName: r.version_code_name,
    prettyName: r.pretty_name,
    ...(r.arch === null ? {} : { arch: r.arch }),
    ...(r.cpe === null ? {} : { cpe: r.cpe }),
  };
}
