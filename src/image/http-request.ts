/**
 * One HTTP request path for everything claro downloads from image hosts:
 * registry APIs, token services and layer blobs (also the service's Clair
 * manifest URIs). Redirects are followed here, so that each hop is held
 * to the same rules; answers worth another try are retried with backoff.
 */
import { STATUS_CODES } from 'node:http';
import type { Readable } from 'node:stream';
import { rootCertificates } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request as send1, type Dispatcher } from 'undici';
import { ClaroError, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';

/** Wait for an answer, and between two chunks of a body, by default. */
export const DEFAULT_FETCH_TIMEOUT_MS = 60_000;

/** HTTP header fields to send: each name with one or more values. */
export type HeaderFields = Readonly<Record<string, readonly string[]>>;

/** How often and how patiently a failed request is tried again. */
export interface RetryPolicy {
  /** Tries in all, the first included; 1 means no retry. */
  readonly attempts: number;
  /** Wait before the second try; doubled before each further one. */
  readonly baseDelayMs: number;
  /**
   * Longest wait between two tries. A server asking (Retry-After, RFC
   * 9110 section 10.2.3) for a longer one is not tried again.
   */
  readonly maxDelayMs: number;
}

/** Four tries, 0.25 s, 0.5 s then 1 s apart (each with some jitter). */
export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 30_000,
};

/** No second try. */
export const NO_RETRY: RetryPolicy = {
  attempts: 1,
  baseDelayMs: 0,
  maxDelayMs: 0,
};

/** One request: what it fetches, how, and how patiently. */
export interface RequestOptions {
  /** Names what is fetched in errors: `layer sha256:<hex>`. */
  readonly what: string;
  readonly method?: 'GET' | 'POST';
  /** Sent with the request; never shown in errors or logs. */
  readonly headers?: HeaderFields;
  /** A form or JSON body, for POST. */
  readonly body?: string;
  /** Longest wait for the response head; DEFAULT_FETCH_TIMEOUT_MS. */
  readonly timeoutMs?: number;
  /** DEFAULT_RETRY when absent. */
  readonly retry?: RetryPolicy;
  /** Connections and TLS settings (see `httpAgent`); undici's default. */
  readonly dispatcher?: Dispatcher;
  /**
   * Whether plain http may be used for a URL, the first one or one a
   * redirect leads to; every URL may by default.
   */
  readonly allowHttp?: (url: URL) => boolean;
  readonly log?: Logger;
}

/** The head of an answer, and its body as a Node stream. */
export interface HttpAnswer {
  readonly status: number;
  /** A 2xx status. */
  readonly ok: boolean;
  /** A field by name, several values joined by ", "; null when absent. */
  readonly headers: { get(name: string): string | null };
  readonly body: Readable;
}

/** A response whose head has arrived; its body is still to be read. */
export interface HttpResponse {
  readonly res: HttpAnswer;
  /** Cancels the request, body included. */
  readonly ctl: AbortController;
  /** The URL that answered, after redirects. */
  readonly url: string;
  readonly redirected: boolean;
  /** Tries it took, for messages. */
  readonly attempts: number;
}

/** TLS settings of a registry connection. */
export interface TlsOptions {
  /** PEM certificates trusted besides Node's own roots. */
  readonly ca?: string;
  /** Accept any certificate (`--insecure`). */
  readonly insecure?: boolean;
}

/** A connection pool with `tls` applied, for `dispatcher`. */
export function httpAgent(tls: TlsOptions): Dispatcher {
  const ca = tls.ca === undefined ? undefined : [...rootCertificates, tls.ca];
  return new Agent({
    connect: {
      ...(ca ? { ca } : {}),
      rejectUnauthorized: tls.insecure !== true,
    },
  });
}

/** Header field name and value (RFC 9110 sections 5.1, 5.5). */
const FIELD_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** Statuses worth another try (RFC 9110 section 15.6; 429 of RFC 6585). */
const RETRY_STATUSES = new Set([408, 429, 500, 502, 503, 504]);
const MAX_REDIRECTS = 10;

/** Why a request was aborted, kept as the AbortSignal's reason. */
export class Stalled extends Error {
  constructor(readonly phase: 'head' | 'body') {
    super(phase);
  }
}

