import type { Config, ServeMode } from '../config/config.js';
import type { Logger } from '../log.js';
import { openStore } from '../store/open.js';
import type { Store } from '../store/store.js';

/** The stores a service mode works on; the two may be one object. */
export interface ServiceStores {
  /** Index reports and the layer cache. */
  readonly indexStore: Store;
  /** Update operations, vulnerabilities and updater status. */
  readonly vulnStore: Store;
  /** Closes each distinct store once. */
  close(): Promise<void>;
}

/**
 * Which connection string each store uses in `mode` (undefined: SQLite
 * at the default path):
 * - combo: `indexer.connstring` and `matcher.connstring`;
 * - indexer: `indexer.connstring` for both (it reads no vulnerabilities);
 * - matcher: `matcher.connstring`, and for the index reports it matches
 *   `indexer.connstring` when set, else the matcher's own store.
 */
export function storePlan(
  mode: ServeMode,
  cfg: Config,
): { index: string | undefined; vuln: string | undefined } {
  const index = cfg.indexer.connstring;
  const vuln = cfg.matcher.connstring;
  switch (mode) {
    case 'combo':
      return { index, vuln };
    case 'indexer':
      return { index, vuln: index };
    case 'matcher':
      return { index: index ?? vuln, vuln };
  }
}

/**
 * Opens the stores of `mode`. Equal connection strings (both absent
 * included) share one Store object. When the second store fails to open,
 * the first is closed before the error is rethrown.
 */
export async function openServiceStores(
  mode: ServeMode,
  cfg: Config,
  log: Logger,
): Promise<ServiceStores> {
  const plan = storePlan(mode, cfg);
  const indexStore = await openStore(plan.index, { logger: log });
  if (plan.vuln === plan.index) {
    return {
      indexStore,
      vulnStore: indexStore,
      close: () => indexStore.close(),
    };
  }

  let vulnStore: Store;
  try {
    vulnStore = await openStore(plan.vuln, { logger: log });
  } catch (err) {
    await indexStore.close().catch(() => undefined);
    throw err;
  }
  return {
    indexStore,
    vulnStore,
    close: () => closeBoth(indexStore, vulnStore),
  };
}

/** Closes both, even when the first fails; rethrows the first failure. */
async function closeBoth(a: Store, b: Store): Promise<void> {
  const results = await Promise.allSettled([a.close(), b.close()]);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
}
