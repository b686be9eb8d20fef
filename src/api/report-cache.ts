/**
 * Vulnerability reports as served, kept per manifest with the version of
 * the data each was computed from, so that a report asked for again
 * before that data changes is sent without matching again.
 */
import { createHash } from 'node:crypto';

import { entityTag } from './http.js';

/** One report as served: its JSON bytes and their entity tag. */
export interface CachedReport {
  readonly body: Buffer;
  /** A strong entity tag: a digest of `body`. */
  readonly etag: string;
}

interface Entry extends CachedReport {
  readonly version: string;
  readonly bytes: number;
}

/** What a report costs beyond its body: key, version, bookkeeping. */
const OVERHEAD_BYTES = 256;

/**
 * The reports of recently asked manifests, under a byte budget.
 *
 * Contract: an entry is served only for the exact `version` it was
 * computed under. The route builds that version on every request from
 * `Store.indexReportVersion` and `Store.vulnerabilityDataVersion`, which
 * change with the data on every process sharing the store and never
 * return to an earlier value, so a served report always reflects the
 * data current when the request was read, as if computed then.
 *
 * Entries are kept in least-recently-used order and the oldest go once
 * the bodies (plus a small per-entry overhead) exceed `maxBytes`; a
 * report larger than the whole budget is computed and never kept. A
 * budget of 0 keeps nothing. Requests for one manifest at one version
 * that arrive while it is being computed wait for that computation
 * instead of starting their own.
 */
export class ReportCache {
  readonly #maxBytes: number;
  /** Map order is recency order: the first entry is the oldest. */
  readonly #entries = new Map<string, Entry>();
  readonly #pending = new Map<string, Promise<CachedReport>>();
  #bytes = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = Math.max(0, maxBytes);
  }

  /** Bytes the kept entries count for. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Manifests with a kept entry. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * The report of `manifest` at `version`: the kept one when its version
   * is that one, else the result of `compute` (shared with concurrent
   * callers of the same manifest and version), kept when it fits.
   * Whatever `compute` throws reaches every caller waiting on it, and
   * nothing is kept.
   */
  async get(
    manifest: string,
    version: string,
    compute: () => Promise<Buffer>,
  ): Promise<CachedReport> {
    const kept = this.#entries.get(manifest);
    if (kept !== undefined && kept.version === version) {
      this.#entries.delete(manifest);
      this.#entries.set(manifest, kept);
      return kept;
    }

    const key = `${manifest}\n${version}`;
    let pending = this.#pending.get(key);
    if (pending === undefined) {
      pending = this.#compute(manifest, version, compute);
      this.#pending.set(key, pending);
      const done = () => this.#pending.delete(key);
      pending.then(done, done);
    }
    return pending;
  }

  /** Drops the entry of a manifest that is no longer stored. */
  forget(manifest: string): void {
    const kept = this.#entries.get(manifest);
    if (kept === undefined) return;

    this.#entries.delete(manifest);
    this.#bytes -= kept.bytes;
  }

  async #compute(
    manifest: string,
    version: string,
    compute: () => Promise<Buffer>,
  ): Promise<CachedReport> {
    const body = await compute();
    const digest = createHash('sha256').update(body).digest('base64url');
    const bytes = body.length + 2 * version.length + OVERHEAD_BYTES;
    const entry = { body, etag: entityTag(digest), version, bytes };
    this.#keep(manifest, entry);
    return entry;
  }

  /**
   * Keeps the entry in place of the manifest's previous one, then drops
   * the oldest entries until the budget holds.
   */
  #keep(manifest: string, entry: Entry): void {
    this.forget(manifest);
    if (entry.bytes > this.#maxBytes) return;

    this.#entries.set(manifest, entry);
    this.#bytes += entry.bytes;
    for (const [oldest, e] of this.#entries) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= e.bytes;
    }
  }
}