/**
 * Sends a request and resolves when the head of the final answer has
 * arrived, whatever its status; the caller reads or cancels the body.
 *
 * Network failures (but not TLS certificate problems), no head within
 * `timeoutMs`, and statuses 408, 429, 500, 502, 503 and 504 are tried
 * again, per `retry`, after an exponential backoff with jitter, or after
 * the answer's Retry-After when it asks for longer. The last such answer
 * is returned as it is; the last network failure rejects as ClaroError
 * 'FETCH_FAILED' "Cannot fetch <what>: <METHOD> <url> <problem>", naming
 * the URL as `safeUrl` prints it and never a header value.
 *
 * Redirects are followed (at most 10), each hop held to `allowHttp`;
 * Authorization is not sent to another origin than the first.
 */
export async function request(
  url: string,
  opts: RequestOptions,
): Promise<HttpResponse> {
  const policy = opts.retry ?? DEFAULT_RETRY;
  const req = buildRequest(url, opts);
  for (let attempt = 1; ; attempt++) {
    const last = attempt >= policy.attempts;
    let answer: HttpResponse;
    try {
      answer = { ...(await follow(req, opts, attempt)), attempts: attempt };
    } catch (err) {
      if (last || !isRetryable(err)) throw withAttempts(err, attempt);
      await pause(opts, policy, attempt, { url, error: errorMessage(err) });
      continue;
    }

    const status = answer.res.status;
    if (last || !RETRY_STATUSES.has(status)) return answer;
    const wanted = retryAfterMs(answer.res.headers.get('retry-after'));
    if (wanted !== undefined && wanted > policy.maxDelayMs) return answer;
    answer.ctl.abort();
    await pause(opts, policy, attempt, { url, status }, wanted);
  }
}

/**
 * `url` fit for messages and logs: userinfo dropped, each query value
 * replaced by `***` (presigned URLs carry their signature there), no
 * fragment.
 */
export function safeUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return '(invalid URL)';
  }
  u.username = '';
  u.password = '';
  u.hash = '';
  const names = [...u.searchParams.keys()];
  if (names.length > 0) {
    u.search = names.map((n) => `${encodeURIComponent(n)}=***`).join('&');
  }
  return u.href;
}

/**
 * The error for a request that failed: "Cannot fetch <what>: GET <url>
 * <problem>", with " (<n> attempts)" when it was tried more than once.
 */
export function fetchError(
  opts: { readonly what: string; readonly method?: string },
  d: FailureDetail,
): ClaroError {
  const method = opts.method ?? 'GET';
  const tries =
    d.attempts !== undefined && d.attempts > 1
      ? ` (${d.attempts} attempts)`
      : '';
  return new ClaroError(
    'FETCH_FAILED',
    `Cannot fetch ${opts.what}: ${method} ${safeUrl(d.url)} ${d.problem}${tries}`,
    { cause: d.cause },
  );
}

/** What failed, for `fetchError`. */
export interface FailureDetail {
  readonly url: string;
  /** "answered 404 Not Found", "stopped sending for 60000 ms". */
  readonly problem: string;
  readonly attempts?: number;
  readonly cause?: unknown;
}

/** "answered 404 Not Found", "(redirected to <url>)" when it was. */
export function answered(r: HttpResponse): string {
  const { res } = r;
  const text = STATUS_CODES[res.status] ?? '';
  const status = `${res.status} ${text}`.trim();
  if (res.ok) return `answered ${status} without a body`;
  const moved = r.redirected ? ` (redirected to ${safeUrl(r.url)})` : '';
  return `answered ${status}${moved}`;
}

/**
 * What went wrong with a request, for the message: a timeout when
 * `signal` was aborted as Stalled, else the (network) error.
 */
export function reason(
  err: unknown,
  at: { readonly signal: AbortSignal; readonly timeoutMs: number },
): string {
  const { signal, timeoutMs } = at;
  const why: unknown = signal.aborted ? signal.reason : undefined;
  if (why instanceof Stalled) {
    return why.phase === 'head'
      ? `gave no answer within ${timeoutMs} ms`
      : `stopped sending for ${timeoutMs} ms`;
  }
  const cause = (err as { cause?: unknown } | undefined)?.cause;
  return `failed: ${describe(cause ?? err)}`;
}

/**
 * Whether a failure may pass if tried again: not a refused argument, not
 * a TLS certificate or protocol problem, which another try repeats.
 */
