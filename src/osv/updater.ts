/**
 * The OSV updaters: one per ecosystem of OSV_ECOSYSTEMS, named
 * `osv-<folder>` (`osv-pypi`, `osv-go`, `osv-almalinux`), in the updater
 * set `osv`. Matchers select an ecosystem's records by its updater name.
 *
 * Coverage: a language ecosystem's run covers the empty release
 * `{ did: '', versionId: '' }`, the key of all its records, so
 * `Store.covers` with that key and the ecosystem's updater says whether
 * its data is loaded. A distribution ecosystem's run covers each release
 * its records name (`{ did: 'almalinux', versionId: '9' }`).
 */
import { ClaroError } from '../errors.js';
import type { Logger } from '../log.js';
import { listMirrorFolders } from '../updater/mirror.js';
import type {
  FetchContext,
  FetchedFeed,
  Updater,
  UpdaterSet,
} from '../updater/updater.js';
import type {
  DistributionKey,
  UpdateData,
  Vulnerability,
} from '../vuln/types.js';
import { convertRecord, emptyTally } from './convert.js';
import {
  LANGUAGE_RELEASE,
  OSV_ECOSYSTEMS,
  updaterName,
  type OsvEcosystem,
} from './ecosystems.js';
import { fetchOsvFeed, OSV_MIRROR_ROOT, osvDocuments } from './feed.js';
import { parseRecord } from './record.js';

/**
 * The OSV family. From a mirror, its updaters are those of the ecosystems
 * whose folder is under `osv/`; from upstream, every ecosystem's.
 */
export const osvUpdaterSet: UpdaterSet = {
  name: 'osv',
  async updaters(ctx: FetchContext): Promise<readonly Updater[]> {
    if (ctx.mirror === undefined) return OSV_ECOSYSTEMS.map(osvUpdater);

    const present = new Set(
      (await listMirrorFolders(ctx, OSV_MIRROR_ROOT)) ?? [],
    );
    return OSV_ECOSYSTEMS.filter((eco) =>
      [eco.folder, ...(eco.altFolders ?? [])].some((f) => present.has(f)),
    ).map(osvUpdater);
  },
};

/** The updater of one ecosystem. */
export function osvUpdater(eco: OsvEcosystem): Updater {
  return {
    name: updaterName(eco),
    fetch: (ctx: FetchContext): Promise<FetchedFeed | undefined> =>
      fetchOsvFeed(ctx, eco),
    parse: (feed: FetchedFeed, log: Logger): UpdateData =>
      parseOsvFeed(feed, eco, log),
  };
}

/**
 * Parses every record document of a feed into vulnerability records.
 * A document that is not an OSV record, and a record without a usable
 * range or version, is skipped with a warning; withdrawn records,
 * distribution bug fix advisories and ignored GIT ranges are counted in
 * the closing log line. Only an unreadable zip throws INVALID_FEED.
 */
export function parseOsvFeed(
  feed: FetchedFeed,
  eco: OsvEcosystem,
  log: Logger,
): UpdateData {
  const tally = emptyTally();
  const vulnerabilities: Vulnerability[] = [];
  let invalid = 0;
  for (const doc of osvDocuments(feed)) {
    const record = 'body' in doc ? parseRecord(doc.name, doc.body) : doc.error;
    if (typeof record === 'string') {
      invalid++;
      log.warn({ document: doc.name, reason: record }, 'skipped OSV document');
      continue;
    }

    const unusable = tally.unusable;
    vulnerabilities.push(...convertRecord(record, eco, tally));
    if (tally.unusable > unusable) {
      log.warn({ id: record.id }, 'skipped OSV record without usable ranges');
    }
  }

  log.info(
    { ...tally, invalid, records: vulnerabilities.length },
    'read OSV records',
  );
  return { vulnerabilities, coverage: coverageOf(eco, vulnerabilities) };
}

/** See the module comment. */
function coverageOf(
  eco: OsvEcosystem,
  records: readonly Vulnerability[],
): DistributionKey[] {
  if (eco.did === undefined) return [LANGUAGE_RELEASE];

  const releases = new Map<string, DistributionKey>();
  for (const { distribution: d } of records) {
    releases.set(d.versionId, d);
  }
  return [...releases.values()].sort(
    (a, b) => Number(a.versionId) - Number(b.versionId),
  );
}

/** The ecosystem of an updater name (`osv-pypi`), or INVALID_ARGUMENT. */
export function osvEcosystem(updater: string): OsvEcosystem {
  const eco = OSV_ECOSYSTEMS.find((e) => updaterName(e) === updater);
  if (eco !== undefined) return eco;
  throw new ClaroError(
    'INVALID_ARGUMENT',
    `Cannot find OSV ecosystem: no updater is named ${updater}`,
  );
}
