/**
 * The API's own Clair JSON shapes (Clair's `openapi.yaml` and claircore's
 * types): update operations and diffs, the affected-manifest request, and
 * claro's updater status. Index and vulnerability reports are in
 * report/clair.ts.
 */
import { z } from 'zod';
import { ClaroError } from '../errors.js';
import { vulnerabilityId } from '../matcher/engine.js';
import type { IndexedVulnerability } from '../matcher/report.js';
import { CLAIR_ZERO_TIME, clairVulnerability } from '../report/clair.js';
import type {
  UpdateDiff,
  UpdateOperation,
  UpdaterStatus,
} from '../store/store.js';
import { SEVERITIES } from '../vuln/types.js';

/** Manifest digests Clair accepts (its `digest` schema). */
const DIGEST = /^(?:sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;
/** Update operation refs are UUIDs, as Clair's. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `s` is a manifest digest Clair would accept. */
export function isDigest(s: string): boolean {
  return DIGEST.test(s);
}

/** Whether `s` is an update operation ref. */
export function isRef(s: string): boolean {
  return UUID.test(s);
}

/**
 * claircore's UpdateOperation: `{ref, updater, fingerprint, date, kind}`.
 * claro's updaters all produce vulnerabilities, none enrichments.
 */
export function clairUpdateOperation(op: UpdateOperation) {
  return {
    ref: op.ref,
    updater: op.updater,
    fingerprint: op.fingerprint,
    date: op.date,
    kind: 'vulnerability',
  };
}

/**
 * Operations keyed by updater, newest first within each, as Clair's
 * `GET /matcher/api/v1/internal/update_operation`; with `latest`, only
 * each updater's newest. `ops` comes grouped and ordered by the store.
 */
export function clairUpdateOperations(
  ops: readonly UpdateOperation[],
  latest: boolean,
): Record<string, ReturnType<typeof clairUpdateOperation>[]> {
  const out: Record<string, ReturnType<typeof clairUpdateOperation>[]> = {};
  for (const op of ops) {
    const list = (out[op.updater] ??= []);
    if (!latest || list.length === 0) list.push(clairUpdateOperation(op));
  }
  return out;
}

/** claircore's UpdateDiff; `prev` is null when the diff has none. */
export function clairUpdateDiff(d: UpdateDiff): Record<string, unknown> {
  const vuln = (v: UpdateDiff['added'][number]) =>
    clairVulnerability({ id: vulnerabilityId(v), ...v });
  return {
    prev: d.prev === undefined ? null : clairUpdateOperation(d.prev),
    cur: clairUpdateOperation(d.cur),
    added: d.added.map(vuln),
    removed: d.removed.map(vuln),
  };
}

/**
 * claro's `GET /matcher/api/v1/updater_status`: each updater by name,
 * fields snake_case, absent ones null.
 */
export function updaterStatusJson(
  all: readonly UpdaterStatus[],
): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const s of all) {
    out[s.updater] = {
      last_attempt: s.lastAttempt,
      last_success: s.lastSuccess ?? null,
      last_error: s.lastError ?? null,
      records: s.records ?? null,
    };
  }
  return out;
}

const text = z.string().nullish();
const clairVuln = z.object({
  id: text,
  updater: text,
  name: z.string(),
  description: text,
  issued: text,
  links: text,
  severity: text,
  normalized_severity: z.enum(SEVERITIES).nullish().catch(undefined),
  package: z
    .object({ name: z.string(), kind: z.enum(['binary', 'source']).nullish() })
    .nullish(),
  distribution: z
    .object({ did: z.string(), version_id: text, version_code_name: text })
    .nullish(),
  fixed_in_version: text,
});
const affectedRequest = z.object({ vulnerabilities: z.array(clairVuln) });

/**
 * Reads the body of `POST /indexer/api/v1/internal/affected_manifest`:
 * `{"vulnerabilities": [Clair Vulnerability, ...]}`. Records without a
 * package or a distribution can affect no indexed package and are left
 * out; a record without an id gets claro's id for it. Problems throw
 * INVALID_ARGUMENT naming the first one.
 */
export function parseAffectedRequest(body: unknown): IndexedVulnerability[] {
  const parsed = affectedRequest.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || 'body';
    throw new ClaroError(
      'INVALID_ARGUMENT',
      `Cannot read vulnerabilities: ${where}: ${issue?.message ?? 'invalid'}`,
      { cause: parsed.error },
    );
  }
  return parsed.data.vulnerabilities.flatMap((v) => {
    const r = toRecord(v);
    return r ? [r] : [];
  });
}

function toRecord(
  v: z.infer<typeof clairVuln>,
): IndexedVulnerability | undefined {
  if (!v.package || !v.distribution) return undefined;
  const record = {
    updater: v.updater ?? '',
    name: v.name,
    description: v.description ?? '',
    issued: v.issued === CLAIR_ZERO_TIME ? '' : (v.issued ?? ''),
    links: v.links ?? '',
    severity: v.severity ?? '',
    normalizedSeverity: v.normalized_severity ?? 'Unknown',
    packageName: v.package.name,
    packageKind: v.package.kind ?? 'binary',
    distribution: {
      did: v.distribution.did,
      versionId: v.distribution.version_id ?? '',
      versionCodeName: v.distribution.version_code_name ?? '',
    },
    fixedInVersion: v.fixed_in_version ?? '',
    // Matchers compare with their package's own version scheme.
    scheme: '',
  };
  return { id: v.id || vulnerabilityId(record), ...record };
}
