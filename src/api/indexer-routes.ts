/**
 * Clair's indexer API, `/indexer/api/v1/...` (Clair's `openapi.yaml`):
 * index a manifest, read and delete index reports, the indexer state, and
 * the internal affected-manifest search.
 */
import { parseManifest } from '../image/manifest.js';
import { affectedManifests } from '../matcher/affected.js';
import { clairIndexReport, clairVulnerability } from '../report/clair.js';
import { isDigest, parseAffectedRequest } from './clair-json.js';
import {
  entityTag,
  HttpError,
  notModified,
  readJson,
  sendEmpty,
  sendJson,
} from './http.js';
import { indexManifest } from './index-manifest.js';
import type { ApiDeps, RequestContext, Route } from './route.js';

export const INDEX_REPORT = '/indexer/api/v1/index_report';
const VULNERABILITY_REPORT = '/matcher/api/v1/vulnerability_report';

/** Seconds a client refused for load should wait (Retry-After). */
const RETRY_AFTER_SECONDS = 1;

/** The indexer's routes. */
export function indexerRoutes(deps: ApiDeps): Route[] {
  const limit = new InFlight(deps.indexConcurrency, () =>
    deps.metrics.concurrencyLimited.inc({ route: INDEX_REPORT }),
  );
  return [
    {
      template: INDEX_REPORT,
      methods: {
        POST: (ctx) => limit.run(() => postIndexReport(ctx, deps)),
        DELETE: (ctx) => deleteIndexReports(ctx, deps),
      },
    },
    {
      template: `${INDEX_REPORT}/{digest}`,
      methods: {
        GET: (ctx) => getIndexReport(ctx, deps),
        DELETE: (ctx) => deleteIndexReport(ctx, deps),
      },
    },
    {
      template: '/indexer/api/v1/index_state',
      methods: { GET: async (ctx) => getIndexState(ctx, deps) },
    },
    {
      template: '/indexer/api/v1/internal/affected_manifest',
      methods: { POST: (ctx) => postAffectedManifest(ctx, deps) },
    },
  ];
}

/**
 * Counts requests in flight; beyond the limit answers 429 at once, as
 * Clair's `index_report_request_concurrency` does, so that a client
 * retries later instead of piling up layer fetches.
 */
class InFlight {
  #count = 0;

  constructor(
    private readonly max: number,
    private readonly onRefused: () => void,
  ) {}

  async run(fn: () => Promise<void>): Promise<void> {
    if (this.#count >= this.max) {
      this.onRefused();
      throw new HttpError(429, 'Server handling too many index requests', {
        'Retry-After': String(RETRY_AFTER_SECONDS),
      });
    }
    this.#count++;
    try {
      await fn();
    } finally {
      this.#count--;
    }
  }
}

/**
 * Indexes the posted manifest and answers 201 with its report, Location
 * and the indexer state as ETag. If-None-Match naming the current state
 * answers 412 without indexing (Clair's precondition: the client already
 * holds a report of this state). A failed index answers 500 with the
 * cause; its IndexError report stays stored until a later POST retries.
 */
async function postIndexReport(
  ctx: RequestContext,
  deps: ApiDeps,
): Promise<void> {
  const m = parseManifest(await readJson(ctx.req, deps.maxBodyBytes));
  const log = ctx.log.child({ manifest: m.hash });
  const tag = entityTag(deps.state);
  const links = reportLinks(m.hash);
  if (notModified(ctx.req, tag)) {
    return sendEmpty(ctx.res, 412, { Link: links });
  }

  const report = await indexManifest(m, deps, log);
  if (report.state !== 'IndexFinished') throw new HttpError(500, report.err);
  sendJson(ctx.res, 201, clairIndexReport(report), {
    Location: `${INDEX_REPORT}/${m.hash}`,
    ETag: tag,
    Link: links,
  });
}

/** Clair's Link fields pointing at the manifest's two reports. */
function reportLinks(digest: string): string {
  const rel = 'https://projectquay.io/clair/v1';
  return [
    `<${INDEX_REPORT}/${digest}>; rel="${rel}/index_report"`,
    `<${VULNERABILITY_REPORT}/${digest}>; rel="${rel}/vulnerability_report"`,
  ].join(', ');
}

