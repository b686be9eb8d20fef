import type { ImageSource } from './image/source.js';
import { indexImage, type IndexStats } from './indexer/indexer.js';
import type { Scanner } from './indexer/scanner.js';
import { DEFAULT_SCANNERS } from './indexer/scanners.js';
import type { Logger } from './log.js';
import { matchReport } from './matcher/engine.js';
import type { Matcher } from './matcher/matcher.js';
import { DEFAULT_MATCHERS } from './matcher/registry.js';
import type { VulnerabilityReport } from './matcher/report.js';
import type { Store } from './store/store.js';

export interface ScanDeps {
  readonly store: Store;
  readonly log: Logger;
  readonly scanners?: readonly Scanner[];
  readonly matchers?: readonly Matcher[];
}

/**
 * Indexes one image and matches it against the store's current
 * vulnerability data: the main job, shared by the CLI and the tests (and
 * later the HTTP service), so no front door repeats it.
 */
export async function scanSource(
  source: ImageSource,
  deps: ScanDeps,
): Promise<{ report: VulnerabilityReport; stats: IndexStats }> {
  const { store, log } = deps;
  const scanners = deps.scanners ?? DEFAULT_SCANNERS;
  const { report: index, stats } = await indexImage(source, {
    store,
    scanners,
    log,
  });
  const matchers = deps.matchers ?? DEFAULT_MATCHERS;
  const report = await matchReport(index, { store, matchers, log });
  return { report, stats };
}
