/**
 * claro's HTTP service: Clair v4's indexer and matcher APIs (paths,
 * status codes, headers and JSON as Clair's `openapi.yaml` and
 * httptransport give them), and the introspection endpoints.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Scanner } from '../indexer/scanner.js';
import { DEFAULT_SCANNERS } from '../indexer/scanners.js';
import { indexState } from '../indexer/state.js';
import type { Logger } from '../log.js';
import type { Matcher } from '../matcher/matcher.js';
import { DEFAULT_MATCHERS } from '../matcher/registry.js';
import type { Store } from '../store/store.js';
import {
  asHttpError,
  HttpError,
  notModified,
  sendEmpty,
  sendError,
} from './http.js';
import { indexerRoutes } from './indexer-routes.js';
import { bearerToken, verifyJwt } from './jwt.js';
import { matcherRoutes } from './matcher-routes.js';
import type { Metrics } from './metrics.js';
import { ReportCache } from './report-cache.js';
import { OPENAPI_ETAG, OPENAPI_JSON } from './openapi.js';
import type { ApiDeps, Method, RequestContext, Route } from './route.js';
import { Router } from './router.js';

export type { Metrics } from './metrics.js';

export interface ApiOptions {
  /** Which routes to serve: the indexer's, the matcher's, or both. */
  readonly mode: 'indexer' | 'matcher' | 'combo';
  /** Index reports and the layer cache; every mode reads reports here. */
  readonly indexStore: Store;
  /** Update operations, vulnerabilities, updater status (may be the same). */
  readonly vulnStore: Store;
  readonly scanners?: readonly Scanner[];
  readonly matchers?: readonly Matcher[];
  readonly log: Logger;
  readonly metrics: Metrics;
  /**
   * Clair's `auth.psk`: HS256 bearer tokens signed with one of `keys`
   * (raw bytes) whose `iss` is one of `issuers`. Absent: no auth.
   */
  readonly auth?: {
    readonly keys: readonly Buffer[];
    readonly issuers: readonly string[];
  };
  /** Index requests in flight before 429; default 32. */
  readonly indexConcurrency?: number;
  /** Largest request body before 413; default 10 MiB. */
  readonly maxBodyBytes?: number;
  /** Layer fetch timeout (head, then between chunks); default 60 s. */
  readonly layerFetchTimeoutMs?: number;
  /** Cache-Control max-age of vulnerability reports; default 0. */
  readonly reportMaxAgeSeconds?: number;
  /**
   * Bytes of vulnerability reports kept for answering again while the
   * data they came from is unchanged (see `report-cache.ts`); default
   * 64 MiB, 0 keeps none.
   */
  readonly reportCacheBytes?: number;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const DEFAULT_INDEX_CONCURRENCY = 32;
const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;
const DEFAULT_REPORT_CACHE_BYTES = 64 * 1024 * 1024;
const METHODS: readonly string[] = ['GET', 'POST', 'DELETE'];
/** A client's request id is echoed only when it looks like one. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** Base of request URLs; only their path and query are read. */
const BASE = 'http://claro.invalid';

/**
 * The API as a request listener for `http.createServer`. Every request
 * gets a request id (X-Request-Id, echoed or generated) on a child
 * logger, and its latency in the metrics under its route template.
 * Unknown paths answer 404, other methods 405 with Allow, both with
 * Clair's error body; with `auth`, every path first needs a valid token
 * (401 otherwise). Failures answer Clair's error body; unexpected ones
 * 500, logged once.
 */
export function createApiHandler(opts: ApiOptions): Handler {
  const deps = resolve(opts);
  const router = new Router(routesFor(opts.mode, deps));
  return (req, res) => {
    serve(req, res, { router, opts }).catch((err: unknown) => {
      opts.log.error({ err }, 'request failed');
      res.destroy();
    });
  };
}

/**
 * `/healthz` (200 while the process serves), `/readyz` (200 when
 * `ready()` resolves true, else 503) and `/metrics` (Prometheus text).
 * Never authenticated: bind it where only operators reach it.
 */
export function createIntrospectionHandler(opts: {
  readonly metrics: Metrics;
  readonly ready: () => Promise<boolean>;
}): Handler {
  return (req, res) => {
    void introspect(req, res, opts).catch(() => {
      if (!res.headersSent) sendText(res, 500, 'error\n');
      else res.destroy();
    });
  };
}

function resolve(opts: ApiOptions): ApiDeps {
  const scanners = opts.scanners ?? DEFAULT_SCANNERS;
  return {
    indexStore: opts.indexStore,
    vulnStore: opts.vulnStore,
    scanners,
    matchers: opts.matchers ?? DEFAULT_MATCHERS,
    metrics: opts.metrics,
    state: indexState(scanners),
    maxBodyBytes: opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    indexConcurrency: opts.indexConcurrency ?? DEFAULT_INDEX_CONCURRENCY,
    reportMaxAgeSeconds: opts.reportMaxAgeSeconds ?? 0,
    reports: new ReportCache(
      opts.reportCacheBytes ?? DEFAULT_REPORT_CACHE_BYTES,
    ),
    ...(opts.layerFetchTimeoutMs !== undefined
      ? { layerFetchTimeoutMs: opts.layerFetchTimeoutMs }
      : {}),
  };
}

