/**
 * The Alpine secdb updaters: one per release and repository, reading
 * `https://secdb.alpinelinux.org/<release>/<repository>.json`.
 *
 * Format (secdb JSON, generated from the `secfixes` comments of aports
 * APKBUILDs): `{ distroversion, reponame, archs, urlprefix, apkurl,
 * packages: [{ pkg: { name, secfixes: { fixed version: [id, ...] } } }] }`.
 * `name` is the origin (source) package. An id entry may hold several ids
 * and notes (`CVE-2016-6258 XSA-182`, `CVE-2018-14468 (FrameRelay)`); the
 * version key `0` lists ids that never affected the package. `packages`
 * is null in a repository without fixes.
 */
import { z } from 'zod';

import { apkScheme } from '../apk/version.js';
import { ClaroError } from '../errors.js';
import type { Logger } from '../log.js';
import {
  fetchDocuments,
  listMirrorFolders,
  mirrorHas,
  parseJsonDocument,
} from '../updater/mirror.js';
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

/** Root of the secdb site. */
export const SECDB_URL = 'https://secdb.alpinelinux.org';
/** Alpine's page for one vulnerability id. */
export const ALPINE_VULN_URL = 'https://security.alpinelinux.org/vuln/';

/** Releases fetched from upstream; a mirror lists its own folders. */
export const ALPINE_RELEASES: readonly string[] = [
  ...Array.from({ length: 20 }, (_, i) => `v3.${i + 3}`),
  'edge',
];
export const ALPINE_REPOSITORIES: readonly string[] = ['main', 'community'];

const MIRROR_ROOT = 'alpine/secdb';
const RELEASE_FOLDER = /^(v\d+\.\d+|edge)$/;

/**
 * The Alpine secdb family. From a mirror, its updaters are the
 * `vX.Y/{main,community}.json` files present; from upstream, every
 * release of ALPINE_RELEASES with both repositories.
 */
export const alpineSecdbSet: UpdaterSet = {
  name: 'alpine-secdb',
  async updaters(ctx: FetchContext): Promise<readonly Updater[]> {
    if (ctx.mirror === undefined) {
      return ALPINE_RELEASES.flatMap((r) =>
        ALPINE_REPOSITORIES.map((repo) => secdbUpdater(r, repo)),
      );
    }

    const folders = (await listMirrorFolders(ctx, MIRROR_ROOT)) ?? [];
    const releases = folders.filter((f) => RELEASE_FOLDER.test(f));
    const updaters: Updater[] = [];
    for (const release of releases.sort(byRelease)) {
      for (const repo of ALPINE_REPOSITORIES) {
        const path = `${MIRROR_ROOT}/${release}/${repo}.json`;
        if (await mirrorHas(ctx, path))
          updaters.push(secdbUpdater(release, repo));
      }
    }
    return updaters;
  },
};

/** Orders `v3.9` before `v3.10`, and `edge` last. */
function byRelease(a: string, b: string): number {
  const num = (r: string): number[] =>
    r === 'edge' ? [Infinity] : r.slice(1).split('.').map(Number);
  const [x, y] = [num(a), num(b)];
  return x[0]! - y[0]! || (x[1] ?? 0) - (y[1] ?? 0);
}

/** The store key of a secdb release folder: `v3.20` → `3.20`. */
export function alpineReleaseKey(release: string): DistributionKey {
  const versionId = release.startsWith('v') ? release.slice(1) : release;
  return { did: 'alpine', versionId };
}

/** The updater of one release (`v3.20`, `edge`) and repository (`main`). */
export function secdbUpdater(release: string, repository: string): Updater {
  const document = `${release}/${repository}.json`;
  return {
    name: `alpine-secdb-${release}-${repository}`,
    fetch: (ctx: FetchContext): Promise<FetchedFeed | undefined> =>
      fetchDocuments(ctx, [
        {
          name: document,
          mirrorPath: `${MIRROR_ROOT}/${document}`,
          url: `${SECDB_URL}/${document}`,
        },
      ]),
    parse: (feed: FetchedFeed, log: Logger): UpdateData =>
      parseSecdb(feed, { release, repository, log }),
  };
}

const SecdbDocument = z.object({
  packages: z.array(z.unknown()).nullable(),
});

const SecdbPackage = z.object({
  pkg: z.object({
    name: z.string().min(1),
    secfixes: z
      .record(z.string(), z.array(z.unknown()).nullable())
      .nullable()
      .optional(),
  }),
});

