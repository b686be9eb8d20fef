/**
 * The `debian-security-list` updater: Debian Security Advisories (DSA) and
 * Debian LTS Advisories (DLA) from the security tracker's raw data files.
 *
 * Format of `data/DSA/list` and `data/DLA/list` (security-tracker
 * repository, read by its `DSAFile` parser): each advisory starts with a
 * header line at column 0,
 *
 *     [29 Mar 2023] DSA-5380-1 xorg-server - security update
 *
 * followed by indented lines: `{CVE-2023-1393 ...}` names the advisory's
 * CVEs, `[bullseye] - xorg-server 2:1.20.11-1+deb11u6` gives the first
 * fixed source version in a release (or `<not-affected>`, `<unfixed>`,
 * `<end-of-life>`, then an optional `(note)`), and `NOTE:` / `TODO:` lines
 * are free text.
 *
 * `data/config.json` lists the tracker's releases by code name under
 * `distributions`; it carries no version numbers, so those come from
 * DEBIAN_RELEASE_NUMBERS.
 */
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

export const SECURITY_LIST_UPDATER = 'debian-security-list';

const TRACKER_DATA_URL =
  'https://salsa.debian.org/security-tracker-team/security-tracker/-/raw/master/data';
/** Raw DSA list in the security-tracker git repository. */
export const DSA_LIST_URL = `${TRACKER_DATA_URL}/DSA/list`;
/** Raw DLA list in the security-tracker git repository. */
export const DLA_LIST_URL = `${TRACKER_DATA_URL}/DLA/list`;
/** The tracker's release configuration. */
export const TRACKER_CONFIG_URL = `${TRACKER_DATA_URL}/config.json`;
/** Tracker pages, one per CVE or advisory id. */
export const TRACKER_PAGE_URL = 'https://security-tracker.debian.org/tracker/';

const MIRROR_DATA = 'debian/security-tracker/data';

/**
 * Debian release numbers by code name, as os-release VERSION_ID gives them
 * (`12`); releases older than lenny had a minor number (`4.0`).
 */
export const DEBIAN_RELEASE_NUMBERS: ReadonlyMap<string, string> = new Map([
  ['potato', '2.2'],
  ['woody', '3.0'],
  ['sarge', '3.1'],
  ['etch', '4.0'],
  ['lenny', '5'],
  ['squeeze', '6'],
  ['wheezy', '7'],
  ['jessie', '8'],
  ['stretch', '9'],
  ['buster', '10'],
  ['bullseye', '11'],
  ['bookworm', '12'],
  ['trixie', '13'],
  ['forky', '14'],
  ['duke', '15'],
]);

/**
 * The store key of a Debian release named by code name, or undefined for
 * a name claro does not know.
 *
 * Decision: `sid` is keyed with versionId '' (and code name `sid`), the
 * way release detection keys an image without VERSION_ID; numbered
 * releases keep their number even while they are testing, so the
 * matcher keys a testing image by its code name's number.
 */
export function debianReleaseKey(
  codename: string,
): DistributionKey | undefined {
  if (codename === 'sid') {
    return { did: 'debian', versionId: '', versionCodeName: 'sid' };
  }
  const versionId = DEBIAN_RELEASE_NUMBERS.get(codename);
  if (versionId === undefined) return undefined;
  return { did: 'debian', versionId, versionCodeName: codename };
}

/** One advisory's header. */
export interface Advisory {
  /** `DSA-5380-1`, `DLA-3380-1`, `DSA-141`. */
  readonly id: string;
  /** Header date, `YYYY-MM-DD`. */
  readonly issued: string;
  /** Header text after the package names: `security update`. */
  readonly title: string;
  /** CVE ids of the `{...}` line; empty when the advisory names none. */
  readonly cves: readonly string[];
}

/** One `[release] - package version` line that says the package is affected. */
export interface FixStatement {
  readonly advisory: Advisory;
  readonly release: string;
  readonly packageName: string;
  /** First fixed version; '' for `<unfixed>` and `<end-of-life>`. */
  readonly fixedInVersion: string;
}

/** What one list document says, and how many lines were skipped. */
export interface ParsedList {
  readonly statements: readonly FixStatement[];
  /** Every release named by a package line, affected or not. */
  readonly releases: ReadonlySet<string>;
  readonly skipped: number;
}

/** The DSA and DLA lists as one updater. */
export const securityListUpdater: Updater = {
  name: SECURITY_LIST_UPDATER,
  fetch: fetchSecurityLists,
  parse: parseSecurityLists,
};

