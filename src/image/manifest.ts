/**
 * Clair v4 manifests, the body of `POST /indexer/api/v1/index_report`
 * (Clair's openapi, schema `Manifest`):
 * `{ hash, layers: [{ hash, uri, headers: { name: [value, ...] },
 * media_type }] }`. Each layer is fetched from its `uri` with its
 * `headers`, which usually carry the registry's authorization.
 */
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { ClaroError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import { fetchBlob, safeUrl, type HeaderFields } from './http-blob.js';
import type { RetryPolicy } from './http-request.js';
import type { ImageSource, LayerSource } from './source.js';

/** One layer of a Clair manifest, as parsed. */
export interface ClairLayer {
  /** `sha256:<hex>`: the digest of the blob's bytes as served. */
  readonly hash: string;
  /** Absolute http(s) URL of the blob. */
  readonly uri: string;
  /** Sent with the GET; secrets, never logged. */
  readonly headers: HeaderFields;
  /** Informative: the layer reader recognises compression by content. */
  readonly mediaType?: string;
}

/** A Clair manifest, as parsed: layers bottom first, at least one. */
export interface ClairManifest {
  /** `sha256:<hex>` or `sha512:<hex>`; the index report's key. */
  readonly hash: string;
  readonly layers: readonly ClairLayer[];
}

/** Digests Clair accepts for a manifest (claircore's digest algorithms). */
const MANIFEST_DIGEST = /^(?:sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;
const SHA256_DIGEST = /^sha256:[a-f0-9]{64}$/;
const SHA512_DIGEST = /^sha512:[a-f0-9]{128}$/;
/** Header field name: a token (RFC 9110, section 5.1 and 5.6.2). */
const FIELD_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Header field value: visible ASCII, obs-text, SP, HTAB (RFC 9110, 5.5). */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

const HEX_DIGEST = 'expected sha256:<64 hex digits> or sha512:<128 hex digits>';

function text(what: string) {
  return z.string({
    error: (iss) =>
      iss.input === undefined ? `missing ${what}` : `${what} is not a string`,
  });
}

const manifestHash = text('hash').regex(MANIFEST_DIGEST, HEX_DIGEST);

/**
 * TODO(image): the layer reader hashes with sha256 only, so a sha512
 * layer digest could never verify; it is refused here, clearly, until the
 * reader learns sha512.
 */
const layerHash = text('hash').superRefine((hash, ctx) => {
  if (SHA256_DIGEST.test(hash)) return;
  const message = SHA512_DIGEST.test(hash)
    ? 'sha512 layer digests are not supported yet, only sha256'
    : HEX_DIGEST;
  ctx.addIssue({ code: 'custom', message });
});

const uri = text('uri').refine(isHttpUrl, 'not an absolute http(s) URL');

const headers = z
  .record(
    z.string().regex(FIELD_NAME),
    z.array(
      z
        .string({ error: 'header values must be strings' })
        .regex(FIELD_VALUE, 'header value holds a character HTTP forbids'),
      { error: 'expected a list of header values' },
    ),
    {
      error: (iss) =>
        iss.code === 'invalid_key'
          ? 'not a valid header name'
          : 'expected an object of header names to lists of values',
    },
  )
  .nullish();

const layer = z.object(
  {
    hash: layerHash,
    uri,
    headers,
    media_type: z.string({ error: 'media_type is not a string' }).nullish(),
  },
  { error: 'expected a layer object' },
);

const manifest = z.object(
  {
    hash: manifestHash,
    layers: z
      .array(layer, {
        error: (iss) =>
          iss.input == null ? 'manifest has no layers' : 'expected an array',
      })
      .min(1, 'manifest has no layers'),
  },
  { error: 'expected a manifest object' },
);

/**
 * Parses a Clair manifest from a decoded JSON body. Problems throw
 * ClaroError 'INVALID_ARGUMENT' "Cannot read manifest: <path>: <problem>",
 * naming the first problem found and never a header value or a URI.
 */
export function parseManifest(body: unknown): ClairManifest {
  const parsed = manifest.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? pathText(issue.path) : 'body';
    throw new ClaroError(
      'INVALID_ARGUMENT',
      `Cannot read manifest: ${where}: ${issue?.message ?? 'invalid'}`,
      { cause: parsed.error },
    );
  }
  return {
    hash: parsed.data.hash,
    layers: parsed.data.layers.map((l) => ({
      hash: l.hash,
      uri: l.uri,
      headers: l.headers ?? {},
      ...(l.media_type != null ? { mediaType: l.media_type } : {}),
    })),
  };
}

export interface ManifestSourceOptions {
  /**
   * Longest wait for a layer's response head, and between two chunks of
   * its body; 60 s by default.
   */
  readonly timeoutMs?: number;
  /** Tries of each layer fetch; `DEFAULT_RETRY` when absent. */
  readonly retry?: RetryPolicy;
  readonly log?: Logger;
}

/**
 * The image a Clair manifest describes. Each layer opens by an HTTP GET of
 * its `uri` with its `headers`, streamed (see `fetchBlob` for timeouts,
 * retries and errors, all ClaroError 'FETCH_FAILED'): the same fetch path
 * as a registry pull.
 *
 * The layer's digest is not checked here: the layer reader hashes every
 * blob as it streams it and, at its end, throws ClaroError
 * 'DIGEST_MISMATCH' "Cannot read layer <digest>: its bytes hash to
 * <actual>" when the bytes do not match, so nothing is indexed or stored
 * from a blob the manifest does not name.
 */
export function manifestSource(
  m: ClairManifest,
  opts: ManifestSourceOptions = {},
): ImageSource {
  const log = (opts.log ?? silentLogger()).child({ manifest: m.hash });
  return {
    kind: 'manifest',
    manifestHash: m.hash,
    layers: m.layers.map((l) => layerSource(l, opts, log)),
    close: async () => {},
  };
}

function layerSource(
  l: ClairLayer,
  opts: ManifestSourceOptions,
  log: Logger,
): LayerSource {
  const open = (): Promise<Readable> => {
    log.debug({ layer: l.hash, url: safeUrl(l.uri) }, 'fetching layer');
    return fetchBlob(l.uri, {
      what: `layer ${l.hash}`,
      headers: l.headers,
      log,
      ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
      ...(opts.retry !== undefined ? { retry: opts.retry } : {}),
    });
  };
  return { digest: l.hash, open };
}

function isHttpUrl(s: string): boolean {
  if (!URL.canParse(s)) return false;
  const { protocol, hostname } = new URL(s);
  return (protocol === 'http:' || protocol === 'https:') && hostname !== '';
}

/** `layers[0].headers.Authorization[1]`, as the message's path. */
function pathText(path: readonly PropertyKey[]): string {
  if (path.length === 0) return 'body';
  return path.map(segment).join('').replace(/^\./, '');
}

function segment(p: PropertyKey): string {
  if (typeof p === 'number') return `[${p}]`;
  const name = String(p);
  return /^[\w-]+$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`;
}