interface SecdbOptions {
  readonly release: string;
  readonly repository: string;
  readonly log: Logger;
}

/**
 * Parses one secdb document into one record per (id, package): source
 * packages, apk scheme, no severity (secdb has none). A package or fix
 * that makes no sense is skipped and counted; a document that is not a
 * secdb throws INVALID_FEED.
 *
 * Decision: when an id is listed under several fixed versions (the
 * package moved branch within the release: wireshark's CVE-2017-15191
 * under 2.2.10-r0 and 2.4.2-r0 in v3.10 community), the greatest is
 * kept, so a package that went back to an affected branch is not called
 * safe; the cost is a false report for the older branch's fix.
 */
export function parseSecdb(feed: FetchedFeed, opts: SecdbOptions): UpdateData {
  const document = `${opts.release}/${opts.repository}.json`;
  const doc = SecdbDocument.safeParse(parseJsonDocument(feed, document));
  if (!doc.success) {
    throw new ClaroError(
      'INVALID_FEED',
      `Cannot parse ${document}: not a secdb document (no packages array)`,
    );
  }

  const walk = new SecdbWalk(document, alpineReleaseKey(opts.release), opts);
  (doc.data.packages ?? []).forEach((p, i) => walk.package(p, i));
  if (walk.skipped > 0) {
    opts.log.warn(
      { document, skipped: walk.skipped },
      'skipped malformed secdb entries',
    );
  }
  return { vulnerabilities: [...walk.records.values()], coverage: [walk.key] };
}

/** Collects one document's records, keyed by (package, id). */
class SecdbWalk {
  readonly records = new Map<string, Vulnerability>();
  skipped = 0;

  constructor(
    private readonly document: string,
    readonly key: DistributionKey,
    private readonly opts: SecdbOptions,
  ) {}

  package(raw: unknown, index: number): void {
    const parsed = SecdbPackage.safeParse(raw);
    if (!parsed.success) return this.skip({ index }, 'invalid package');

    const { name, secfixes } = parsed.data.pkg;
    for (const [version, ids] of Object.entries(secfixes ?? {})) {
      if (version === '0') continue;
      if (!apkScheme.valid(version)) {
        this.skip({ pkg: name, version }, 'invalid fixed version');
        continue;
      }
      for (const entry of ids ?? []) this.entry(name, version, entry);
      if (ids === null) this.skip({ pkg: name, version }, 'no ids');
    }
  }

  private entry(pkg: string, version: string, entry: unknown): void {
    const ids = typeof entry === 'string' ? secfixIds(entry) : [];
    if (ids.length === 0) {
      return this.skip({ pkg, version, entry: String(entry) }, 'no usable id');
    }

    for (const id of ids) {
      const key = `${pkg}\0${id}`;
      const prev = this.records.get(key);
      if (prev && apkScheme.compare(prev.fixedInVersion, version) >= 0)
        continue;
      this.records.set(key, this.record(pkg, id, version));
    }
  }

  private record(pkg: string, id: string, version: string): Vulnerability {
    return {
      updater: `alpine-secdb-${this.opts.release}-${this.opts.repository}`,
      name: id,
      description: '',
      issued: '',
      links: id.startsWith('CVE-') ? ALPINE_VULN_URL + id : '',
      severity: '',
      normalizedSeverity: 'Unknown',
      packageName: pkg,
      packageKind: 'source',
      distribution: this.key,
      fixedInVersion: version,
      scheme: 'apk',
    };
  }

  private skip(where: object, reason: string): void {
    this.skipped++;
    this.opts.log.warn(
      { document: this.document, ...where, reason },
      'skipped secdb entry',
    );
  }
}

/** An id: letters, then hyphenated parts (`GNUTLS-SA-2020-03-31`). */
const SECFIX_ID = /^[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)+$/;

/**
 * The ids of one secfixes entry. Parenthesised notes are dropped; the
 * known typos `CVE_2019-2426`, `CVE 2018-16859` and `CVE-2017-8073.patch`
 * are read as the CVE they name; placeholders such as `CVE-????-?????`
 * and bare words such as `XPTI` are not ids.
 */
export function secfixIds(entry: string): string[] {
  const text = entry
    .replace(/\([^)]*\)/g, ' ')
    .replace(/\bCVE[ _](?=\d{4}-\d)/g, 'CVE-');
  return text
    .split(/\s+/)
    .map((t) => t.replace(/\.patch$/, ''))
    .filter((t) => SECFIX_ID.test(t));
}
