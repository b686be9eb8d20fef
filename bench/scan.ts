import { openImage } from '../src/image/open.js';
import { indexImage, type IndexStats } from '../src/indexer/indexer.js';
import { silentLogger } from '../src/log.js';
import { matchReport } from '../src/matcher/engine.js';
import type { Store } from '../src/store/store.js';
import type { Plugins } from './plugins.js';
import { now } from './stats.js';

/** Milliseconds spent in each phase of one scan, and what it did. */
export interface ScanTiming {
  readonly open: number;
  readonly index: number;
  readonly match: number;
  readonly total: number;
  readonly stats: IndexStats;
  readonly packages: number;
  readonly vulnerabilities: number;
}

/**
 * Scans an image the way the CLI does: open it, index it into the store
 * (reusing layers the store already has), match the report against the
 * store's vulnerability data.
 */
export async function scanImage(
  path: string,
  store: Store,
  plugins: Plugins,
): Promise<ScanTiming> {
  const log = silentLogger();
  const t0 = now();
  const source = await openImage(path);
  const t1 = now();
  try {
    const { report, stats } = await indexImage(source, {
      store,
      scanners: plugins.scanners,
      log,
    });
    const t2 = now();
    const vr = await matchReport(report, {
      store,
      matchers: plugins.matchers,
      log,
    });
    const t3 = now();
    return {
      open: t1 - t0,
      index: t2 - t1,
      match: t3 - t2,
      total: t3 - t0,
      stats,
      packages: Object.keys(report.packages).length,
      vulnerabilities: Object.keys(vr.vulnerabilities).length,
    };
  } finally {
    await source.close();
  }
}
