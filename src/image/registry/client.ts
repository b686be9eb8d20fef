/**
 * A client of one repository of a registry speaking the OCI distribution
 * spec (v1.1: "Determining support", "Pulling manifests", "Pulling
 * blobs") with Docker's token authentication: the API version check,
 * anonymous, Basic and Bearer access, manifests verified against their
 * digest, and blobs streamed through the shared fetch path.
 */
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { ClaroError, errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';
import { MEDIA_TYPES, documentKind, sha256Digest } from '../descriptors.js';
import type { DocumentKind } from '../descriptors.js';
import { fetchBlob } from '../http-blob.js';
import {
  NO_RETRY,
  answered,
  causeCode,
  fetchError,
  httpAgent,
  isTlsProblem,
  readBody,
  request,
  type HeaderFields,
  type HttpResponse,
  type RequestOptions,
  type RetryPolicy,
} from '../http-request.js';
import { MAX_JSON } from '../oci.js';
import { authenticate, type AuthContext } from './auth.js';
import { cannotPull, namingReference, refused } from './errors.js';
import { parseChallenges, type Challenge } from './challenge.js';
import type { Credentials, HelperMiss } from './credentials.js';
import { formatReference, type ImageReference } from './reference.js';

/** How to reach a registry: credentials, TLS, patience. */
export interface RegistryOptions {
  readonly credentials?: Credentials;
  /** The credential helper docker's config names, which gave none. */
  readonly helper?: HelperMiss;
  /** Plain HTTP to any host, and any TLS certificate accepted. */
  readonly insecure?: boolean;
  /** PEM certificates to trust besides Node's own roots. */
  readonly ca?: string;
  /** Longest wait for an answer, and between two chunks of a body. */
  readonly timeoutMs?: number;
  readonly retry?: RetryPolicy;
  readonly log?: Logger;
}

/** A manifest or index as the registry served it, verified. */
export interface FetchedManifest {
  /** `sha256:<hex>` of the bytes served. */
  readonly digest: string;
  readonly kind: DocumentKind;
  readonly doc: unknown;
}

/** What the registry is asked to send for a manifest. */
const ACCEPT = [
  MEDIA_TYPES.ociManifest,
  MEDIA_TYPES.ociIndex,
  MEDIA_TYPES.dockerManifest,
  MEDIA_TYPES.dockerList,
].join(', ');

/** Connection settings shared by every request to one registry. */
interface Transport {
  readonly dispatcher?: Dispatcher;
  readonly allowHttp: (url: URL) => boolean;
  readonly timeoutMs?: number;
  readonly retry?: RetryPolicy;
  readonly log?: Logger;
}

/** One repository of one registry, with the access it was granted. */
export class RegistryClient {
  private constructor(
    readonly ref: ImageReference,
    /** `https://host[:port]` (or http, for loopback or `--insecure`). */
    readonly base: string,
    private auth: HeaderFields,
    private challenge: Challenge | undefined,
    private readonly ctx: AuthContext,
    private readonly transport: Transport,
  ) {}

  /**
   * Checks the API version (`GET /v2/`) over HTTPS, or over plain HTTP
   * when HTTPS fails and the host is loopback or `insecure` is set, and
   * gets the access the answer's challenge asks for.
   */
  static async connect(
    ref: ImageReference,
    opts: RegistryOptions = {},
  ): Promise<RegistryClient> {
    const transport = transportOf(opts);
    const ctx: AuthContext = {
      ref,
      transport: requestOptions(transport),
      ...(opts.credentials ? { credentials: opts.credentials } : {}),
      ...(opts.helper ? { helper: opts.helper } : {}),
    };
    const { base, answer } = await ping(ref, transport).catch((err) => {
      throw namingReference(ref, err);
    });
    const challenge = challengeOf(answer);
    const auth = challenge ? await authenticate(challenge, ctx) : {};
    return new RegistryClient(ref, base, auth, challenge, ctx, transport);
  }

  /** Header fields that grant pull access: for blobs, and Clair. */
  get authorization(): HeaderFields {
    return this.auth;
  }

  /**
   * Fetches the manifest or index `pin` (a tag or a digest) and checks
   * its bytes against the digest asked for, and against the registry's
   * `Docker-Content-Digest`. A missing one throws 'NOT_FOUND', refused
   * access 'UNAUTHORIZED', other failures 'FETCH_FAILED', a wrong digest
   * 'DIGEST_MISMATCH' and bytes that are not JSON 'INVALID_IMAGE'.
   */
  async manifest(pin: string): Promise<FetchedManifest> {
    const url = `${this.base}/v2/${this.ref.repository}/manifests/${pin}`;
    const what = `manifest ${pin} of ${formatReference(this.ref)}`;
    const ask = () => ({
      ...requestOptions(this.transport),
      what,
      headers: { ...this.auth, Accept: [ACCEPT] },
    });
    let r = await request(url, ask());
    if (r.res.status === 401 && (await this.challenged(r))) {
      r = await request(url, ask());
    }
    if (!r.res.ok) throw await this.refusal(r, ask(), url);
    const body = await readBody(r, { ...ask(), max: MAX_JSON });

    const digest = sha256Digest(body);
    const served = r.res.headers.get('docker-content-digest');
    for (const want of [pin, served]) {
      if (want?.startsWith('sha256:') && want !== digest) {
        throw this.fail(
          'DIGEST_MISMATCH',
          `manifest ${want} hashes to ${digest}`,
        );
      }
    }
    const doc = parseJson(body, (why) => this.fail('INVALID_IMAGE', why));
    const kind = documentKind(doc, r.res.headers.get('content-type') ?? '');
    return { digest, kind, doc };
  }

  /** Where the blob is, for a Clair manifest. */
  blobUrl(digest: string): string {
    return `${this.base}/v2/${this.ref.repository}/blobs/${digest}`;
  }

  /**
   * Streams a blob as stored (see `fetchBlob`); a 401, as when a token
   * expired, gets a new token once. The caller checks the digest;
   * `what` names the blob in errors.
   */
  openBlob(digest: string, what = 'layer'): Promise<Readable> {
    return fetchBlob(this.blobUrl(digest), {
      ...requestOptions(this.transport),
      what: `${what} ${digest} of ${formatReference(this.ref)}`,
      headers: this.auth,
      reauthorize: () => this.reauthorize(),
    });
  }

  /**
   * A small JSON blob (an image config), read whole (at most MAX_JSON
   * bytes) and checked against its digest.
   */
  async jsonBlob(digest: string, what: string): Promise<unknown> {
    const stream = await this.openBlob(digest, what);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of stream) {
      size += (chunk as Buffer).length;
      if (size > MAX_JSON) {
        stream.destroy();
        throw this.fail(
          'INVALID_IMAGE',
          `${what} ${digest} is larger than ${MAX_JSON} bytes`,
        );
      }
      chunks.push(chunk as Buffer);
    }
    const body = Buffer.concat(chunks);
    const got = sha256Digest(body);
    if (got !== digest) {
      throw this.fail('DIGEST_MISMATCH', `${what} ${digest} hashes to ${got}`);
    }
    return parseJson(
      body,
      (why) => this.fail('INVALID_IMAGE', why),
      `${what} ${digest}`,
    );
  }

  /** A ClaroError "Cannot pull <reference>: <why>". */
  fail(code: ClaroError['code'], why: string): ClaroError {
    return cannotPull(this.ref, why, { code });
  }

  /**
   * After a 401: true when it carries a challenge other than the one
   * answered (a registry that lets anyone check its API version but asks
   * for a token per repository), now answered.
   */
  private async challenged(r: HttpResponse): Promise<boolean> {
    const next = challengeOf(r);
    const same =
      next?.scheme === this.challenge?.scheme &&
      next?.params['realm'] === this.challenge?.params['realm'];
    if (next === undefined || same) return false;
    this.challenge = next;
    this.auth = await authenticate(next, this.ctx);
    return true;
  }

  private async reauthorize(): Promise<HeaderFields | undefined> {
    if (this.challenge?.scheme !== 'bearer') return undefined;
    this.auth = await authenticate(this.challenge, this.ctx);
    return this.auth;
  }

  /** The error for a manifest request that was not answered 2xx. */
  private async refusal(
    r: HttpResponse,
    opts: RequestOptions,
    url: string,
  ): Promise<ClaroError> {
    const status = r.res.status;
    const code = await errorCodeOf(r);
    const host = this.ref.registry;
    if (status === 401) return refused(this.ctx, `${status}`);
    if (status === 403) {
      return this.fail('UNAUTHORIZED', `registry ${host} denied access (403)`);
    }
    if (status === 404) {
      const name = code ? `404 ${code}` : '404';
      return this.fail(
        'NOT_FOUND',
        `registry ${host} has no such image (${name})`,
      );
    }
    return fetchError(opts, {
      url,
      problem: answered(r),
      attempts: r.attempts,
    });
  }
}