export function isRetryable(err: unknown): boolean {
  if (!(err instanceof ClaroError)) return !isTlsProblem(err);
  if (err.code !== 'FETCH_FAILED') return false;
  const cause = err.cause as { retryable?: boolean } | undefined;
  return cause?.retryable !== false && !isTlsProblem(cause);
}

/** True when a failure comes from TLS: a certificate or the handshake. */
export function isTlsProblem(err: unknown): boolean {
  const code = causeCode(err);
  return (
    code !== undefined &&
    (code.startsWith('ERR_SSL_') ||
      code.startsWith('ERR_TLS_') ||
      /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/.test(code))
  );
}

/** The `code` of an error or of the errors it was caused by. */
export function causeCode(err: unknown): string | undefined {
  for (let e = err, i = 0; e !== undefined && i < 5; i++) {
    const code = (e as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && code !== 'FETCH_FAILED') return code;
    e = (e as { cause?: unknown } | null)?.cause;
  }
  return undefined;
}

/** Header fields by lower-case name, several values joined. */
type Fields = Record<string, string>;

interface Prepared {
  readonly url: URL;
  readonly headers: Fields;
}

function buildRequest(url: string, opts: RequestOptions): Prepared {
  const bad = (why: string) =>
    new ClaroError('INVALID_ARGUMENT', `Cannot fetch ${opts.what}: ${why}`);
  const u = URL.canParse(url) ? new URL(url) : undefined;
  if (u?.protocol !== 'http:' && u?.protocol !== 'https:') {
    throw bad('not an absolute http(s) URL');
  }

  const headers: Fields = {};
  for (const [name, values] of Object.entries(opts.headers ?? {})) {
    const value = values.join(', ');
    if (!FIELD_NAME.test(name) || !FIELD_VALUE.test(value)) {
      throw bad(`header ${JSON.stringify(name)} has an invalid name or value`);
    }
    const key = name.toLowerCase();
    headers[key] = key in headers ? `${headers[key]}, ${value}` : value;
  }
  if (u.username !== '' || u.password !== '') {
    headers['authorization'] ??= basic(u.username, u.password);
    u.username = '';
    u.password = '';
  }
  return { url: u, headers };
}

/**
 * Userinfo in a URL is sent as Basic authorization (RFC 7617) unless an
 * Authorization field is given, as Go's HTTP client (Clair's) does.
 */
function basic(username: string, password: string): string {
  const pair = `${percentDecoded(username)}:${percentDecoded(password)}`;
  return `Basic ${Buffer.from(pair).toString('base64')}`;
}

function percentDecoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** One try: the request and its redirects, under one head timeout. */
async function follow(
  req: Prepared,
  opts: RequestOptions,
  attempt: number,
): Promise<HttpResponse> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS;
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(new Stalled('head')), timeoutMs);
  let url = req.url;
  let headers = req.headers;
  try {
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      checkScheme(url, opts, hop);
      const res = await send(url, headers, opts, ctl, hop);
      const next = redirectTarget(res, url);
      if (next === undefined) {
        return { res, ctl, url: url.href, redirected: hop > 0, attempts: 0 };
      }
      res.body.destroy();
      if (next.origin !== req.url.origin) headers = withoutAuth(headers);
      url = next;
    }
  } catch (err) {
    if (err instanceof ClaroError) throw err;
    throw fetchError(opts, {
      url: url.href,
      problem: reason(err, { signal: ctl.signal, timeoutMs }),
      attempts: attempt,
      cause: err,
    });
  } finally {
    clearTimeout(timer);
  }
  throw fetchError(opts, {
    url: req.url.href,
    problem: `redirected more than ${MAX_REDIRECTS} times`,
    cause: { retryable: false },
  });
}

async function send(
  url: URL,
  headers: Fields,
  opts: RequestOptions,
  ctl: AbortController,
  hop: number,
): Promise<HttpAnswer> {
  const post = opts.method === 'POST' && hop === 0;
  const r = await send1(url, {
    method: post ? 'POST' : 'GET',
    headers,
    signal: ctl.signal,
    // claro's own timers: undici's would also run while the consumer,
    // not the server, is slow.
    headersTimeout: 0,
    bodyTimeout: 0,
    ...(post && opts.body !== undefined ? { body: opts.body } : {}),
    ...(opts.dispatcher ? { dispatcher: opts.dispatcher } : {}),
  });
  // A body given up on (a retry, a redirect, an error answer) is aborted;
  // its error then has a listener even when nobody reads it.
  r.body.on('error', () => {});
  const fields = r.headers;
  return {
    status: r.statusCode,
    ok: r.statusCode >= 200 && r.statusCode < 300,
    headers: {
      get: (name) => {
        const v = fields[name.toLowerCase()];
        return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
      },
    },
    body: r.body,
  };
}

