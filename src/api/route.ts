/**
 * What a route of the API is, and what its handler is given.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Scanner } from '../indexer/scanner.js';
import type { Logger } from '../log.js';
import type { Matcher } from '../matcher/matcher.js';
import type { Store } from '../store/store.js';
import type { Metrics } from './metrics.js';
import type { ReportCache } from './report-cache.js';

/** One request as a route handler sees it. */
export interface RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  /** Path parameters by name: `{digest}` gives `digest`. */
  readonly params: Readonly<Record<string, string>>;
  /** Carries the request id. */
  readonly log: Logger;
}

/** Answers one request, or throws an HttpError (or ClaroError). */
export type RouteHandler = (ctx: RequestContext) => Promise<void>;

/** The HTTP methods the API answers. */
export type Method = 'GET' | 'POST' | 'DELETE';

/** A path template and its handler per method. */
export interface Route {
  /** `/indexer/api/v1/index_report/{digest}`; also the metrics label. */
  readonly template: string;
  readonly methods: Readonly<Partial<Record<Method, RouteHandler>>>;
}

/** What routes work with: createApiHandler's options, resolved. */
export interface ApiDeps {
  readonly indexStore: Store;
  readonly vulnStore: Store;
  readonly scanners: readonly Scanner[];
  readonly matchers: readonly Matcher[];
  readonly metrics: Metrics;
  /** indexState(scanners), computed once. */
  readonly state: string;
  readonly maxBodyBytes: number;
  readonly indexConcurrency: number;
  readonly layerFetchTimeoutMs?: number;
  readonly reportMaxAgeSeconds: number;
  /** Vulnerability reports served, by manifest and data version. */
  readonly reports: ReportCache;
}
