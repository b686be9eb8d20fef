import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';
import { DEFAULT_UPDATER_SETS } from '../updater/registry.js';
import { runUpdaters, type UpdaterOutcome } from '../updater/run.js';

/** Environment variable naming a local feed mirror (as `--feeds`). */
export const FEEDS_ENV = 'CLARO_FEEDS';

/** The mirror folder from `--feeds` or CLARO_FEEDS, if any. */
export function feedsFolder(flag: string | undefined): string | undefined {
  return flag ?? (process.env[FEEDS_ENV] || undefined);
}

/** `claro update`: runs every updater, prints one line per updater. */
export async function update(
  store: Store,
  feeds: string | undefined,
  log: Logger,
): Promise<number> {
  const outcomes = await load(store, feeds, log);
  for (const o of outcomes) process.stdout.write(describe(o) + '\n');
  return outcomes.some((o) => o.status === 'failed') ? 1 : 0;
}

/**
 * Loads vulnerability data when the store has none yet, saying so on
 * standard error: the first scan on an empty store does it itself.
 */
export async function ensureVulnerabilityData(
  store: Store,
  feeds: string | undefined,
  log: Logger,
): Promise<void> {
  if (await store.hasVulnerabilityData()) return;
  const from = feeds ? `the mirror ${feeds}` : 'the upstream feeds';
  process.stderr.write(
    `claro: no vulnerability data yet, loading it from ${from}\n`,
  );
  const outcomes = await load(store, feeds, log);
  const failed = outcomes.filter((x) => x.status === 'failed');
  if (failed.length === 0) return;
  const first = describe(failed[0]!);
  const more = failed.length > 1 ? ` (and ${failed.length - 1} more)` : '';
  process.stderr.write(`claro: updater failed: ${first}${more}\n`);
  if (!feeds) {
    process.stderr.write(
      `claro: without network, name a local mirror with --feeds DIR ` +
        `or ${FEEDS_ENV}\n`,
    );
  }
}

function load(
  store: Store,
  feeds: string | undefined,
  log: Logger,
): Promise<UpdaterOutcome[]> {
  const ctx = {
    fetch: globalThis.fetch,
    log,
    ...(feeds !== undefined ? { mirror: feeds } : {}),
  };
  return runUpdaters(store, DEFAULT_UPDATER_SETS, ctx);
}

function describe(o: UpdaterOutcome): string {
  const count = o.count !== undefined ? ` (${o.count} records)` : '';
  const why = o.error ? `: ${o.error}` : o.note ? ` (${o.note})` : '';
  return `${o.updater}: ${o.status}${count}${why}`;
}