/**
 * The stored report, whatever its state (an IndexError report says why).
 * A finished report carries the state it was made with as ETag.
 */
async function getIndexReport(
  ctx: RequestContext,
  deps: ApiDeps,
): Promise<void> {
  const digest = digestParam(ctx);
  const report = await deps.indexStore.getIndexReport(digest);
  if (!report) {
    throw new HttpError(404, `Index report for manifest ${digest} not found`);
  }

  const finished = report.state === 'IndexFinished';
  const made = finished ? report.indexState : undefined;
  const headers = made === undefined ? {} : { ETag: entityTag(made) };
  if (made !== undefined && notModified(ctx.req, entityTag(made))) {
    return sendEmpty(ctx.res, 304, headers);
  }
  sendJson(ctx.res, 200, clairIndexReport(report), headers);
}

/** 204 whether or not the manifest was indexed, as Clair answers. */
async function deleteIndexReport(
  ctx: RequestContext,
  deps: ApiDeps,
): Promise<void> {
  const digest = digestParam(ctx);
  await deleteOne(digest, deps);
  sendEmpty(ctx.res, 204);
}

/** Body: a JSON array of digests; answers those that were deleted. */
async function deleteIndexReports(
  ctx: RequestContext,
  deps: ApiDeps,
): Promise<void> {
  const body = await readJson(ctx.req, deps.maxBodyBytes);
  if (!Array.isArray(body)) {
    throw new HttpError(400, 'Cannot delete manifests: expected an array');
  }
  const bad = body.find((d) => typeof d !== 'string' || !isDigest(d));
  if (bad !== undefined) {
    const shown = JSON.stringify(bad).slice(0, 100);
    throw new HttpError(400, `Cannot delete manifests: bad digest ${shown}`);
  }

  const deleted: string[] = [];
  for (const d of new Set(body as string[])) {
    if (await deleteOne(d, deps)) deleted.push(d);
  }
  ctx.log.debug({ count: deleted.length }, 'manifests deleted');
  sendJson(ctx.res, 200, deleted);
}

/** Waits for an index run of the manifest, so none rewrites it after. */
function deleteOne(digest: string, deps: ApiDeps): Promise<boolean> {
  const store = deps.indexStore;
  return store.withLock(`manifest:${digest}`, () =>
    store.deleteIndexReport(digest),
  );
}

function getIndexState(ctx: RequestContext, deps: ApiDeps): void {
  const tag = entityTag(deps.state);
  if (notModified(ctx.req, tag)) {
    return sendEmpty(ctx.res, 304, { ETag: tag });
  }
  sendJson(ctx.res, 200, { state: deps.state }, { ETag: tag });
}

/**
 * Answers Clair's AffectedManifests: the records that affect something,
 * by id, and for each affected manifest the ids of those affecting it.
 */
async function postAffectedManifest(
  ctx: RequestContext,
  deps: ApiDeps,
): Promise<void> {
  const body = await readJson(ctx.req, deps.maxBodyBytes);
  const vulns = parseAffectedRequest(body);
  const { indexStore: store, matchers } = deps;
  const found = await affectedManifests(vulns, {
    store,
    matchers,
    log: ctx.log,
  });

  const vulnerabilities: Record<string, unknown> = {};
  const manifests: Record<string, string[]> = {};
  for (const v of vulns) {
    const affected = found[v.id];
    if (!affected) continue;
    vulnerabilities[v.id] = clairVulnerability(v);
    for (const m of affected) (manifests[m] ??= []).push(v.id);
  }
  sendJson(ctx.res, 200, { vulnerabilities, vulnerable_manifests: manifests });
}

/** The `{digest}` path parameter, checked: 400 when malformed. */
export function digestParam(ctx: RequestContext): string {
  const digest = ctx.params['digest'] ?? '';
  if (!isDigest(digest)) {
    throw new HttpError(
      400,
      `Malformed path: ${JSON.stringify(digest.slice(0, 140))} is not a ` +
        'sha256:<64 hex> or sha512:<128 hex> digest',
    );
  }
  return digest;
}