function fetchSecurityLists(
  ctx: FetchContext,
): Promise<FetchedFeed | undefined> {
  return fetchDocuments(ctx, [
    {
      name: 'DSA/list',
      mirrorPath: `${MIRROR_DATA}/DSA/list`,
      url: DSA_LIST_URL,
    },
    {
      name: 'DLA/list',
      mirrorPath: `${MIRROR_DATA}/DLA/list`,
      url: DLA_LIST_URL,
      optional: true,
    },
    {
      name: 'config.json',
      mirrorPath: `${MIRROR_DATA}/config.json`,
      url: TRACKER_CONFIG_URL,
      optional: true,
    },
  ]);
}

/**
 * Parses the fetched lists into one record per (CVE, release, source
 * package); see mergeStatements for advisories that repeat a CVE.
 */
export function parseSecurityLists(feed: FetchedFeed, log: Logger): UpdateData {
  const known = knownReleases(feed);
  const statements: FixStatement[] = [];
  const releases = new Set<string>();
  let skipped = 0;

  for (const name of ['DSA/list', 'DLA/list']) {
    const body = feed.documents.get(name);
    if (body === undefined) continue;
    const list = parseAdvisoryList(body.toString('utf8'), name, log);
    statements.push(...list.statements);
    list.releases.forEach((r) => releases.add(r));
    skipped += list.skipped;
  }

  const usable = (release: string): boolean =>
    (known?.has(release) ?? true) && debianReleaseKey(release) !== undefined;
  for (const release of releases) {
    if (usable(release)) continue;
    log.warn({ release }, 'skipped release unknown to claro');
  }
  if (skipped > 0) log.warn({ skipped }, 'skipped malformed list lines');

  return {
    vulnerabilities: mergeStatements(
      statements.filter((s) => usable(s.release)),
    ),
    coverage: [...releases].filter(usable).map((r) => debianReleaseKey(r)!),
  };
}

/** Release code names from config.json, or undefined when it is absent. */
function knownReleases(feed: FetchedFeed): ReadonlySet<string> | undefined {
  if (!feed.documents.has('config.json')) return undefined;

  const config = parseJsonDocument(feed, 'config.json');
  const dists = (config as { distributions?: unknown } | null)?.distributions;
  if (typeof dists !== 'object' || dists === null) {
    throw new ClaroError(
      'INVALID_FEED',
      'Cannot parse config.json: no "distributions" object',
    );
  }
  return new Set(Object.keys(dists));
}

const HEADER =
  /^\[(\d{1,2}) ([A-Z][a-z]{2}) (\d{4})\] (D[LST]A-\d+(?:-\d+)?)\s+(.*)$/;
const PACKAGE_LINE = /^\[([a-z0-9-]+)\]\s+-\s+(\S+)\s+(\S+)(?:\s+\(.*\))?\s*$/;
const MONTHS = 'JanFebMarAprMayJunJulAugSepOctNovDec';

/**
 * Parses one DSA or DLA list. A header, `{...}` or package line that makes
 * no sense is skipped with a warning naming the document and line (a bad
 * header skips its whole advisory); a document without a single advisory
 * throws INVALID_FEED.
 */
export function parseAdvisoryList(
  text: string,
  document: string,
  log: Logger,
): ParsedList {
  const state = new ListState(document, log);
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) state.line(lines[i]!, i + 1);

  if (state.advisories === 0 && text.trim() !== '') {
    throw new ClaroError(
      'INVALID_FEED',
      `Cannot parse ${document}: no advisory header found`,
    );
  }
  return state;
}

/** The parser's position in one list: the advisory being read. */
class ListState implements ParsedList {
  readonly statements: FixStatement[] = [];
  readonly releases = new Set<string>();
  skipped = 0;
  advisories = 0;
  private current: { advisory: Advisory; cves: string[] } | undefined;
  /** False after a bad header, until the next header. */
  private valid = true;

  constructor(
    private readonly document: string,
    private readonly log: Logger,
  ) {}

  line(raw: string, lineNo: number): void {
    const line = raw.trimEnd();
    if (line === '') return;

    if (line.startsWith('[')) return this.header(line, lineNo);
    if (!/^\s/.test(line)) return this.skip(lineNo, 'not a header');
    if (!this.valid) return;
    if (this.current === undefined) return this.skip(lineNo, 'before a header');

    const body = line.trim();
    if (body.startsWith('{')) return this.cveLine(body, lineNo);
    if (body.startsWith('[')) return this.packageLine(body, lineNo);
    if (/^(NOTE|TODO):/.test(body)) return;
    this.skip(lineNo, 'unknown line');
  }

  private header(line: string, lineNo: number): void {
    const m = HEADER.exec(line);
    const issued = m ? isoDate(m[1]!, m[2]!, m[3]!) : undefined;
    if (!m || issued === undefined) {
      this.current = undefined;
      this.valid = false;
      return this.skip(lineNo, 'malformed header');
    }

    const cves: string[] = [];
    const text = m[5]!;
    const dash = text.indexOf(' - ');
    const title = (dash < 0 ? text : text.slice(dash + 3)).trim();
    this.current = { advisory: { id: m[4]!, issued, title, cves }, cves };
    this.valid = true;
    this.advisories++;
  }

