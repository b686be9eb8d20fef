import type { Logger } from '../log.js';
import type { UpdateData } from '../vuln/types.js';

/** Where updaters read from: upstream URLs or a local mirror folder. */
export interface FetchContext {
  /** Root of a local mirror laid out like shared/data/feeds; see README. */
  readonly mirror?: string;
  /** HTTP client for upstream URLs; tests pass a local one. */
  readonly fetch: typeof globalThis.fetch;
  readonly log: Logger;
  readonly signal?: AbortSignal;
}

/** Raw input of one run, identified by a fingerprint. */
export interface FetchedFeed {
  /**
   * Changes whenever the input does (a content hash, an ETag): the same
   * fingerprint as the previous run means nothing to do.
   */
  readonly fingerprint: string;
  /** The raw documents, by name (a file name or URL). */
  readonly documents: ReadonlyMap<string, Buffer>;
}

/**
 * An updater fetches one feed and parses it into vulnerability records.
 * The store turns each successful run into an update operation.
 */
export interface Updater {
  /** Stable id, also the `updater` of its records: `alpine-secdb-v3.20`. */
  readonly name: string;
  /**
   * Reads the feed. Resolves undefined when its source is absent (a mirror
   * without these files): the run is skipped with a note, not failed.
   */
  fetch(ctx: FetchContext): Promise<FetchedFeed | undefined>;
  /** Parses what fetch returned. Throws INVALID_FEED on malformed input. */
  parse(feed: FetchedFeed, log: Logger): UpdateData;
}

/**
 * Produces the updaters of one feed family. Families whose set of
 * updaters depends on the source (Alpine's releases) list them from it.
 */
export interface UpdaterSet {
  readonly name: string;
  updaters(ctx: FetchContext): Promise<readonly Updater[]>;
}
