/**
 * JSON Web Tokens signed with a pre-shared key: Clair's `auth.psk` mode.
 * Only HS256 (HMAC-SHA256, RFC 7518 section 3.2) in the JWS compact
 * serialization (RFC 7515 section 7.1) is accepted; every other `alg`,
 * `none` included, is refused, so a token's header can never choose a
 * weaker check.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Clock skew allowed on `exp`, `nbf` and `iat`, as Clair allows. */
export const DEFAULT_LEEWAY_SECONDS = 15;

/** The registered claims claro reads (RFC 7519 section 4.1). */
export interface JwtClaims {
  readonly iss?: string;
  readonly sub?: string;
  /** Seconds since the epoch. */
  readonly exp?: number;
  readonly nbf?: number;
  readonly iat?: number;
  readonly [claim: string]: unknown;
}

export interface VerifyOptions {
  /** Pre-shared keys, raw bytes; a token signed with any one passes. */
  readonly keys: readonly Buffer[];
  /** Accepted `iss` values; the claim is required. */
  readonly issuers: readonly string[];
  /** Seconds since the epoch; the current time when absent. */
  readonly now?: number;
  readonly leewaySeconds?: number;
}

/** A verified token's claims, or why it was refused (for logs only). */
export type VerifyResult =
  | { readonly ok: true; readonly claims: JwtClaims }
  | { readonly ok: false; readonly reason: string };

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const HS256_BYTES = 32;

/**
 * Verifies a compact HS256 JWT: signature (constant-time, against each
 * key), then `exp`, `nbf` and `iat` with leeway, then `iss`. A header
 * with `crit` is refused (RFC 7515 section 4.1.11: claro understands no
 * extension).
 */
export function verifyJwt(token: string, opts: VerifyOptions): VerifyResult {
  const parts = token.split('.');
  if (parts.length !== 3) return refuse('not a compact JWS');
  const [head, body, sig] = parts as [string, string, string];

  const header = decodeJson(head);
  if (header === undefined) return refuse('malformed header');
  if (header['alg'] !== 'HS256') return refuse('algorithm is not HS256');
  if (header['crit'] !== undefined) return refuse('critical extension');

  const signature = decodeBase64url(sig);
  if (!signature || !signedByAny(`${head}.${body}`, signature, opts.keys)) {
    return refuse('bad signature');
  }

  const claims = decodeJson(body);
  if (claims === undefined) return refuse('malformed claims');
  const problem = timeProblem(claims, opts) ?? issuerProblem(claims, opts);
  if (problem !== undefined) return refuse(problem);
  return { ok: true, claims: claims as JwtClaims };
}

/** Signs `claims` as a compact HS256 JWT (for clients and tests). */
export function signJwt(
  claims: Readonly<Record<string, unknown>>,
  key: Buffer,
): string {
  const head = encodeJson({ alg: 'HS256', typ: 'JWT' });
  const body = encodeJson(claims);
  const sig = hmac(`${head}.${body}`, key).toString('base64url');
  return `${head}.${body}.${sig}`;
}

/** The token of an `Authorization: Bearer <token>` field (RFC 6750 2.1). */
export function bearerToken(field: string | undefined): string | undefined {
  const m = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(field ?? '');
  return m?.[1];
}

function signedByAny(
  input: string,
  signature: Buffer,
  keys: readonly Buffer[],
): boolean {
  if (signature.length !== HS256_BYTES) return false;
  let ok = false;
  for (const key of keys) {
    if (timingSafeEqual(hmac(input, key), signature)) ok = true;
  }
  return ok;
}

function timeProblem(
  claims: Record<string, unknown>,
  opts: VerifyOptions,
): string | undefined {
  const now = opts.now ?? Date.now() / 1000;
  const leeway = opts.leewaySeconds ?? DEFAULT_LEEWAY_SECONDS;
  const { exp, nbf, iat } = claims;
  for (const [name, v] of Object.entries({ exp, nbf, iat })) {
    if (v !== undefined && typeof v !== 'number') return `${name} not numeric`;
  }
  if (typeof exp === 'number' && now - leeway >= exp) return 'expired';
  if (typeof nbf === 'number' && now + leeway < nbf) return 'not yet valid';
  if (typeof iat === 'number' && now + leeway < iat) return 'issued later';
  return undefined;
}

function issuerProblem(
  claims: Record<string, unknown>,
  opts: VerifyOptions,
): string | undefined {
  const iss = claims['iss'];
  if (typeof iss !== 'string') return 'no issuer';
  return opts.issuers.includes(iss) ? undefined : 'unknown issuer';
}

function refuse(reason: string): VerifyResult {
  return { ok: false, reason };
}

function hmac(input: string, key: Buffer): Buffer {
  return createHmac('sha256', key).update(input).digest();
}

function decodeBase64url(s: string): Buffer | undefined {
  if (!BASE64URL.test(s)) return undefined;
  const bytes = Buffer.from(s, 'base64url');
  return bytes.toString('base64url') === s ? bytes : undefined;
}

function decodeJson(s: string): Record<string, unknown> | undefined {
  const bytes = decodeBase64url(s);
  if (bytes === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(bytes.toString('utf8'));
    const isObject = typeof v === 'object' && v !== null && !Array.isArray(v);
    return isObject ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function encodeJson(v: unknown): string {
  return Buffer.from(JSON.stringify(v)).toString('base64url');
}