function checkScheme(url: URL, opts: RequestOptions, hop: number): void {
  if (url.protocol === 'https:') return;
  if (url.protocol === 'http:' && (opts.allowHttp?.(url) ?? true)) return;
  const problem =
    url.protocol === 'http:'
      ? 'plain HTTP is allowed only for loopback hosts, or with --insecure'
      : 'not an http(s) URL';
  const where = hop > 0 ? 'redirect to ' : '';
  throw new ClaroError(
    'FETCH_FAILED',
    `Cannot fetch ${opts.what}: ${where}${safeUrl(url.href)}: ${problem}`,
    { cause: { retryable: false } },
  );
}

function redirectTarget(res: HttpAnswer, from: URL): URL | undefined {
  if (![301, 302, 303, 307, 308].includes(res.status)) return undefined;
  const location = res.headers.get('location');
  if (location === null || !URL.canParse(location, from.href)) {
    return undefined;
  }
  return new URL(location, from);
}

function withoutAuth(headers: Fields): Fields {
  const { authorization: _, ...rest } = headers;
  return rest;
}

/** Already a ClaroError naming the URL; the count of tries is added. */
function withAttempts(err: unknown, attempts: number): unknown {
  if (!(err instanceof ClaroError) || attempts <= 1) return err;
  if (err.message.endsWith(' attempts)')) return err;
  return new ClaroError(err.code, `${err.message} (${attempts} attempts)`, {
    cause: err.cause,
  });
}

async function pause(
  opts: RequestOptions,
  policy: RetryPolicy,
  attempt: number,
  fields: Record<string, unknown>,
  wantedMs?: number,
): Promise<void> {
  const ms = Math.max(wantedMs ?? 0, backoffMs(policy, attempt));
  opts.log?.warn(
    { ...fields, url: safeUrl(String(fields['url'])), attempt, delayMs: ms },
    'retrying request',
  );
  await sleep(ms);
}

/** base * 2^(attempt-1), capped, between half and all of it. */
export function backoffMs(policy: RetryPolicy, attempt: number): number {
  const full = Math.min(
    policy.maxDelayMs,
    policy.baseDelayMs * 2 ** (attempt - 1),
  );
  return Math.round(full / 2 + (Math.random() * full) / 2);
}

/** Retry-After as delay-seconds or an HTTP-date (RFC 9110 10.2.3). */
export function retryAfterMs(
  value: string | null,
  now = Date.now(),
): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = /^[A-Za-z]{3}, /.test(text) ? Date.parse(text) : NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** A network error's message, or its code when it has none. */
function describe(err: unknown): string {
  const message = errorMessage(err);
  if (message !== '') return message;
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : 'unknown error';
}

/**
 * Reads a small body whole (a manifest, a token), failing with ClaroError
 * 'FETCH_FAILED' past `max` bytes or when the server is silent for
 * `timeoutMs` between chunks.
 */
export async function readBody(
  r: HttpResponse,
  opts: {
    readonly what: string;
    readonly max: number;
    readonly timeoutMs?: number;
  },
): Promise<Buffer> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS;
  const chunks: Buffer[] = [];
  let size = 0;
  const timer = setTimeout(() => r.ctl.abort(new Stalled('body')), timeoutMs);
  try {
    for await (const chunk of r.res.body) {
      timer.refresh();
      size += (chunk as Buffer).length;
      if (size > opts.max) {
        r.ctl.abort();
        throw fetchError(opts, {
          url: r.url,
          problem: `sent more than ${opts.max} bytes`,
          cause: { retryable: false },
        });
      }
      chunks.push(chunk as Buffer);
    }
  } catch (err) {
    if (err instanceof ClaroError) throw err;
    throw fetchError(opts, {
      url: r.url,
      problem: reason(err, { signal: r.ctl.signal, timeoutMs }),
      cause: err,
    });
  } finally {
    clearTimeout(timer);
  }
  return Buffer.concat(chunks);
}
