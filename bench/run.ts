/**
 * `npm run bench`: claro's performance figures, each against a baseline
 * measured in the same process and run. See bench/README.md.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  gunzipAll,
  layerRanges,
  measureBaseline,
  type BlobRange,
} from './baseline.js';
import { coldCase, dropStore, warmCase } from './cases.js';
import { largestBlob, syntheticImage } from './generate.js';
import { buildChild } from './childbuild.js';
import { measureMemory } from './memory.js';
import { measurePhases } from './phases.js';
import { PLUGINS } from './plugins.js';
import { printReport, type Figures } from './report.js';
import { scanImage } from './scan.js';
import { median } from './stats.js';
import {
  buildTemplate,
  freshStore,
  removeDatabase,
  type StoreTemplate,
} from './store.js';

const DEBIAN = '../shared/images/debian-bookworm-3layer.oci.tar';
const RUNS = 5;
/** The generated layer is this many times the largest Debian layer. */
const SCALE = 10;
const CACHE = fileURLToPath(new URL('./.cache', import.meta.url));

async function main(): Promise<void> {
  const tmp = await mkdtemp(join(tmpdir(), 'claro-bench-'));
  try {
    printReport(await measure(tmp));
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

async function measure(tmp: string): Promise<Figures> {
  progress('loading vulnerability feeds into a template store');
  const template = await buildTemplate(tmp, PLUGINS.updaterSets);
  const ranges = await layerRanges(DEBIAN);
  const largest = Math.max(...ranges.map((r) => r.size));
  progress(`generating (or reusing) a ${SCALE}x layer image`);
  const dir = await syntheticImage(CACHE, SCALE * largest);
  const synthetic = { dir, layerBytes: await largestBlob(dir) };

  const times = await timeFigures(template, ranges, tmp);
  progress('peak memory, one child process per case');
  const child = await buildChild('memory-child', CACHE);
  const storePath = join(tmp, 'mem.sqlite');
  const mem = (image: string) =>
    measureMemory(child, image, { template: template.path, storePath });
  const memory = {
    idle: await mem('--idle'),
    debian: await mem(DEBIAN),
    synthetic: await mem(dir),
  };
  return { template, ranges, synthetic, ...times, memory };
}

/** Baseline, cold, warm and the cold path's stages, in one process. */
async function timeFigures(
  template: StoreTemplate,
  ranges: readonly BlobRange[],
  tmp: string,
) {
  progress('warming up');
  await warmUp(template, ranges, tmp);
  progress('baseline: choosing the fastest gunzip settings');
  const tuning = await measureBaseline(DEBIAN, ranges, RUNS);
  progress('cold scans, each after a baseline run; warm scans');
  const cold = await coldCase(DEBIAN, template, PLUGINS, {
    runs: RUNS,
    dir: tmp,
    paired: () => gunzipAll(DEBIAN, ranges, tuning.best),
  });
  const paired = cold.pairedMs;
  const baseline = { ...tuning, ms: median(paired), paired };
  const warm = await warmCase(DEBIAN, cold.store, PLUGINS, RUNS);
  await dropStore(cold.store, tmp);

  progress('cold path, stage by stage');
  const phases = await measurePhases(DEBIAN, ranges, tuning.best, {
    runs: RUNS,
    plugins: PLUGINS,
  });
  return { baseline, cold: cold.result, warm, phases };
}

/** One untimed pass of each timed path, so JIT and caches start equal. */
async function warmUp(
  template: StoreTemplate,
  ranges: readonly BlobRange[],
  tmp: string,
): Promise<void> {
  const path = join(tmp, 'warmup.sqlite');
  const store = await freshStore(template, path);
  await scanImage(DEBIAN, store, PLUGINS);
  await store.close();
  await removeDatabase(path);
  await gunzipAll(DEBIAN, ranges, {
    engine: 'zlib',
    chunkSize: 1 << 16,
    highWaterMark: 1 << 20,
  });
}

function progress(what: string): void {
  process.stderr.write(`bench: ${what}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(
    `bench failed: ${err instanceof Error ? err.stack : String(err)}\n`,
  );
  process.exitCode = 1;
});
