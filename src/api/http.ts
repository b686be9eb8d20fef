/**
 * HTTP plumbing shared by the API's routes: JSON answers, Clair's error
 * body, bodies read under a byte limit, and conditional requests.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ERROR_CATALOGUE, isClaroError } from '../errors.js';

/** Extra header fields of an answer. */
export type Headers = Readonly<Record<string, string>>;

/**
 * An answer other than success, thrown by a route and written by the
 * server as Clair's error body.
 */
export class HttpError extends Error {
  readonly status: number;
  readonly headers: Headers;

  constructor(status: number, message: string, headers: Headers = {}) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.headers = headers;
  }
}

/**
 * Clair's error codes by status (its httptransport writes `bad-request`,
 * `method-not-allowed`, `not-found`, `too-many-requests`, else
 * `internal-error`); claro adds `unauthorized` and `content-too-large`
 * (RFC 9110 section 15.5.14) for answers Clair gives without a body.
 */
const ERROR_CODES: Readonly<Record<number, string>> = {
  400: 'bad-request',
  401: 'unauthorized',
  404: 'not-found',
  405: 'method-not-allowed',
  413: 'content-too-large',
  429: 'too-many-requests',
};

/** The `code` of Clair's error body for an HTTP status. */
export function errorCode(status: number): string {
  return ERROR_CODES[status] ?? 'internal-error';
}

/**
 * The HttpError a thrown value answers as: an HttpError as it is; a
 * ClaroError by its catalogue status when that is 400 or 404 (the
 * caller's mistake), else 500; anything else undefined (a bug).
 */
export function asHttpError(err: unknown): HttpError | undefined {
  if (err instanceof HttpError) return err;
  if (!isClaroError(err)) return undefined;
  const status = ERROR_CATALOGUE[err.code].http;
  const known = status === 400 || status === 404;
  return new HttpError(known ? status : 500, err.message);
}

/** Writes `body` as JSON with `status`. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Headers = {},
): void {
  sendJsonText(res, status, JSON.stringify(body), headers);
}

/** Writes JSON already encoded, as text or UTF-8 bytes, with `status`. */
export function sendJsonText(
  res: ServerResponse,
  status: number,
  text: string | Buffer,
  headers: Headers = {},
): void {
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(text);
}

/** Writes Clair's error body `{"code", "message"}`. */
export function sendError(res: ServerResponse, err: HttpError): void {
  const body = { code: errorCode(err.status), message: err.message };
  sendJson(res, err.status, body, err.headers);
}

/** Writes an answer without a body (204, 304). */
export function sendEmpty(
  res: ServerResponse,
  status: number,
  headers: Headers = {},
): void {
  res.writeHead(status, headers);
  res.end();
}

/**
 * Reads the whole body, at most `limit` bytes: a larger Content-Length is
 * refused before reading, and a body growing past the limit as it
 * arrives; both throw HttpError 413. The rest of a refused body is read
 * and dropped (Node does so for an unread one), never kept, so the
 * connection stays usable and the client sees the answer; the server's
 * request timeout bounds how long that lasts.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = () =>
    new HttpError(413, `Request body exceeds ${limit} bytes`);
  if (Number(req.headers['content-length'] ?? 0) > limit) {
    return Promise.reject(tooLarge());
  }

  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      req.off('data', onData).off('end', onEnd).resume();
      reject(tooLarge());
    };
    const onEnd = () => resolve(Buffer.concat(chunks, size));
    req.on('data', onData).on('end', onEnd).on('error', reject);
  });
}

/** Reads and decodes a JSON body; malformed JSON throws HttpError 400. */
export async function readJson(
  req: IncomingMessage,
  limit: number,
): Promise<unknown> {
  const body = await readBody(req, limit);
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new HttpError(400, `Cannot read request body: not JSON: ${why}`);
  }
}

/** `"<value>"`: a strong entity tag (RFC 9110 section 8.8.3). */
export function entityTag(value: string): string {
  return `"${value}"`;
}

/**
 * Whether If-None-Match names `tag` or is `*`: then a GET answers 304.
 * Comparison is weak, as RFC 9110 section 13.1.2 requires.
 */
export function notModified(req: IncomingMessage, tag: string): boolean {
  const field = req.headers['if-none-match'];
  if (field === undefined) return false;
  if (field.trim() === '*') return true;
  const opaque = (t: string) => t.trim().replace(/^W\//, '');
  return field.split(',').some((t) => opaque(t) === opaque(tag));
}
