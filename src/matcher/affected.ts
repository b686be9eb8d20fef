/**
 * Affected manifests: given vulnerability records (as Clair's notifier
 * sends them to `POST /indexer/api/v1/internal/affected_manifest`), which
 * indexed manifests hold a package one of them affects.
 */
import { errorMessage, isClaroError } from '../errors.js';
import type { IndexReport, PackageSet } from '../indexer/report.js';
import type { DistributionRecord, PackageRecord } from '../indexer/types.js';
import { silentLogger, type Logger } from '../log.js';
import type { Store } from '../store/store.js';
import {
  NO_DISTRIBUTION,
  type Matcher,
  type VulnerabilityQuery,
} from './matcher.js';
import type { IndexedVulnerability } from './report.js';

export interface AffectedOptions {
  readonly store: Store;
  readonly matchers: readonly Matcher[];
  readonly log?: Logger;
}

/**
 * For each record, the manifests it affects (sorted; records affecting
 * none are absent), keyed by the record's id.
 *
 * The decision is the vulnerability report's: candidates are the
 * manifests whose index holds a package of the record's name in its
 * release (`Store.manifestsWithPackage`), or in any image for a language
 * record (keyed under the empty release); a candidate is affected when
 * a package of it, installed or only in lower layers, is accepted by a
 * matcher whose query would have found this record (same package name
 * and release, and updater prefix when the record names its updater) and
 * that matcher calls it vulnerable. Only finished index reports count.
 *
 * A version the matcher cannot compare counts as affected (and is logged):
 * an unknown answer must not silence a notification.
 *
 * Known limitation: a Debian testing image (no VERSION_ID) is found by
 * the release its records use only when its index has the same number.
 */
export async function affectedManifests(
  vulns: readonly IndexedVulnerability[],
  opts: AffectedOptions,
): Promise<Record<string, string[]>> {
  const reports = new ReportCache(opts.store);
  const log = opts.log ?? silentLogger();
  const out: Record<string, string[]> = {};
  for (const v of vulns) {
    const found: string[] = [];
    for (const manifest of await candidates(v, opts.store)) {
      const report = await reports.get(manifest);
      if (report && affects(report, v, { ...opts, log })) found.push(manifest);
    }
    if (found.length > 0) out[v.id] = found.sort();
  }
  return out;
}

/**
 * Language records (keyed under the empty release) apply in any image,
 * whatever its distribution; the others in their release only.
 */
function candidates(v: IndexedVulnerability, store: Store) {
  const { did, versionId } = v.distribution;
  if (did === '' && versionId === '') {
    return store.manifestsWithPackage({ packageName: v.packageName });
  }
  return store.manifestsWithPackage({
    packageName: v.packageName,
    distribution: { did, versionId },
  });
}

/** Loads each report once per call; unfinished ones read as absent. */
class ReportCache {
  readonly #store: Store;
  readonly #seen = new Map<string, IndexReport | undefined>();

  constructor(store: Store) {
    this.#store = store;
  }

  async get(manifest: string): Promise<IndexReport | undefined> {
    if (this.#seen.has(manifest)) return this.#seen.get(manifest);
    const r = await this.#store.getIndexReport(manifest);
    const finished = r?.state === 'IndexFinished' ? r : undefined;
    this.#seen.set(manifest, finished);
    return finished;
  }
}

interface Decide {
  readonly matchers: readonly Matcher[];
  readonly log: Logger;
}

function affects(
  report: IndexReport,
  v: IndexedVulnerability,
  opts: Decide,
): boolean {
  const dist = Object.values(report.distributions)[0];
  const sets: PackageSet[] = [report, report.lowerLayersOnly];
  return sets.some((set) =>
    Object.values(set.packages).some((pkg) =>
      packageAffected(pkg, dist, v, opts),
    ),
  );
}

function packageAffected(
  pkg: PackageRecord,
  dist: DistributionRecord | undefined,
  v: IndexedVulnerability,
  opts: Decide,
): boolean {
  for (const m of opts.matchers) {
    if (!m.accepts(pkg, dist)) continue;
    if (!finds(m.query(pkg, dist ?? NO_DISTRIBUTION), v)) continue;
    if (vulnerable(m, pkg, v, opts.log)) return true;
  }
  return false;
}

/** Whether the store would answer `q` with record `v`. */
function finds(q: VulnerabilityQuery, v: IndexedVulnerability): boolean {
  if (q.packageName !== v.packageName) return false;
  if (q.distribution.did !== v.distribution.did) return false;
  if (q.distribution.versionId !== v.distribution.versionId) return false;
  return v.updater === '' || q.updaters.some((p) => v.updater.startsWith(p));
}

function vulnerable(
  m: Matcher,
  pkg: PackageRecord,
  v: IndexedVulnerability,
  log: Logger,
): boolean {
  try {
    return m.vulnerable(pkg, v);
  } catch (err) {
    if (!isClaroError(err, 'INVALID_VERSION')) throw err;
    log.warn(
      { vulnerability: v.name, package: pkg.name, err: errorMessage(err) },
      'version not comparable, counted as affected',
    );
    return true;
  }
}