  private cveLine(body: string, lineNo: number): void {
    if (!body.endsWith('}')) return this.skip(lineNo, 'unclosed {');
    const ids = body.slice(1, -1).split(/\s+/).filter(Boolean);
    this.current!.cves.push(...ids);
  }

  private packageLine(body: string, lineNo: number): void {
    const m = PACKAGE_LINE.exec(body);
    if (!m) return this.skip(lineNo, 'malformed package line');

    const [, release, packageName, version] = m as unknown as string[];
    const fixed = fixedVersion(version!);
    if (fixed === undefined) return this.skip(lineNo, 'invalid version');

    this.releases.add(release!);
    if (fixed === null) return;
    this.statements.push({
      advisory: this.current!.advisory,
      release: release!,
      packageName: packageName!,
      fixedInVersion: fixed,
    });
  }

  private skip(line: number, reason: string): void {
    this.skipped++;
    this.log.warn(
      { document: this.document, line, reason },
      'skipped security list line',
    );
  }
}

/** Tags meaning the release is affected and no fixed version exists. */
const UNFIXED_TAGS = new Set([
  '<unfixed>',
  '<end-of-life>',
  '<no-dsa>',
  '<ignored>',
  '<postponed>',
]);

/**
 * The fixed version a package line states: '' for unfixed, null for not
 * affected (`<not-affected>` or version `0`), undefined when invalid.
 */
function fixedVersion(token: string): string | null | undefined {
  if (token === '<not-affected>' || token === '0') return null;
  if (UNFIXED_TAGS.has(token)) return '';
  if (token.startsWith('<')) return undefined;
  return dpkgScheme.valid(token) ? token : undefined;
}

function isoDate(day: string, month: string, year: string): string | undefined {
  const m = MONTHS.indexOf(month);
  const d = Number(day);
  if (m < 0 || m % 3 !== 0 || d < 1 || d > 31) return undefined;
  const mm = String(m / 3 + 1).padStart(2, '0');
  return `${year}-${mm}-${day.padStart(2, '0')}`;
}

/**
 * Turns statements into records, one per (name, release, package). The
 * name is each CVE of the advisory, or the advisory id when it lists none.
 *
 * Decision, when several advisories state a fix for the same key: keep the
 * greatest fixed version. An advisory that names a CVE again (DLA-3193-2
 * for CVE-2022-21797, after DLA-3193-1) says the earlier package did not
 * fully fix it; pure regression updates name no CVE and do not compete.
 * Keeping the earliest would silently call the incompletely fixed package
 * safe. Between a fixed and an unfixed statement the later advisory wins
 * (a later fix ends an `<unfixed>`; a later `<end-of-life>` ends support).
 * Links name every advisory that stated the key.
 */
export function mergeStatements(
  statements: readonly FixStatement[],
): Vulnerability[] {
  const best = new Map<string, { stmt: FixStatement; name: string }>();
  const advisories = new Map<string, string[]>();

  for (const stmt of statements) {
    const { cves, id } = stmt.advisory;
    for (const name of cves.length > 0 ? cves : [id]) {
      const key = `${name}\0${stmt.release}\0${stmt.packageName}`;
      const seen = advisories.get(key);
      if (seen === undefined) advisories.set(key, [id]);
      else if (!seen.includes(id)) seen.push(id);

      const prev = best.get(key);
      if (prev === undefined || supersedes(stmt, prev.stmt)) {
        best.set(key, { stmt, name });
      }
    }
  }

  return [...best].map(([key, { stmt, name }]) =>
    toVulnerability(stmt, name, advisories.get(key)!),
  );
}

/** Whether statement `b` should replace `a` for the same key. */
function supersedes(b: FixStatement, a: FixStatement): boolean {
  if (a.fixedInVersion === '' || b.fixedInVersion === '') {
    return b.advisory.issued > a.advisory.issued;
  }
  const order = dpkgScheme.compare(b.fixedInVersion, a.fixedInVersion);
  if (order !== 0) return order > 0;
  return b.advisory.issued < a.advisory.issued;
}

function toVulnerability(
  stmt: FixStatement,
  name: string,
  advisoryIds: readonly string[],
): Vulnerability {
  const pages = advisoryIds.includes(name)
    ? advisoryIds
    : [...advisoryIds, name];
  return {
    updater: SECURITY_LIST_UPDATER,
    name,
    description: stmt.advisory.title,
    issued: stmt.advisory.issued,
    links: pages.map((p) => TRACKER_PAGE_URL + p).join(' '),
    severity: '',
    normalizedSeverity: 'Unknown',
    packageName: stmt.packageName,
    packageKind: 'source',
    distribution: debianReleaseKey(stmt.release)!,
    fixedInVersion: stmt.fixedInVersion,
    scheme: 'dpkg',
  };
}
