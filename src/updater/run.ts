import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';
import type { FetchContext, Updater, UpdaterSet } from './updater.js';

/** What happened to one updater in a run. */
export interface UpdaterOutcome {
  readonly updater: string;
  readonly status: 'updated' | 'unchanged' | 'skipped' | 'failed';
  /** Records in the operation now current, when there is one. */
  readonly count?: number;
  readonly error?: string;
  /** Why an updater was skipped. */
  readonly note?: string;
}

/** The note of an updater skipped because its fetch found no feed. */
export const FEED_ABSENT = 'the feed is absent';

/**
 * Runs every updater of every set and stores each run as an update
 * operation. A failing updater is recorded and the others go on; a feed
 * whose fingerprint is unchanged is not parsed again.
 */
export async function runUpdaters(
  store: Store,
  sets: readonly UpdaterSet[],
  ctx: FetchContext,
): Promise<UpdaterOutcome[]> {
  const out: UpdaterOutcome[] = [];
  for (const set of sets) out.push(...(await runUpdaterSet(store, set, ctx)));
  return out;
}

/**
 * Runs the updaters of one set, in order. When the set cannot list its
 * updaters, the one outcome is a failure named after the set.
 */
export async function runUpdaterSet(
  store: Store,
  set: UpdaterSet,
  ctx: FetchContext,
): Promise<UpdaterOutcome[]> {
  const log = ctx.log.child({ updaterSet: set.name });
  let updaters: readonly Updater[];
  try {
    updaters = await set.updaters(ctx);
  } catch (err) {
    log.error({ err: errorMessage(err) }, 'updater set failed');
    return [{ updater: set.name, status: 'failed', error: errorMessage(err) }];
  }

  const out: UpdaterOutcome[] = [];
  for (const u of updaters) out.push(await runOne(store, u, ctx));
  return out;
}

async function runOne(
  store: Store,
  u: Updater,
  ctx: FetchContext,
): Promise<UpdaterOutcome> {
  const log = ctx.log.child({ updater: u.name });
  try {
    const feed = await u.fetch({ ...ctx, log });
    if (!feed) {
      log.info('feed absent, updater skipped');
      return { updater: u.name, status: 'skipped', note: FEED_ABSENT };
    }

    const [latest] = await store.updateOperations(u.name);
    if (latest?.fingerprint === feed.fingerprint) {
      return { updater: u.name, status: 'unchanged', count: latest.count };
    }

    const data = u.parse(feed, log);
    const { operation, changed } = await store.applyUpdate(
      u.name,
      feed.fingerprint,
      data,
    );
    log.info({ records: operation.count }, 'updater finished');
    const status = changed ? 'updated' : 'unchanged';
    return { updater: u.name, status, count: operation.count };
  } catch (err) {
    log.error({ err: errorMessage(err) }, 'updater failed');
    return { updater: u.name, status: 'failed', error: errorMessage(err) };
  }
}
