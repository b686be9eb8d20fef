/**
 * The `debian-tracker` updater: the Debian security tracker's JSON export,
 * `https://security-tracker.debian.org/tracker/data/json`.
 *
 * Shape: `{ source package: { CVE or TEMP id: { description?, releases:
 * { code name: { status, fixed_version?, urgency, repositories } } } } }`.
 * `status` is `resolved` (with the first fixed version; `0` means the
 * release was never affected), `open` (no fix yet) or `undetermined`.
 * `releases` is an empty array, not an object, when there are none.
 */
import { z } from 'zod';

import { ClaroError } from '../errors.js';
import { dpkgScheme } from '../dpkg/version.js';
import type { Logger } from '../log.js';
import { fetchDocuments, parseJsonDocument } from '../updater/mirror.js';
import type { FetchContext, FetchedFeed, Updater } from '../updater/updater.js';
import type {
  DistributionKey,
  UpdateData,
  Vulnerability,
} from '../vuln/types.js';
import { TRACKER_PAGE_URL, debianReleaseKey } from './security-list.js';
import { normalizeUrgency } from './severity.js';

export const TRACKER_UPDATER = 'debian-tracker';

/** The tracker's JSON export of every source package's issues. */
export const TRACKER_JSON_URL =
  'https://security-tracker.debian.org/tracker/data/json';

const DOCUMENT = 'tracker.json';
const MIRROR_PATH = 'debian/tracker.json';

const ReleaseEntry = z.object({
  status: z.string(),
  fixed_version: z.string().optional(),
  urgency: z.string().optional(),
});
type ReleaseEntry = z.infer<typeof ReleaseEntry>;

const IssueEntry = z.object({
  description: z.string().optional(),
  releases: z.union([z.record(z.string(), z.unknown()), z.tuple([])]),
});

/** The tracker JSON as one updater. */
export const trackerUpdater: Updater = {
  name: TRACKER_UPDATER,
  fetch: (ctx: FetchContext): Promise<FetchedFeed | undefined> =>
    fetchDocuments(ctx, [
      { name: DOCUMENT, mirrorPath: MIRROR_PATH, url: TRACKER_JSON_URL },
    ]),
  parse: parseTrackerJson,
};

/**
 * Parses the export into one record per (issue, release, source package).
 *
 * Decisions: `open` and `undetermined` give an empty fixed version (the
 * package is reported, never silently safe); an entry that makes no sense
 * (unknown status, resolved without a valid version) is skipped and
 * counted; code names claro cannot key (see debianReleaseKey) are skipped
 * with one warning each. `sid` is keyed versionId ''.
 */
export function parseTrackerJson(feed: FetchedFeed, log: Logger): UpdateData {
  const root = parseJsonDocument(feed, DOCUMENT);
  if (!isPlainObject(root)) {
    throw new ClaroError(
      'INVALID_FEED',
      `Cannot parse ${DOCUMENT}: not an object of source packages`,
    );
  }

  const walk = new TrackerWalk(log);
  for (const [pkg, issues] of Object.entries(root))
    walk.sourcePackage(pkg, issues);

  if (walk.skipped > 0) {
    log.warn(
      { document: DOCUMENT, skipped: walk.skipped },
      'skipped malformed tracker entries',
    );
  }
  return {
    vulnerabilities: walk.records,
    coverage: [...walk.coverage.values()],
  };
}

/** Collects records while walking the export. */
class TrackerWalk {
  readonly records: Vulnerability[] = [];
  readonly coverage = new Map<string, DistributionKey>();
  skipped = 0;
  private readonly unknown = new Set<string>();

  constructor(private readonly log: Logger) {}

  sourcePackage(pkg: string, issues: unknown): void {
    if (!isPlainObject(issues)) return this.skip({ pkg }, 'not an object');
    for (const [id, raw] of Object.entries(issues)) {
      const issue = IssueEntry.safeParse(raw);
      if (!issue.success) {
        this.skip({ pkg, id }, issue.error.issues[0]?.message ?? 'invalid');
        continue;
      }
      const releases = Object.entries(issue.data.releases);
      const description = issue.data.description ?? '';
      for (const [codename, rel] of releases) {
        this.release({ pkg, id, description, codename }, rel);
      }
    }
  }

  private release(where: IssueRelease, raw: unknown): void {
    const key = debianReleaseKey(where.codename);
    if (key === undefined) return this.unknownRelease(where.codename);

    const rel = ReleaseEntry.safeParse(raw);
    if (!rel.success) return this.skip(where, 'invalid release entry');
    const fixed = fixedVersion(rel.data);
    if (fixed === undefined) return this.skip(where, 'invalid status or fix');

    this.coverage.set(where.codename, key);
    if (fixed === null) return;
    this.records.push(toVulnerability(where, key, rel.data, fixed));
  }

  private unknownRelease(codename: string): void {
    if (this.unknown.has(codename)) return;
    this.unknown.add(codename);
    this.log.warn({ release: codename }, 'skipped release unknown to claro');
  }

  private skip(where: object, reason: string): void {
    this.skipped++;
    this.log.warn(
      { document: DOCUMENT, ...where, reason },
      'skipped tracker entry',
    );
  }
}

interface IssueRelease {
  readonly pkg: string;
  readonly id: string;
  readonly description: string;
  readonly codename: string;
}

/**
 * The fixed version of one release entry: '' when unfixed, null when not
 * affected, undefined when the entry makes no sense.
 */
function fixedVersion(rel: ReleaseEntry): string | null | undefined {
  if (rel.status === 'open' || rel.status === 'undetermined') return '';
  if (rel.status !== 'resolved') return undefined;

  const version = rel.fixed_version;
  if (version === '0') return null;
  if (version === undefined || !dpkgScheme.valid(version)) return undefined;
  return version;
}

function toVulnerability(
  where: IssueRelease,
  distribution: DistributionKey,
  rel: ReleaseEntry,
  fixedInVersion: string,
): Vulnerability {
  const urgency = rel.urgency ?? '';
  return {
    updater: TRACKER_UPDATER,
    name: where.id,
    description: where.description,
    issued: '',
    links: TRACKER_PAGE_URL + where.id,
    severity: urgency,
    normalizedSeverity: normalizeUrgency(urgency),
    packageName: where.pkg,
    packageKind: 'source',
    distribution,
    fixedInVersion,
    scheme: 'dpkg',
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
