/**
 * Reading feed documents from a local mirror folder or from upstream, with
 * a content fingerprint. Shared by every updater.
 *
 * A mirror is a folder laid out like `shared/data/feeds` (for example
 * `debian/security-tracker/data/DSA/list`, `alpine/secdb/v3.20/main.json`).
 * When `FetchContext.mirror` is set, updaters read only from it and never
 * from the network.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { ClaroError, errorMessage } from '../errors.js';
import type { FetchContext, FetchedFeed } from './updater.js';

/** One document of a feed: where it sits in a mirror and upstream. */
export interface FeedDocument {
  /** Key in `FetchedFeed.documents`: the same whatever the source. */
  readonly name: string;
  /** Path below the mirror root, `/`-separated. */
  readonly mirrorPath: string;
  /** Upstream URL. */
  readonly url: string;
  /**
   * When an optional document is absent the feed is read without it; when
   * a required one is absent the whole feed is absent.
   */
  readonly optional?: boolean;
}

/**
 * Reads the documents of one feed from the mirror, or from upstream when
 * no mirror is set. Resolves undefined when a required document is absent
 * (a missing mirror file, or HTTP 404/410 upstream): the caller skips the
 * run with a note. Other failures throw FETCH_FAILED.
 *
 * The fingerprint is a sha256 over the documents' names and bytes, so it
 * changes exactly when the input does. An ETag would save the download only
 * with a conditional request, which needs the previous fingerprint; the
 * Updater contract does not pass it, so the content hash is used always.
 */
export async function fetchDocuments(
  ctx: FetchContext,
  docs: readonly FeedDocument[],
): Promise<FetchedFeed | undefined> {
  const documents = new Map<string, Buffer>();
  for (const doc of docs) {
    const body = await readDocument(ctx, doc);
    if (body !== undefined) {
      documents.set(doc.name, body);
      continue;
    }
    if (doc.optional !== true) return undefined;
  }

  return { fingerprint: fingerprintOf(documents), documents };
}

/**
 * The sha256 fingerprint of a set of documents, in map order. Each entry
 * contributes its name and length before its bytes, so moving bytes from
 * one document to the next changes the hash.
 */
export function fingerprintOf(documents: ReadonlyMap<string, Buffer>): string {
  const hash = createHash('sha256');
  for (const [name, body] of documents) {
    hash.update(`${name}\0${body.length}\0`);
    hash.update(body);
  }
  return `sha256:${hash.digest('hex')}`;
}

/**
 * Names of the folders directly below `path` in the mirror, sorted;
 * undefined when there is no mirror or the folder is absent.
 */
export async function listMirrorFolders(
  ctx: FetchContext,
  path: string,
): Promise<readonly string[] | undefined> {
  if (ctx.mirror === undefined) return undefined;

  try {
    const entries = await readdir(join(ctx.mirror, path), {
      withFileTypes: true,
    });
    return entries
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  } catch (err) {
    if (isAbsent(err)) return undefined;
    throw new ClaroError(
      'FETCH_FAILED',
      `Cannot list mirror folder ${path}: ${errorMessage(err)}`,
      { cause: err },
    );
  }
}

/** Whether a mirror file exists (false without a mirror). */
export async function mirrorHas(
  ctx: FetchContext,
  path: string,
): Promise<boolean> {
  if (ctx.mirror === undefined) return false;
  return (await readMirror(ctx.mirror, path)) !== undefined;
}

/**
 * Parses one JSON document of a feed. Throws INVALID_FEED naming the
 * document when it is absent or not JSON.
 */
export function parseJsonDocument(feed: FetchedFeed, name: string): unknown {
  const body = requireDocument(feed, name);
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch (err) {
    throw new ClaroError(
      'INVALID_FEED',
      `Cannot parse ${name}: ${errorMessage(err)}`,
      { cause: err },
    );
  }
}

/** A document of the feed, or INVALID_FEED when fetch did not return it. */
export function requireDocument(feed: FetchedFeed, name: string): Buffer {
  const body = feed.documents.get(name);
  if (body !== undefined) return body;
  throw new ClaroError('INVALID_FEED', `Cannot parse ${name}: missing`);
}

async function readDocument(
  ctx: FetchContext,
  doc: FeedDocument,
): Promise<Buffer | undefined> {
  if (ctx.mirror !== undefined) return readMirror(ctx.mirror, doc.mirrorPath);
  return readUpstream(ctx, doc.url);
}

async function readMirror(
  root: string,
  path: string,
): Promise<Buffer | undefined> {
  try {
    return await readFile(join(root, path));
  } catch (err) {
    if (isAbsent(err)) return undefined;
    throw new ClaroError(
      'FETCH_FAILED',
      `Cannot read mirror file ${path}: ${errorMessage(err)}`,
      { cause: err },
    );
  }
}

async function readUpstream(
  ctx: FetchContext,
  url: string,
): Promise<Buffer | undefined> {
  const init: RequestInit = ctx.signal ? { signal: ctx.signal } : {};
  const res = await guardFetch(url, () => ctx.fetch(url, init));

  if (res.status === 404 || res.status === 410) return undefined;
  if (!res.ok) {
    throw new ClaroError(
      'FETCH_FAILED',
      `Cannot fetch ${url}: HTTP ${res.status}`,
    );
  }
  const body = await guardFetch(url, () => res.arrayBuffer());
  return Buffer.from(body);
}

async function guardFetch<T>(url: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    throw new ClaroError(
      'FETCH_FAILED',
      `Cannot fetch ${url}: ${errorMessage(err)}`,
      { cause: err },
    );
  }
}

function isAbsent(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
