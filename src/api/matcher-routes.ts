/**
 * Clair's matcher API, `/matcher/api/v1/...` (Clair's `openapi.yaml`):
 * vulnerability reports computed at request time, the internal update
 * operation and diff listings, and claro's updater status.
 */
import type { IndexReport } from '../indexer/report.js';
import { matchReport } from '../matcher/engine.js';
import { clairVulnerabilityReport } from '../report/clair.js';
import type { ReportVersions } from '../store/store.js';
import {
  clairUpdateDiff,
  clairUpdateOperations,
  isRef,
  updaterStatusJson,
} from './clair-json.js';
import {
  entityTag,
  HttpError,
  notModified,
  sendEmpty,
  sendJson,
  sendJsonText,
} from './http.js';
import { digestParam, INDEX_REPORT } from './indexer-routes.js';
import type { ApiDeps, RequestContext, Route } from './route.js';

/** Go's strconv.ParseBool spellings of true, which Clair accepts. */
const TRUE = new Set(['1', 't', 'T', 'true', 'TRUE', 'True']);

/** The matcher's routes. */
export function matcherRoutes(deps: ApiDeps): Route[] {
  return [
    {
      template: '/matcher/api/v1/vulnerability_report/{digest}',
      methods: { GET: (ctx) => getVulnerabilityReport(ctx, deps) },
    },
    {
      template: '/matcher/api/v1/internal/update_operation',
      methods: { GET: (ctx) => getUpdateOperations(ctx, deps) },
    },
    {
      template: '/matcher/api/v1/internal/update_diff',
      methods: { GET: (ctx) => getUpdateDiff(ctx, deps) },
    },
    {
      template: '/matcher/api/v1/updater_status',
      methods: { GET: (ctx) => getUpdaterStatus(ctx, deps) },
    },
  ];
}

/**
 * Matches the stored index report against the current vulnerability
 * data. 404 for a manifest never indexed, or whose indexing failed (it
 * must be posted again); 202 while no vulnerability data is loaded at
 * all, since an empty report then would read as "no vulnerabilities".
 *
 * Each request first reads the versions of the index report and of the
 * vulnerability data (one small read when one store holds both), and is
 * answered from the report cache only when a report was computed under
 * exactly those versions: an update or a new index through any instance
 * sharing the store is seen by the next request. The ETag is a digest of
 * the report's bytes.
 */
async function getVulnerabilityReport(
  ctx: RequestContext,
  deps: ApiDeps,
): Promise<void> {
  const digest = digestParam(ctx);
  const { index: indexVersion, data: dataVersion } = await reportVersions(
    digest,
    deps,
  );
  if (indexVersion === undefined) {
    deps.reports.forget(digest);
    throw notIndexed(digest);
  }
  if (dataVersion === '') {
    await readIndexReport(digest, deps);
    return sendJson(ctx.res, 202, {
      code: 'no-vulnerability-data',
      message: 'No vulnerability data is loaded yet: ask again later',
    });
  }

  const version = `${indexVersion} ${dataVersion}`;
  const report = await deps.reports.get(digest, version, () =>
    computeReport(ctx, digest, deps),
  );
  const headers = {
    'Cache-Control': `max-age=${deps.reportMaxAgeSeconds}`,
    ETag: report.etag,
  };
  if (notModified(ctx.req, report.etag)) {
    return sendEmpty(ctx.res, 304, headers);
  }
  sendJsonText(ctx.res, 200, report.body, headers);
}

/** Both versions, in one read when one store holds both. */
async function reportVersions(
  digest: string,
  deps: ApiDeps,
): Promise<ReportVersions> {
  if (deps.indexStore === deps.vulnStore) {
    return deps.vulnStore.reportVersions(digest);
  }

  const [index, data] = await Promise.all([
    deps.indexStore.indexReportVersion(digest),
    deps.vulnStore.vulnerabilityDataVersion(),
  ]);
  return { index, data };
}

/** The Clair JSON of the manifest's report matched now. */
async function computeReport(
  ctx: RequestContext,
  digest: string,
  deps: ApiDeps,
): Promise<Buffer> {
  const index = await readIndexReport(digest, deps);
  const { vulnStore: store, matchers } = deps;
  const report = await matchReport(index, { store, matchers, log: ctx.log });
  return Buffer.from(JSON.stringify(clairVulnerabilityReport(report)));
}

/** The stored index report of a finished index; 404 otherwise. */
async function readIndexReport(
  digest: string,
  deps: ApiDeps,
): Promise<IndexReport> {
  const index = await deps.indexStore.getIndexReport(digest);
  if (!index) throw notIndexed(digest);
  if (index.state !== 'IndexFinished') {
    throw new HttpError(
      404,
      `Indexing manifest ${digest} failed (${index.err}): ` +
        `POST the manifest to ${INDEX_REPORT} again`,
    );
  }
  return index;
}

function notIndexed(digest: string): HttpError {
  return new HttpError(
    404,
    `Index report for manifest ${digest} not found: ` +
      `POST the manifest to ${INDEX_REPORT} first`,
  );
}

/**
 * Every updater's operations, newest first; `?latest=true` keeps each
 * updater's newest. The newest operation's ref is the ETag. `kind` is
 * `vulnerability` (the default) or `enrichment`, of which claro has none.
 */
async function getUpdateOperations(
  ctx: RequestContext,
  deps: ApiDeps,
): Promise<void> {
  const kind = ctx.url.searchParams.get('kind') ?? '';
  if (!['', 'vulnerability', 'enrichment'].includes(kind)) {
    throw new HttpError(400, `Unknown kind: ${JSON.stringify(kind)}`);
  }
  const ops =
    kind === 'enrichment' ? [] : await deps.vulnStore.updateOperations();
  const newest = ops.reduce<(typeof ops)[number] | undefined>(
    (a, b) => (a === undefined || b.date > a.date ? b : a),
    undefined,
  );
  const tag = newest === undefined ? undefined : entityTag(newest.ref);
  const headers = tag === undefined ? {} : { ETag: tag };
  if (tag !== undefined && notModified(ctx.req, tag)) {
    return sendEmpty(ctx.res, 304, headers);
  }

  const latest = TRUE.has(ctx.url.searchParams.get('latest') ?? '');
  sendJson(ctx.res, 200, clairUpdateOperations(ops, latest), headers);
}

/** Records added and removed from `prev` (optional) to `cur`. */
async function getUpdateDiff(
  ctx: RequestContext,
  deps: ApiDeps,
): Promise<void> {
  const prev = ctx.url.searchParams.get('prev') || undefined;
  const cur = ctx.url.searchParams.get('cur') || undefined;
  if (cur === undefined) {
    throw new HttpError(400, '"cur" query parameter is required');
  }
  for (const [name, ref] of [
    ['prev', prev],
    ['cur', cur],
  ] as const) {
    if (ref !== undefined && !isRef(ref)) {
      throw new HttpError(400, `"${name}" query parameter is not a UUID`);
    }
  }

  const diff = await deps.vulnStore.updateDiff(prev, cur);
  sendJson(ctx.res, 200, clairUpdateDiff(diff));
}

async function getUpdaterStatus(
  ctx: RequestContext,
  deps: ApiDeps,
): Promise<void> {
  const all = await deps.vulnStore.updaterStatus();
  sendJson(ctx.res, 200, updaterStatusJson(all));
}
