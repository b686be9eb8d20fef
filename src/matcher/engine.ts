import { createHash } from 'node:crypto';
import { errorMessage, isClaroError } from '../errors.js';
import type { IndexReport, PackageSet } from '../indexer/report.js';
import type {
  DistributionRecord,
  Notice,
  PackageRecord,
} from '../indexer/types.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';
import { fixedVersionFor } from '../vuln/affected.js';
import type { Vulnerability } from '../vuln/types.js';
import {
  NO_DISTRIBUTION,
  type Matcher,
  type VulnerabilityQuery,
} from './matcher.js';
import type { IndexedVulnerability, VulnerabilityReport } from './report.js';

export interface MatchOptions {
  readonly store: Store;
  readonly matchers: readonly Matcher[];
  readonly log: Logger;
}

/**
 * Matches an IndexReport's packages, installed and lower-layers-only,
 * against the store's current vulnerability data. A release, or a
 * language ecosystem, for which the store has no data gets a notice
 * instead of a silent empty result. Language packages are matched in
 * images without a distribution too.
 */
export async function matchReport(
  index: IndexReport,
  opts: MatchOptions,
): Promise<VulnerabilityReport> {
  const dist = Object.values(index.distributions)[0];
  const ctx = new MatchContext(opts, dist);
  await ctx.prefetch([index, index.lowerLayersOnly]);
  const installed = await ctx.matchSet(index);
  const lower = await ctx.matchSet(index.lowerLayersOnly);
  const notices = [...index.notices, ...(await ctx.coverageNotices())];
  return {
    index,
    vulnerabilities: ctx.vulnerabilities,
    packageVulnerabilities: installed,
    lowerLayersOnlyVulnerabilities: lower,
    notices: [...notices, ...ctx.notices],
  };
}

/** Alike queries: one of them, and each one's package name and key. */
interface QueryGroup {
  readonly query: VulnerabilityQuery;
  readonly keys: [name: string, key: string][];
}

class MatchContext {
  readonly vulnerabilities: Record<string, IndexedVulnerability> = {};
  readonly notices: Notice[] = [];
  private readonly cache = new Map<string, readonly Vulnerability[]>();
  /** Matchers that accepted a package, with one of their uses. */
  private readonly used = new Map<string, Use>();

  constructor(
    private readonly opts: MatchOptions,
    private readonly dist: DistributionRecord | undefined,
  ) {}

  /**
   * Reads the candidates of every package of the sets with one store
   * query per group of alike queries (same updaters and release, as one
   * matcher asks), instead of one query per package: a report costs a
   * few round trips to the store, whatever its size.
   */
  async prefetch(sets: readonly PackageSet[]): Promise<void> {
    const groups = this.queryGroups(sets);
    await Promise.all(
      [...groups.values()].map(async ({ query, keys }) => {
        const packageNames = [...new Set(keys.map(([name]) => name))];
        const found = await this.opts.store.vulnerabilitiesOf({
          updaters: query.updaters,
          distribution: query.distribution,
          packageNames,
        });
        for (const [name, key] of keys) {
          this.cache.set(key, found.get(name) ?? []);
        }
      }),
    );
  }

  /** The queries the sets' packages need, grouped by all but the name. */
  private queryGroups(sets: readonly PackageSet[]): Map<string, QueryGroup> {
    const groups = new Map<string, QueryGroup>();
    for (const pkg of sets.flatMap((set) => Object.values(set.packages))) {
      for (const m of this.opts.matchers) {
        if (!m.accepts(pkg, this.dist)) continue;
        const q = m.query(pkg, this.dist ?? NO_DISTRIBUTION);
        const group = JSON.stringify([q.updaters, q.distribution]);
        let g = groups.get(group);
        if (g === undefined) {
          g = { query: q, keys: [] };
          groups.set(group, g);
        }
        g.keys.push([q.packageName, JSON.stringify(q)]);
      }
    }
    return groups;
  }

