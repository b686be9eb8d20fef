import { join } from 'node:path';
import type { Store } from '../src/store/store.js';
import type { Plugins } from './plugins.js';
import { scanImage, type ScanTiming } from './scan.js';
import { median, now } from './stats.js';
import { freshStore, removeDatabase, type StoreTemplate } from './store.js';

/** Median timings of a case over its runs. */
export interface CaseResult {
  readonly runs: readonly ScanTiming[];
  readonly median: ScanTiming;
}

/**
 * Cold: each run gets a copy of the template (vulnerability data, no
 * layers), so every layer is read, hashed, gunzipped and scanned. The copy
 * and the store's opening are outside the timing. The last run's store is
 * kept open for the warm case.
 *
 * `paired` (the baseline) is timed just before each cold run, so that the
 * two share whatever load the machine has at that moment.
 */
export async function coldCase(
  image: string,
  template: StoreTemplate,
  plugins: Plugins,
  opts: { runs: number; dir: string; paired: () => Promise<unknown> },
): Promise<{ result: CaseResult; pairedMs: number[]; store: Store }> {
  const runs: ScanTiming[] = [];
  const pairedMs: number[] = [];
  const path = join(opts.dir, 'cold.sqlite');
  for (let i = 0; i < opts.runs; i++) {
    const t0 = now();
    await opts.paired();
    pairedMs.push(now() - t0);

    const store = await freshStore(template, path);
    runs.push(await scanImage(image, store, plugins));
    if (i < opts.runs - 1) {
      await store.close();
      continue;
    }
    const result = { runs, median: medianTiming(runs) };
    return { result, pairedMs, store };
  }
  throw new Error('Cannot run the cold case: no runs asked for');
}

/** Warm: the same image again, every layer already in the store. */
export async function warmCase(
  image: string,
  store: Store,
  plugins: Plugins,
  runs: number,
): Promise<CaseResult> {
  const out: ScanTiming[] = [];
  for (let i = 0; i < runs; i++)
    out.push(await scanImage(image, store, plugins));
  return { runs: out, median: medianTiming(out) };
}

/** Closes and deletes the cold case's store. */
export async function dropStore(store: Store, dir: string): Promise<void> {
  await store.close();
  await removeDatabase(join(dir, 'cold.sqlite'));
}

function medianTiming(runs: readonly ScanTiming[]): ScanTiming {
  const m = (f: (t: ScanTiming) => number) => median(runs.map(f));
  const last = runs[runs.length - 1]!;
  return {
    ...last,
    open: m((t) => t.open),
    index: m((t) => t.index),
    match: m((t) => t.match),
    total: m((t) => t.total),
  };
}
