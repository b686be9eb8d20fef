import { createHash } from 'node:crypto';
import { errorMessage, isClaroError } from '../errors.js';
import type { IndexReport, PackageSet } from '../indexer/report.js';
import type { DistributionRecord, Notice } from '../indexer/types.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';
import type { Vulnerability } from '../vuln/types.js';
import type { Matcher, VulnerabilityQuery } from './matcher.js';
import type { IndexedVulnerability, VulnerabilityReport } from './report.js';

export interface MatchOptions {
  readonly store: Store;
  readonly matchers: readonly Matcher[];
  readonly log: Logger;
}

/**
 * Matches an IndexReport's packages, installed and lower-layers-only,
 * against the store's current vulnerability data. A release for which the
 * store has no data gets a notice instead of a silent empty result.
 */
export async function matchReport(
  index: IndexReport,
  opts: MatchOptions,
): Promise<VulnerabilityReport> {
  const dist = Object.values(index.distributions)[0];
  const ctx = new MatchContext(opts, dist);
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

class MatchContext {
  readonly vulnerabilities: Record<string, IndexedVulnerability> = {};
  readonly notices: Notice[] = [];
  private readonly cache = new Map<string, readonly Vulnerability[]>();
  /** Matchers that accepted a package, with one of their queries. */
  private readonly used = new Map<string, VulnerabilityQuery>();

  constructor(
    private readonly opts: MatchOptions,
    private readonly dist: DistributionRecord | undefined,
  ) {}

  async matchSet(set: PackageSet): Promise<Record<string, string[]>> {
    const out: Record<string, string[]> = {};
    for (const [id, pkg] of Object.entries(set.packages)) {
      const ids = new Set<string>();
      for (const m of this.opts.matchers) {
        if (!this.dist || !m.accepts(pkg, this.dist)) continue;
        for (const v of await this.candidates(m, pkg)) {
          if (this.decide(m, pkg, v)) ids.add(this.add(v));
        }
      }
      if (ids.size > 0) out[id] = [...ids].sort(byNumber);
    }
    return out;
  }

  async coverageNotices(): Promise<Notice[]> {
    const out: Notice[] = [];
    for (const [name, q] of this.used) {
      if (await this.opts.store.covers(q.distribution, q.updaters)) continue;
      const d = this.dist!;
      const release = d.versionCodeName
        ? `${d.versionId} (${d.versionCodeName})`
        : d.versionId;
      out.push({
        code: 'no-vulnerability-data',
        message:
          `No vulnerability data for ${d.did} ${release} is loaded ` +
          `(matcher ${name}): its packages are not known to be safe`,
      });
    }
    return out;
  }

  private async candidates(m: Matcher, pkg: Parameters<Matcher['query']>[0]) {
    const q = m.query(pkg, this.dist!);
    if (!this.used.has(m.name)) this.used.set(m.name, q);
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
  private decide(
    m: Matcher,
    pkg: Parameters<Matcher['vulnerable']>[0],
    v: Vulnerability,
  ): boolean {
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

  private add(v: Vulnerability): string {
    const id = vulnerabilityId(v);
    this.vulnerabilities[id] ??= { id, ...v };
    return id;
  }
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
