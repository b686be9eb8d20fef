/**
 * OSV records to claro's vulnerability records: one record per advisory,
 * package and release, carrying the advisory's ranges and versions for
 * that package.
 *
 * Decisions:
 * - `name` is the record's own id (PYSEC-2021-140, GHSA-…, GO-…, ALSA-…,
 *   RLSA-…): the id the database publishes and the one its ranges belong
 *   to. The CVE ids among its `aliases` (and, for distribution
 *   advisories, its `related` ids, where AlmaLinux and Rocky list the
 *   CVEs an advisory fixes) become CVE record links after the record's
 *   references, so a CVE stays findable from the report.
 * - The affected entries of one package in one release are merged: their
 *   ranges are listed together and their versions joined, since OSV calls
 *   a version affected when any entry holds it. AlmaLinux lists a package
 *   once per module stream, for instance.
 * - `fixedInVersion` is the first `fixed` event, for display; the ranges
 *   and versions are the truth a matcher decides on.
 * - `description` is `details`, else `summary`; `issued` is `published`,
 *   empty when it is missing or the zero time (0001-01-01) that the Go
 *   database's repository writes before publishing.
 * - Withdrawn records are skipped. So are the bug fix and enhancement
 *   advisories of distributions (ALBA, ALEA, RLBA, RLEA ids): they fix no
 *   vulnerability, and a scanner that reported them would report every
 *   package update.
 * - Ranges of type ECOSYSTEM and SEMVER are kept; GIT ranges (commit
 *   hashes, which no installed package carries) are ignored and counted.
 *   A range whose events are malformed (an event without exactly one of
 *   introduced, fixed, last_affected, limit, or no `introduced` at all,
 *   which the schema requires) is not usable. Versions are kept as the
 *   record gives them, even those the ecosystem's scheme rejects: the
 *   matcher then reports that it cannot decide, instead of the record
 *   silently never matching.
 * - A record of the ecosystem none of whose entries has a usable range or
 *   version is skipped and counted.
 */
import type {
  AffectedRange,
  DistributionKey,
  RangeEvent,
  Vulnerability,
} from '../vuln/types.js';
import { releaseOf, updaterName, type OsvEcosystem } from './ecosystems.js';
import type { OsvAffected, OsvEvent, OsvRange, OsvRecord } from './record.js';
import { recordSeverity } from './severity.js';

/** Where a CVE id's record is published. */
export const CVE_RECORD_URL = 'https://www.cve.org/CVERecord?id=';

/** What converting one ecosystem's records came to. */
export interface OsvTally {
  /** Records converted into at least one vulnerability record. */
  converted: number;
  withdrawn: number;
  /** Distribution bug fix and enhancement advisories. */
  notSecurity: number;
  /** Records of the ecosystem without a usable range or version. */
  unusable: number;
  /** Records with no affected entry of this ecosystem. */
  otherEcosystem: number;
  /** GIT ranges ignored. */
  gitRanges: number;
  /** ECOSYSTEM or SEMVER ranges dropped as malformed, or of other types. */
  badRanges: number;
}

/** A tally with every count at zero. */
export function emptyTally(): OsvTally {
  return {
    converted: 0,
    withdrawn: 0,
    notSecurity: 0,
    unusable: 0,
    otherEcosystem: 0,
    gitRanges: 0,
    badRanges: 0,
  };
}

/** Bug fix and enhancement advisory ids of RPM distributions. */
const NOT_SECURITY_ID = /^(?:AL|RL)(?:BA|EA)-/;

/** The entries of one package in one release, merged. */
interface PackageEntries {
  readonly release: DistributionKey;
  readonly name: string;
  /** The first entry, whose severity and specific fields count. */
  readonly first: OsvAffected;
  readonly ranges: AffectedRange[];
  readonly versions: string[];
}

/**
 * The vulnerability records one OSV record yields for an ecosystem, in
 * the order its affected entries name their packages. Counts what it
 * skips in `tally`.
 */
export function convertRecord(
  record: OsvRecord,
  eco: OsvEcosystem,
  tally: OsvTally,
): Vulnerability[] {
  if (record.withdrawn !== undefined) {
    tally.withdrawn++;
    return [];
  }
  if (eco.did !== undefined && NOT_SECURITY_ID.test(record.id)) {
    tally.notSecurity++;
    return [];
  }

  const groups = groupEntries(record, eco, tally);
  if (groups === undefined) {
    tally.otherEcosystem++;
    return [];
  }
  const usable = groups.filter(
    (g) => g.ranges.length > 0 || g.versions.length > 0,
  );
  if (usable.length === 0) {
    tally.unusable++;
    return [];
  }

  tally.converted++;
  const shared = sharedFields(record, eco);
  return usable.map((g) => toVulnerability(record, eco, g, shared));
}