  async matchSet(set: PackageSet): Promise<Record<string, string[]>> {
    const out: Record<string, string[]> = {};
    for (const [id, pkg] of Object.entries(set.packages)) {
      const ids = new Set<string>();
      for (const m of this.opts.matchers) {
        if (!m.accepts(pkg, this.dist)) continue;
        for (const v of await this.candidates(m, pkg)) {
          if (this.decide(m, pkg, v)) ids.add(this.add(v, pkg));
        }
      }
      if (ids.size > 0) out[id] = [...ids].sort(byNumber);
    }
    return out;
  }

  async coverageNotices(): Promise<Notice[]> {
    const out: Notice[] = [];
    for (const [name, use] of this.used) {
      const q = use.query;
      if (await this.opts.store.covers(q.distribution, q.updaters)) continue;
      out.push({
        code: 'no-vulnerability-data',
        message: this.noDataMessage(name, use.ecosystem),
      });
    }
    return out;
  }

  /** Names what lacks data: a language ecosystem, or the image's release. */
  private noDataMessage(matcher: string, ecosystem?: string): string {
    if (ecosystem !== undefined) {
      return (
        `No vulnerability data for ${ecosystem} packages is loaded ` +
        `(matcher ${matcher}): they are not known to be safe`
      );
    }
    const d = this.dist ?? NO_DISTRIBUTION;
    const release = d.versionCodeName
      ? `${d.versionId} (${d.versionCodeName})`
      : d.versionId;
    return (
      `No vulnerability data for ${d.did} ${release} is loaded ` +
      `(matcher ${matcher}): its packages are not known to be safe`
    );
  }

  private async candidates(m: Matcher, pkg: PackageRecord) {
    const q = m.query(pkg, this.dist ?? NO_DISTRIBUTION);
    if (!this.used.has(m.name)) {
      const { ecosystem } = pkg;
      this.used.set(m.name, { query: q, ...(ecosystem ? { ecosystem } : {}) });
    }
    const key = JSON.stringify(q);
    let found = this.cache.get(key);
    if (!found) {
      found = await this.opts.store.vulnerabilities(q);
      this.cache.set(key, found);
    }
    return found;
  }

  /**
   * A version that cannot be compared is reported, never read as "not
   * vulnerable" silently.
   */
  private decide(m: Matcher, pkg: PackageRecord, v: Vulnerability): boolean {
    try {
      return m.vulnerable(pkg, v);
    } catch (err) {
      if (!isClaroError(err, 'INVALID_VERSION')) throw err;
      this.notices.push({
        code: 'unknown-version',
        message:
          `Cannot decide ${v.name} for ${pkg.name} ${pkg.version}: ` +
          errorMessage(err),
      });
      return false;
    }
  }

  /**
   * Records the vulnerability as it affects `pkg`: an OSV record shows the
   * fix of the range holding the package's version (go1.22.0 is fixed in
   * 1.22.1, not in the record's first fix 1.21.8), so one record can
   * appear once per fix, each with its own id.
   */
  private add(v: Vulnerability, pkg: PackageRecord): string {
    const shown = { ...v, fixedInVersion: fixedVersionFor(pkg.version, v) };
    const id = vulnerabilityId(shown);
    this.vulnerabilities[id] ??= { id, ...shown };
    return id;
  }
}

/** One query a matcher made, and the ecosystem of its package. */
interface Use {
  readonly query: VulnerabilityQuery;
  readonly ecosystem?: string;
}

/** A stable id for a record: the same record gets the same id everywhere. */
export function vulnerabilityId(v: Vulnerability): string {
  const h = createHash('sha256');
  h.update(
    [
      v.updater,
      v.name,
      v.packageName,
      v.distribution.did,
      v.distribution.versionId,
      v.fixedInVersion,
    ].join('\u0000'),
  );
  return BigInt(`0x${h.digest('hex').slice(0, 13)}`).toString();
}

function byNumber(a: string, b: string): number {
  return Number(a) - Number(b);
}
