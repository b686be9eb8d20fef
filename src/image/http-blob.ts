import { STATUS_CODES } from 'node:http';
import { Readable } from 'node:stream';
import { ClaroError, errorMessage } from '../errors.js';

/** Wait for an answer, and between two chunks of a body, by default. */
export const DEFAULT_FETCH_TIMEOUT_MS = 60_000;

/** HTTP header fields to send: each name with one or more values. */
export type HeaderFields = Readonly<Record<string, readonly string[]>>;

export interface FetchBlobOptions {
  /** Names the blob in errors: `layer sha256:<hex>`. */
  readonly what: string;
  /** Sent with the request; never shown in errors or logs. */
  readonly headers?: HeaderFields;
  /**
   * Longest wait for the response head, then for each chunk of the body;
   * DEFAULT_FETCH_TIMEOUT_MS when absent.
   */
  readonly timeoutMs?: number;
}

/** Why a request was aborted, kept as the AbortSignal's reason. */
class Stalled extends Error {
  constructor(readonly phase: 'head' | 'body') {
    super(phase);
  }
}

/**
 * GETs `url` (http or https, redirects followed) and streams its body as
 * it arrives: memory holds a few chunks, never the whole blob.
 *
 * Failures reject, or are emitted by the stream, as ClaroError
 * 'FETCH_FAILED': a non-2xx answer, a network error, no response head
 * within `timeoutMs`, or a body silent for `timeoutMs`. Their messages
 * name the URL as `safeUrl` prints it and never a header value.
 *
 * Userinfo in the URL is sent as Basic authorization (RFC 7617) unless
 * `headers` has an Authorization field, as Go's HTTP client (Clair's)
 * does; fetch itself refuses URLs carrying credentials.
 *
 * A URL that is not absolute http(s), or a header that HTTP cannot carry,
 * throws ClaroError 'INVALID_ARGUMENT' before anything is sent.
 */
export async function fetchBlob(
  url: string,
  opts: FetchBlobOptions,
): Promise<Readable> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS;
  const req = buildRequest(url, opts.headers ?? {}, opts.what);
  const fail = failure(url, opts.what);
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(new Stalled('head')), timeoutMs);

  let res: Response;
  try {
    res = await fetch(req.url, { headers: req.headers, signal: ctl.signal });
  } catch (err) {
    throw fail(reason(err, ctl.signal, timeoutMs), err);
  } finally {
    clearTimeout(timer);
  }

  if (!res.ok || res.body === null) {
    ctl.abort();
    throw fail(answered(res));
  }
  return new BlobStream(res.body.getReader(), {
    ctl,
    timeoutMs,
    fail: (err) => fail(reason(err, ctl.signal, timeoutMs), err),
  });
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

function buildRequest(url: string, fields: HeaderFields, what: string) {
  const bad = (why: string) =>
    new ClaroError('INVALID_ARGUMENT', `Cannot fetch ${what}: ${why}`);
  const u = URL.canParse(url) ? new URL(url) : undefined;
  if (u?.protocol !== 'http:' && u?.protocol !== 'https:') {
    throw bad('not an absolute http(s) URL');
  }

  const headers = new Headers();
  for (const [name, values] of Object.entries(fields)) {
    try {
      for (const v of values) headers.append(name, v);
    } catch {
      throw bad(`header ${JSON.stringify(name)} has an invalid name or value`);
    }
  }
  if (u.username !== '' || u.password !== '') {
    if (!headers.has('authorization')) {
      headers.set('authorization', basic(u.username, u.password));
    }
    u.username = '';
    u.password = '';
  }
  return { url: u.href, headers };
}

/** Basic credentials from a URL's (percent-encoded) userinfo. */
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

function failure(url: string, what: string) {
  const get = `GET ${safeUrl(url)}`;
  return (problem: string, cause?: unknown) =>
    new ClaroError('FETCH_FAILED', `Cannot fetch ${what}: ${get} ${problem}`, {
      cause,
    });
}

function answered(res: Response): string {
  const text = res.statusText || STATUS_CODES[res.status] || '';
  const status = `${res.status} ${text}`.trim();
  if (res.ok) return `answered ${status} without a body`;
  const moved = res.redirected ? ` (redirected to ${safeUrl(res.url)})` : '';
  return `answered ${status}${moved}`;
}

/** What went wrong, for the message; `cause` kept as the error's cause. */
function reason(err: unknown, signal: AbortSignal, timeoutMs: number) {
  const why: unknown = signal.aborted ? signal.reason : undefined;
  if (why instanceof Stalled) {
    return why.phase === 'head'
      ? `gave no answer within ${timeoutMs} ms`
      : `stopped sending for ${timeoutMs} ms`;
  }
  const cause = (err as { cause?: unknown } | undefined)?.cause;
  return `failed: ${describe(cause ?? err)}`;
}

/** A network error's message, or its code when it has none. */
function describe(err: unknown): string {
  const message = errorMessage(err);
  if (message !== '') return message;
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : 'unknown error';
}

interface BlobStreamOptions {
  readonly ctl: AbortController;
  readonly timeoutMs: number;
  readonly fail: (err: unknown) => ClaroError;
}

/**
 * A response body as a Node Readable. Only one read is pending at a time,
 * so backpressure reaches the socket; the idle timer runs only while the
 * server is awaited, not while the consumer is slow. Destroying the stream
 * aborts the request.
 */
class BlobStream extends Readable {
  constructor(
    private readonly reader: ReadableStreamDefaultReader<Uint8Array>,
    private readonly opts: BlobStreamOptions,
  ) {
    super();
  }

  override _read(): void {
    void this.pull();
  }

  override _destroy(
    err: Error | null,
    cb: (error?: Error | null) => void,
  ): void {
    this.opts.ctl.abort();
    cb(err);
  }

  private async pull(): Promise<void> {
    const { ctl, timeoutMs, fail } = this.opts;
    const idle = () => ctl.abort(new Stalled('body'));
    const timer = setTimeout(idle, timeoutMs);
    try {
      const { done, value } = await this.reader.read();
      if (this.destroyed) return;
      if (done) this.push(null);
      else this.push(Buffer.from(value.buffer, value.byteOffset, value.length));
    } catch (err) {
      if (!this.destroyed) this.destroy(fail(err));
    } finally {
      clearTimeout(timer);
    }
  }
}