/**
 * The record's entries of this ecosystem, by package and release;
 * undefined when it has none.
 */
function groupEntries(
  record: OsvRecord,
  eco: OsvEcosystem,
  tally: OsvTally,
): PackageEntries[] | undefined {
  const groups = new Map<string, PackageEntries>();
  for (const affected of record.affected ?? []) {
    const pkg = affected.package;
    const release = pkg && releaseOf(eco, pkg.ecosystem);
    if (pkg === undefined || release === undefined) continue;

    const name = eco.normalizeName(pkg.name);
    const key = `${release.did}\0${release.versionId}\0${name}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = {
        release,
        name,
        first: affected,
        ranges: [],
        versions: [],
      };
      groups.set(key, group);
    }
    addEntry(group, affected, tally);
  }
  return groups.size === 0 ? undefined : [...groups.values()];
}

function addEntry(
  group: PackageEntries,
  affected: OsvAffected,
  tally: OsvTally,
): void {
  for (const range of affected.ranges ?? []) {
    const converted = convertRange(range);
    if (converted !== undefined) group.ranges.push(converted);
    else if (range.type === 'GIT') tally.gitRanges++;
    else tally.badRanges++;
  }

  for (const v of affected.versions ?? []) {
    if (!group.versions.includes(v)) group.versions.push(v);
  }
}

/**
 * An ECOSYSTEM or SEMVER range in claro's form, or undefined when it is
 * of another type or malformed.
 */
export function convertRange(range: OsvRange): AffectedRange | undefined {
  if (range.type !== 'ECOSYSTEM' && range.type !== 'SEMVER') return undefined;

  const events: RangeEvent[] = [];
  for (const e of range.events) {
    const event = convertEvent(e);
    if (event === undefined) return undefined;
    events.push(event);
  }
  if (!events.some((e) => 'introduced' in e)) return undefined;
  return { events };
}

/** One event, or undefined unless exactly one key is set. */
function convertEvent(e: OsvEvent): RangeEvent | undefined {
  const set: RangeEvent[] = [];
  if (e.introduced !== undefined) set.push({ introduced: e.introduced });
  if (e.fixed !== undefined) set.push({ fixed: e.fixed });
  if (e.last_affected !== undefined) {
    set.push({ lastAffected: e.last_affected });
  }
  if (e.limit !== undefined) set.push({ limit: e.limit });
  return set.length === 1 ? set[0] : undefined;
}

/** The fields every package of one record shares. */
interface SharedFields {
  readonly updater: string;
  readonly description: string;
  readonly issued: string;
  readonly links: string;
}

function sharedFields(record: OsvRecord, eco: OsvEcosystem): SharedFields {
  return {
    updater: updaterName(eco),
    description: record.details || record.summary || '',
    issued: issuedOf(record.published),
    links: linksOf(record, eco),
  };
}

/** `published`, unless missing or the zero time. */
function issuedOf(published: string | undefined): string {
  if (published === undefined || published.startsWith('0001-')) return '';
  return published;
}

/** Reference URLs, then CVE record links, each once. */
function linksOf(record: OsvRecord, eco: OsvEcosystem): string {
  const ids = [
    ...(record.aliases ?? []),
    ...(eco.did === undefined ? [] : (record.related ?? [])),
  ];
  const urls = [
    ...(record.references ?? []).map((r) => r.url),
    ...ids
      .filter((id) => id.startsWith('CVE-'))
      .map((id) => CVE_RECORD_URL + id),
  ];
  return [...new Set(urls.filter((u) => u !== '' && !/\s/.test(u)))].join(' ');
}

function toVulnerability(
  record: OsvRecord,
  eco: OsvEcosystem,
  group: PackageEntries,
  shared: SharedFields,
): Vulnerability {
  const severity = recordSeverity(record, group.first, {
    distribution: eco.did !== undefined,
  });
  return {
    ...shared,
    name: record.id,
    ...severity,
    packageName: group.name,
    packageKind: 'binary',
    distribution: group.release,
    fixedInVersion: firstFixed(group.ranges),
    scheme: eco.scheme,
    ...(eco.did === undefined ? { ecosystem: eco.osvName } : {}),
    ...(group.ranges.length > 0 ? { ranges: group.ranges } : {}),
    ...(group.versions.length > 0 ? { versions: group.versions } : {}),
  };
}

/** The first `fixed` event of the ranges, in order; empty without one. */
function firstFixed(ranges: readonly AffectedRange[]): string {
  for (const r of ranges) {
    for (const e of r.events) if ('fixed' in e) return e.fixed;
  }
  return '';
}