/** True for a host reached over loopback, which may use plain HTTP. */
export function isLoopback(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return (
    h === 'localhost' ||
    h.endsWith('.localhost') ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) ||
    h === '[::1]'
  );
}

function transportOf(opts: RegistryOptions): Transport {
  const tls = opts.ca !== undefined || opts.insecure === true;
  return {
    ...(tls
      ? {
          dispatcher: httpAgent({
            ...(opts.ca !== undefined ? { ca: opts.ca } : {}),
            insecure: opts.insecure === true,
          }),
        }
      : {}),
    allowHttp: (url) => opts.insecure === true || isLoopback(url.hostname),
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    ...(opts.retry !== undefined ? { retry: opts.retry } : {}),
    ...(opts.log !== undefined ? { log: opts.log } : {}),
  };
}

function requestOptions(t: Transport): Omit<RequestOptions, 'what'> {
  return {
    allowHttp: t.allowHttp,
    ...(t.dispatcher ? { dispatcher: t.dispatcher } : {}),
    ...(t.timeoutMs !== undefined ? { timeoutMs: t.timeoutMs } : {}),
    ...(t.retry !== undefined ? { retry: t.retry } : {}),
    ...(t.log !== undefined ? { log: t.log } : {}),
  };
}

/**
 * `GET /v2/` over HTTPS; over HTTP when that fails for a reason other
 * than the certificate and HTTP is allowed for the host (as docker does
 * for its insecure registries).
 */
