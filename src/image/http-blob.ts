import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClaroError } from '../errors.js';
import {
  DEFAULT_FETCH_TIMEOUT_MS,
  DEFAULT_RETRY,
  type HeaderFields,
  NO_RETRY,
  Stalled,
  answered,
  backoffMs,
  fetchError,
  isRetryable,
  reason,
  request,
  type HttpAnswer,
  type HttpResponse,
  type RequestOptions,
} from './http-request.js';

export {
  DEFAULT_FETCH_TIMEOUT_MS,
  safeUrl,
  type HeaderFields,
} from './http-request.js';

/** A blob download: `request`'s options, for a GET. */
export interface FetchBlobOptions extends Omit<
  RequestOptions,
  'method' | 'body'
> {
  /**
   * Longest wait for the response head, then for each chunk of the body;
   * DEFAULT_FETCH_TIMEOUT_MS when absent.
   */
  readonly timeoutMs?: number;
  /**
   * Called once when the first answer is 401, as when a registry token
   * expired: new header fields to try again with, or undefined to fail.
   */
  readonly reauthorize?: () => Promise<HeaderFields | undefined>;
}

/**
 * GETs `url` and streams its body as it arrives: memory holds a few
 * chunks, never the whole blob. The request follows `request`'s rules
 * (redirects, retries of failed or retryable answers before any body
 * byte, `allowHttp`, TLS through `dispatcher`).
 *
 * A body that stops (silent for `timeoutMs`, or cut) is resumed where it
 * stopped only when that is safe: the server announced byte ranges
 * (`Accept-Ranges: bytes`), and answers the Range request (RFC 9110
 * section 14) with 206 from that very byte, under `If-Range` with the
 * first answer's strong ETag when it had one. Each resume counts as a
 * try of `retry`.
 *
 * Failures reject, or are emitted by the stream, as ClaroError
 * 'FETCH_FAILED': a non-2xx answer, a network error, no response head
 * within `timeoutMs`, or a body silent for `timeoutMs`. Their messages
 * name the URL as `safeUrl` prints it and never a header value, with the
 * number of tries when there were several.
 *
 * Userinfo in the URL is sent as Basic authorization (RFC 7617) unless
 * `headers` has an Authorization field, as Go's HTTP client (Clair's)
 * does. A URL that is not absolute http(s), or a header that HTTP cannot
 * carry, throws ClaroError 'INVALID_ARGUMENT' before anything is sent.
 */
export async function fetchBlob(
  url: string,
  opts: FetchBlobOptions,
): Promise<Readable> {
  let first = await request(url, opts);
  if (first.res.status === 401 && opts.reauthorize) {
    first.ctl.abort();
    const headers = await opts.reauthorize();
    if (headers) {
      opts = { ...opts, headers };
      first = await request(url, opts);
    }
  }
  if (!first.res.ok) {
    first.ctl.abort();
    throw fetchError(opts, {
      url,
      problem: answered(first),
      attempts: first.attempts,
    });
  }
  return new BlobStream(first, { url, opts });
}

interface BlobStreamOptions {
  readonly url: string;
  readonly opts: FetchBlobOptions;
}

/**
 * A response body as a Node Readable. The body pauses while the consumer
 * is behind, so backpressure reaches the socket; the idle timer runs only
 * while the server is awaited, not while the consumer is slow. Destroying
 * the stream aborts the request.
 */
class BlobStream extends Readable {
  private current!: HttpResponse;
  private received = 0;
  private tries: number;
  private timer: NodeJS.Timeout | undefined;
  private readonly etag: string | undefined;
  private readonly ranges: boolean;

  constructor(
    first: HttpResponse,
    private readonly o: BlobStreamOptions,
  ) {
    super({ highWaterMark: 1 << 20 });
    this.tries = first.attempts;
    this.ranges = /\bbytes\b/i.test(
      first.res.headers.get('accept-ranges') ?? '',
    );
    this.etag = strongEtag(first.res.headers.get('etag'));
    this.attach(first);
  }

