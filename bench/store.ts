import { copyFile, open, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { silentLogger } from '../src/log.js';
import { openStore } from '../src/store/open.js';
import type { Store } from '../src/store/store.js';
import { runUpdaters, type UpdaterOutcome } from '../src/updater/run.js';
import type { UpdaterSet } from '../src/updater/updater.js';

/** The local feed mirror the bench loads (shared/data/feeds layout). */
export const FEED_MIRROR = '../shared/data/feeds';

/** A SQLite file holding vulnerability data and no layers. */
export interface StoreTemplate {
  readonly path: string;
  readonly outcomes: readonly UpdaterOutcome[];
  readonly records: number;
}

/**
 * Loads every feed of the mirror into a new SQLite file once. Closing the
 * store checkpoints its write-ahead log, so the file alone is the data.
 */
export async function buildTemplate(
  dir: string,
  sets: readonly UpdaterSet[],
): Promise<StoreTemplate> {
  const path = join(dir, 'vulns.sqlite');
  await removeDatabase(path);
  const store = await openStore(path);
  const outcomes = await runUpdaters(store, sets, {
    mirror: FEED_MIRROR,
    fetch: refuseNetwork,
    log: silentLogger(),
  });
  await store.close();
  const records = outcomes.reduce((n, o) => n + (o.count ?? 0), 0);
  return { path, outcomes, records };
}

/**
 * Copies the template to `path` and opens it: data, but no layers. The
 * copy is flushed to disk first: otherwise the kernel writes its ~150 MiB
 * back while the next scan runs, and that scan takes up to twice as long.
 */
export async function freshStore(
  template: Pick<StoreTemplate, 'path'>,
  path: string,
): Promise<Store> {
  await removeDatabase(path);
  await copyFile(template.path, path);
  const copy = await open(path, 'r+');
  try {
    await copy.sync();
  } finally {
    await copy.close();
  }
  return openStore(path);
}

/** Deletes a SQLite file and its WAL and shared-memory companions. */
export async function removeDatabase(path: string): Promise<void> {
  for (const suffix of ['', '-wal', '-shm']) {
    await rm(path + suffix, { force: true });
  }
}

/** Size in bytes of a file. */
export async function fileSize(path: string): Promise<number> {
  return (await stat(path)).size;
}

/** The bench reads feeds from the mirror only; no request leaves. */
const refuseNetwork: typeof globalThis.fetch = async (input) => {
  throw new Error(`bench makes no network requests (asked for ${input})`);
};