async function ping(
  ref: ImageReference,
  t: Transport,
): Promise<{ base: string; answer: HttpResponse }> {
  const what = `the API of registry ${ref.registry}`;
  const secure = `https://${ref.endpoint}`;
  const plain = `http://${ref.endpoint}`;
  const httpOk = t.allowHttp(new URL(plain));
  const opts = { ...requestOptions(t), what };
  try {
    const retry = httpOk ? NO_RETRY : t.retry;
    const answer = await request(`${secure}/v2/`, {
      ...opts,
      ...(retry ? { retry } : {}),
    });
    return { base: secure, answer: checkPing(ref, answer, opts) };
  } catch (err) {
    if (isTlsProblem(err) && !isProtocolMismatch(err)) {
      throw untrusted(ref, err);
    }
    if (!httpOk) throw withHttpHint(err);
  }
  const answer = await request(`${plain}/v2/`, opts);
  return { base: plain, answer: checkPing(ref, answer, opts) };
}

/** An HTTPS client talking to a plain HTTP server: not a trust problem. */
function isProtocolMismatch(err: unknown): boolean {
  const code = causeCode(err) ?? '';
  return /WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|HTTP_REQUEST/.test(code);
}

function checkPing(
  ref: ImageReference,
  answer: HttpResponse,
  opts: RequestOptions,
): HttpResponse {
  const status = answer.res.status;
  if (status === 200 || status === 401) return answer;
  answer.ctl.abort();
  throw fetchError(opts, {
    url: answer.url,
    problem: `${answered(answer)}: not a registry API (OCI distribution spec)`,
    attempts: answer.attempts,
  });
}

function challengeOf(answer: HttpResponse): Challenge | undefined {
  answer.ctl.abort();
  if (answer.res.status !== 401) return undefined;
  const all = parseChallenges(answer.res.headers.get('www-authenticate') ?? '');
  return (
    all.find((c) => c.scheme === 'bearer') ??
    all.find((c) => c.scheme === 'basic') ?? { scheme: 'basic', params: {} }
  );
}

function untrusted(ref: ImageReference, err: unknown): ClaroError {
  const code = causeCode(err) ?? errorMessage(err);
  return cannotPull(
    ref,
    `the TLS certificate of registry ${ref.registry} is not trusted ` +
      `(${code}): give its CA with --ca-file, or --insecure`,
    { code: 'FETCH_FAILED', cause: err },
  );
}

function withHttpHint(err: unknown): unknown {
  if (!(err instanceof ClaroError)) return err;
  return new ClaroError(
    err.code,
    `${err.message} (plain HTTP is tried only for loopback hosts, or with --insecure)`,
    { cause: err.cause },
  );
}

/** The first error code of a registry's JSON error body, if any. */
async function errorCodeOf(r: HttpResponse): Promise<string | undefined> {
  try {
    const body = await readBody(r, { what: 'error', max: 64 * 1024 });
    const doc = JSON.parse(body.toString('utf8')) as {
      errors?: { code?: unknown }[];
    };
    const code = doc.errors?.[0]?.code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  } finally {
    r.ctl.abort();
  }
}

function parseJson(
  body: Buffer,
  fail: (why: string) => ClaroError,
  what = 'the manifest',
): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw fail(`${what} is not valid JSON (${errorMessage(err)})`);
  }
}
