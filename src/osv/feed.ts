/**
 * Reading one OSV ecosystem's records, from upstream or from a mirror.
 *
 * Upstream, OSV publishes each ecosystem as `<Ecosystem>/all.zip` in its
 * bucket: a zip of `<ID>.json` files, one record each. A mirror keeps an
 * ecosystem under `osv/<folder>/` (see OsvEcosystem.folder) either as that
 * `all.zip` or as a tree of record files, `.json` or `.yaml`/`.yml`, in
 * any folder layout (the PyPA advisory database's `vulns/<package>/`,
 * the GitHub advisory database's `advisories/github-reviewed/YYYY/MM/`).
 * Other files (licences, notices, indexes) are not records and are left
 * out, of the fingerprint too.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { ClaroError, errorMessage } from '../errors.js';
import { readZipDirectory, readZipEntry } from '../java/zip.js';
import {
  fetchDocuments,
  fingerprintOf,
  listMirrorFolders,
} from '../updater/mirror.js';
import type { FetchContext, FetchedFeed } from '../updater/updater.js';
import type { OsvEcosystem } from './ecosystems.js';
import { isRecordFile } from './record.js';

/** OSV's bucket, holding `<Ecosystem>/all.zip` for each ecosystem. */
export const OSV_BUCKET_URL =
  'https://osv-vulnerabilities.storage.googleapis.com';

/** The document name of an ecosystem's zip, upstream and in a mirror. */
export const ALL_ZIP = 'all.zip';

/** Root of the OSV ecosystems in a mirror. */
export const OSV_MIRROR_ROOT = 'osv';

/** Largest record read from a zip; larger entries are skipped. */
const MAX_RECORD_BYTES = 32 * 1024 * 1024;

/** The upstream URL of an ecosystem's zip. */
export function allZipUrl(eco: OsvEcosystem): string {
  return `${OSV_BUCKET_URL}/${encodeURIComponent(eco.osvName)}/${ALL_ZIP}`;
}

/**
 * Fetches an ecosystem's records: from the mirror when one is set (its
 * `all.zip`, else its record files), else the upstream `all.zip`.
 * Resolves undefined when the source is absent: no folder, a folder
 * without records, or HTTP 404 upstream.
 */
export async function fetchOsvFeed(
  ctx: FetchContext,
  eco: OsvEcosystem,
): Promise<FetchedFeed | undefined> {
  const url = allZipUrl(eco);
  if (ctx.mirror === undefined) {
    return fetchDocuments(ctx, [{ name: ALL_ZIP, mirrorPath: '', url }]);
  }

  const folder = await mirrorFolder(ctx, eco);
  if (folder === undefined) return undefined;
  const mirrorPath = `${folder}/${ALL_ZIP}`;
  const zip = await fetchDocuments(ctx, [{ name: ALL_ZIP, mirrorPath, url }]);
  return zip ?? readRecordTree(join(ctx.mirror, folder));
}

/** `osv/<folder>` of the first of the ecosystem's folders present. */
export async function mirrorFolder(
  ctx: FetchContext,
  eco: OsvEcosystem,
): Promise<string | undefined> {
  const present = new Set(
    (await listMirrorFolders(ctx, OSV_MIRROR_ROOT)) ?? [],
  );
  const folder = [eco.folder, ...(eco.altFolders ?? [])].find((f) =>
    present.has(f),
  );
  return folder === undefined ? undefined : `${OSV_MIRROR_ROOT}/${folder}`;
}

/**
 * Every record file below `root`, keyed by its `/`-separated path below
 * it, in sorted order so that the fingerprint does not depend on the
 * order the file system lists them in. Undefined when there is none.
 */
async function readRecordTree(root: string): Promise<FetchedFeed | undefined> {
  const names = (await listFiles(root, '')).filter(isRecordFile).sort();
  if (names.length === 0) return undefined;

  const documents = new Map<string, Buffer>();
  for (const name of names) {
    documents.set(name, await readMirrorFile(root, name));
  }
  return { fingerprint: fingerprintOf(documents), documents };
}

async function listFiles(root: string, below: string): Promise<string[]> {
  const entries = await guard(root, below, () =>
    readdir(join(root, below), { withFileTypes: true }),
  );
  const out: string[] = [];
  for (const e of entries) {
    const path = below === '' ? e.name : `${below}/${e.name}`;
    if (e.isDirectory()) out.push(...(await listFiles(root, path)));
    else if (e.isFile()) out.push(path);
  }
  return out;
}

function readMirrorFile(root: string, name: string): Promise<Buffer> {
  return guard(root, name, () => readFile(join(root, name)));
}

async function guard<T>(
  root: string,
  path: string,
  step: () => Promise<T>,
): Promise<T> {
  try {
    return await step();
  } catch (err) {
    throw new ClaroError(
      'FETCH_FAILED',
      `Cannot read mirror file ${join(root, path)}: ${errorMessage(err)}`,
      { cause: err },
    );
  }
}

/** One record document, or a document that could not be read. */
export type OsvDocument =
  | { readonly name: string; readonly body: Buffer }
  | { readonly name: string; readonly error: string };

/**
 * The record documents of a fetched feed, one at a time: the entries of
 * its `all.zip` (inflated as they are reached, so only one record is
 * held inflated at once), or its record files. A zip entry that cannot
 * be read is yielded with its error; a zip whose directory cannot be
 * read throws INVALID_FEED.
 */
export function* osvDocuments(feed: FetchedFeed): Generator<OsvDocument> {
  for (const [name, body] of feed.documents) {
    if (name === ALL_ZIP) yield* zipDocuments(body);
    else if (isRecordFile(name)) yield { name, body };
  }
}

function* zipDocuments(zip: Buffer): Generator<OsvDocument> {
  const entries = readZipDirectory(zip);
  if (typeof entries === 'string') {
    throw new ClaroError('INVALID_FEED', `Cannot parse ${ALL_ZIP}: ${entries}`);
  }

  for (const entry of entries) {
    if (!isRecordFile(entry.name)) continue;
    const body = readZipEntry(zip, entry, MAX_RECORD_BYTES);
    yield typeof body === 'string'
      ? { name: entry.name, error: body }
      : { name: entry.name, body };
  }
}