  override _read(): void {
    const body = this.current.res.body;
    if (!body.isPaused()) return;
    this.arm();
    body.resume();
  }

  override _destroy(
    err: Error | null,
    cb: (error?: Error | null) => void,
  ): void {
    this.disarm();
    this.current.ctl.abort();
    cb(err);
  }

  private get timeoutMs(): number {
    return this.o.opts.timeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS;
  }

  /** Streams `r`'s body on, until it ends, fails or is replaced. */
  private attach(r: HttpResponse): void {
    this.current = r;
    const body = r.res.body;
    const mine = () => this.current === r && !this.destroyed;
    body.on('data', (chunk: Buffer) => {
      if (!mine()) return;
      this.received += chunk.length;
      if (this.push(chunk)) return this.arm();
      body.pause();
      this.disarm();
    });
    body.on('end', () => {
      if (!mine()) return;
      this.disarm();
      this.push(null);
    });
    body.on('error', (err) => {
      if (!mine()) return;
      this.disarm();
      void this.recover(err, r.ctl.signal);
    });
    this.arm();
  }

  /** (Re)starts the wait for the server's next chunk. */
  private arm(): void {
    if (this.timer) return void this.timer.refresh();
    this.timer = setTimeout(
      () => this.current.ctl.abort(new Stalled('body')),
      this.timeoutMs,
    );
  }

  private disarm(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** After a failed read: resume when safe, else fail the stream. */
  private async recover(err: unknown, signal: AbortSignal): Promise<void> {
    const problem = reason(err, { signal, timeoutMs: this.timeoutMs });
    const policy = this.o.opts.retry ?? DEFAULT_RETRY;
    const fail = (cause: unknown, why = problem): ClaroError =>
      fetchError(this.o.opts, {
        url: this.o.url,
        problem: why,
        attempts: this.tries,
        cause,
      });
    if (!this.ranges || this.tries >= policy.attempts || !isRetryable(err)) {
      return void this.destroy(fail(err));
    }

    try {
      await this.resumeBody(policy, problem);
    } catch (resumeErr) {
      if (!this.destroyed) this.destroy(resumeErr as Error);
      return;
    }
  }

  /** Asks for the rest of the body, trying while tries remain. */
  private async resumeBody(
    policy: typeof DEFAULT_RETRY,
    problem: string,
  ): Promise<void> {
    const { url, opts } = this.o;
    for (;;) {
      await sleep(backoffMs(policy, this.tries));
      this.tries++;
      opts.log?.warn(
        { attempt: this.tries, offset: this.received },
        'resuming download',
      );
      const next = await this.requestRest().catch((err: unknown) => err);
      if (isResponse(next) && this.continues(next.res)) {
        return this.attach(next);
      }
      if (isResponse(next)) next.ctl.abort();
      const why = isResponse(next)
        ? `${problem}, and could not be resumed: ${answered(next)}`
        : problem;
      const last = this.tries >= policy.attempts;
      if (last || (!isResponse(next) && !isRetryable(next))) {
        throw fetchError(opts, {
          url,
          problem: why,
          attempts: this.tries,
          cause: next,
        });
      }
    }
  }

  private requestRest(): Promise<HttpResponse> {
    const { url, opts } = this.o;
    const headers = {
      ...opts.headers,
      Range: [`bytes=${this.received}-`],
      ...(this.etag ? { 'If-Range': [this.etag] } : {}),
    };
    return request(url, { ...opts, headers, retry: NO_RETRY });
  }

  /** A 206 whose range starts at the first byte not yet received. */
  private continues(res: HttpAnswer): boolean {
    const range = /^bytes (\d+)-/.exec(res.headers.get('content-range') ?? '');
    return (
      res.status === 206 && range !== null && Number(range[1]) === this.received
    );
  }
}

function isResponse(x: unknown): x is HttpResponse {
  return typeof x === 'object' && x !== null && 'res' in x && 'ctl' in x;
}

/** A strong entity tag (RFC 9110 section 8.8.3): If-Range needs one. */
function strongEtag(etag: string | null): string | undefined {
  return etag !== null && etag.startsWith('"') ? etag : undefined;
}
