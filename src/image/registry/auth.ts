/**
 * Access to a repository as its registry's challenge asks: Basic with the
 * username and password (RFC 7617), or a Bearer token from the token
 * service the challenge names (distribution spec, "Token Authentication
 * Specification": GET realm?service=...&scope=repository:NAME:pull, with
 * Basic credentials when there are some; "OAuth2 Token Authentication":
 * POST of a refresh token, for docker's identity tokens).
 */
import { z } from 'zod';
import {
  answered,
  fetchError,
  readBody,
  request,
  type HeaderFields,
  type RequestOptions,
} from '../http-request.js';
import type { Challenge } from './challenge.js';
import { cannotPull, refused, type PullContext } from './errors.js';

/** What authentication needs to know of the pull. */
export interface AuthContext extends PullContext {
  /** Connection settings for the token service. */
  readonly transport: Omit<RequestOptions, 'what'>;
}

/** claro's name at token services (`client_id`). */
const CLIENT_ID = 'claro';
const MAX_TOKEN_BODY = 1024 * 1024;

const tokenAnswer = z
  .object({
    token: z.string().optional(),
    access_token: z.string().optional(),
  })
  .refine((t) => Boolean(t.token || t.access_token));

/**
 * Header fields answering `challenge` for pulls of `ctx.ref`'s
 * repository: none when Basic is asked and there are no credentials (the
 * registry's refusal then says so).
 */
export async function authenticate(
  challenge: Challenge,
  ctx: AuthContext,
): Promise<HeaderFields> {
  if (challenge.scheme === 'bearer') return bearer(challenge, ctx);
  const basicField = basic(ctx);
  return basicField ? { Authorization: [basicField] } : {};
}

function basic(ctx: PullContext): string | undefined {
  const c = ctx.credentials;
  if (c?.username === undefined || c.password === undefined) return undefined;
  const pair = `${c.username}:${c.password}`;
  return `Basic ${Buffer.from(pair).toString('base64')}`;
}

async function bearer(
  challenge: Challenge,
  ctx: AuthContext,
): Promise<HeaderFields> {
  const realm = challenge.params['realm'];
  if (!realm || !URL.canParse(realm)) {
    throw cannotPull(
      ctx.ref,
      `registry ${ctx.ref.registry} asks for a token but names no valid realm`,
      { code: 'FETCH_FAILED' },
    );
  }
  const scope = `repository:${ctx.ref.repository}:pull`;
  const service = challenge.params['service'];
  const identity = ctx.credentials?.identityToken;
  const opts = identity
    ? refreshRequest(ctx, identity, { scope, service })
    : tokenRequest(ctx, { scope, service });
  const url = identity ? realm : withQuery(realm, { scope, service });
  const r = await request(url, opts);
  if (r.res.status === 401 || r.res.status === 403) {
    r.ctl.abort();
    throw refused(ctx, `its token service answered ${r.res.status}`);
  }
  if (!r.res.ok) {
    r.ctl.abort();
    throw fetchError(opts, {
      url,
      problem: answered(r),
      attempts: r.attempts,
    });
  }
  const body = await readBody(r, { ...opts, max: MAX_TOKEN_BODY });
  return { Authorization: [`Bearer ${tokenOf(body, ctx)}`] };
}

function tokenRequest(
  ctx: AuthContext,
  q: { scope: string; service: string | undefined },
): RequestOptions {
  const field = basic(ctx);
  return {
    ...ctx.transport,
    what: `a token for ${q.scope}`,
    ...(field ? { headers: { Authorization: [field] } } : {}),
  };
}

function refreshRequest(
  ctx: AuthContext,
  refreshToken: string,
  q: { scope: string; service: string | undefined },
): RequestOptions {
  const form = new URLSearchParams({
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    client_id: CLIENT_ID,
    scope: q.scope,
    ...(q.service !== undefined ? { service: q.service } : {}),
  });
  return {
    ...ctx.transport,
    what: `a token for ${q.scope}`,
    method: 'POST',
    headers: { 'Content-Type': ['application/x-www-form-urlencoded'] },
    body: form.toString(),
  };
}

function withQuery(
  realm: string,
  q: { scope: string; service: string | undefined },
): string {
  const u = new URL(realm);
  if (q.service !== undefined) u.searchParams.set('service', q.service);
  u.searchParams.set('scope', q.scope);
  return u.href;
}

function tokenOf(body: Buffer, ctx: AuthContext): string {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch {
    doc = undefined;
  }
  const parsed = tokenAnswer.safeParse(doc);
  if (!parsed.success) {
    throw cannotPull(
      ctx.ref,
      `the token service of registry ${ctx.ref.registry} sent no token`,
      { code: 'FETCH_FAILED' },
    );
  }
  return (parsed.data.token || parsed.data.access_token)!;
}