function routesFor(mode: ApiOptions['mode'], deps: ApiDeps): Route[] {
  const routes: Route[] = [openApiRoute];
  if (mode !== 'matcher') routes.push(...indexerRoutes(deps));
  if (mode !== 'indexer') routes.push(...matcherRoutes(deps));
  return routes;
}

const openApiRoute: Route = {
  template: '/openapi/v1',
  methods: {
    GET: async ({ req, res }) => {
      if (notModified(req, OPENAPI_ETAG)) {
        return sendEmpty(res, 304, { ETag: OPENAPI_ETAG });
      }
      res.writeHead(200, {
        'Content-Type': 'application/openapi+json',
        'Content-Length': Buffer.byteLength(OPENAPI_JSON),
        ETag: OPENAPI_ETAG,
      });
      res.end(OPENAPI_JSON);
    },
  },
};

interface ServeContext {
  readonly router: Router;
  readonly opts: ApiOptions;
}

async function serve(
  req: IncomingMessage,
  res: ServerResponse,
  { router, opts }: ServeContext,
): Promise<void> {
  const stop = opts.metrics.httpDuration.startTimer();
  const requestId = requestIdOf(req);
  res.setHeader('X-Request-Id', requestId);
  const url = requestUrl(req);
  const found = url && router.match(url.pathname);
  const route = found?.route.template ?? 'unmatched';
  const log = lazyChild(opts.log, { requestId, method: req.method, route });

  try {
    if (!url) throw new HttpError(400, 'Malformed request target');
    authenticate(req, opts.auth, log);
    const handler = pick(found?.route, req.method ?? '', url.pathname);
    await handler({
      req,
      res,
      url,
      params: found?.params ?? {},
      get log() {
        return log();
      },
    });
  } catch (err) {
    fail(res, err, log());
  }

  const code = String(res.statusCode);
  stop({ method: req.method ?? '', route, code });
  if (opts.log.isLevelEnabled('debug')) {
    const fields = { status: res.statusCode, path: url?.pathname };
    log().debug(fields, 'request handled');
  }
}

/**
 * The request's child logger, made when first asked for: most answers
 * log nothing, and a child costs its bindings' serialisation.
 */
function lazyChild(
  parent: Logger,
  bindings: Record<string, unknown>,
): () => Logger {
  let child: Logger | undefined;
  return () => (child ??= parent.child(bindings));
}

/**
 * The request target as a URL. An origin-form target (`/path?query`) is
 * taken whole, so that `//host/path` stays a path and never names a host.
 */
function requestUrl(req: IncomingMessage): URL | undefined {
  const target = req.url ?? '/';
  const text = target.startsWith('/') ? `${BASE}${target}` : target;
  try {
    return new URL(text, BASE);
  } catch {
    return undefined;
  }
}

/** The route's handler for `method`; 404 or 405 (with Allow) otherwise. */
function pick(route: Route | undefined, method: string, path: string) {
  if (!route) throw new HttpError(404, `No such resource: ${path}`);
  const handler = METHODS.includes(method)
    ? route.methods[method as Method]
    : undefined;
  if (handler) return handler;
  const allow = Object.keys(route.methods).join(', ');
  throw new HttpError(405, `Method ${method} not allowed on ${path}`, {
    Allow: allow,
  });
}

function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given)
    ? given
    : randomUUID();
}

/** Clair's PSK check; the reason of a refusal is logged, never answered. */
function authenticate(
  req: IncomingMessage,
  auth: ApiOptions['auth'],
  log: () => Logger,
): void {
  if (auth === undefined) return;
  const token = bearerToken(req.headers.authorization);
  const result = token
    ? verifyJwt(token, auth)
    : { ok: false as const, reason: 'no bearer token' };
  if (result.ok) return;
  log().debug({ reason: result.reason }, 'request refused');
  throw new HttpError(401, 'Missing or invalid bearer token', {
    'WWW-Authenticate': 'Bearer',
  });
}

/**
 * Writes the error body. A deliberate HttpError is the route's answer; a
 * ClaroError (store failure and the like) or any other throw is logged
 * here, once.
 */
function fail(res: ServerResponse, err: unknown, log: Logger): void {
  const known = asHttpError(err);
  if (!(err instanceof HttpError) && (!known || known.status >= 500)) {
    log.error({ err }, 'request failed');
  }
  const answer =
    known ?? new HttpError(500, 'Internal error; see the server log');
  if (res.headersSent) return void res.destroy();
  sendError(res, answer);
}

async function introspect(
  req: IncomingMessage,
  res: ServerResponse,
  opts: { readonly metrics: Metrics; readonly ready: () => Promise<boolean> },
): Promise<void> {
  const path = requestUrl(req)?.pathname;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return sendText(res, 405, 'method not allowed\n');
  }
  switch (path) {
    case '/healthz':
      return sendText(res, 200, 'ok\n');
    case '/readyz': {
      const ready = await opts.ready().catch(() => false);
      return sendText(
        res,
        ready ? 200 : 503,
        ready ? 'ready\n' : 'not ready\n',
      );
    }
    case '/metrics': {
      const { registry } = opts.metrics;
      const text = await registry.metrics();
      return sendText(res, 200, text, registry.contentType);
    }
    default:
      return sendText(res, 404, 'not found\n');
  }
}

function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  type = 'text/plain; charset=utf-8',
): void {
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}
