import { availableParallelism } from 'node:os';
import { errorMessage } from '../errors.js';
import {
  checksOwnDigest,
  type ImageSource,
  type LayerSource,
} from '../image/source.js';
import { readLayer } from '../layer/reader.js';
import { compileSelector, type CompiledSelector } from '../layer/selector.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';
import { coalesce, type IndexedLayer } from './coalesce.js';
import { readFolder } from './folder.js';
import type { IndexReport } from './report.js';
import { READER_VERSION } from './state.js';
import { filesFor, type LayerFiles, type Scanner } from './scanner.js';
import type { Notice, ScanResult } from './types.js';

export interface IndexOptions {
  readonly store: Store;
  readonly scanners: readonly Scanner[];
  readonly log: Logger;
  /** Layers read at once; defaults to the number of CPUs. */
  readonly concurrency?: number;
  /**
   * The caller's `indexState(scanners)`, recorded in the report so that a
   * later request can tell whether the stored report is still current.
   */
  readonly indexState?: string;
}

/** Counts of one indexing run, for logs and metrics. */
export interface IndexStats {
  scanned: number;
  reused: number;
}

/**
 * Indexes an image: reads each layer not already indexed by the same
 * scanner versions, stores per-layer results, and coalesces them into the
 * image's IndexReport, which is stored under the manifest hash (a folder,
 * having none, is not stored). A layer missing from the cache is scanned
 * under the store's `layer:<digest>` lock after a second look, so that
 * indexers running at once (in this process, or in others sharing a
 * PostgreSQL store) scan each layer once.
 */
export async function indexImage(
  source: ImageSource,
  opts: IndexOptions,
): Promise<{ report: IndexReport; stats: IndexStats }> {
  const stats: IndexStats = { scanned: 0, reused: 0 };
  const log = opts.log.child({ manifest: source.manifestHash });
  const layers =
    source.folder !== undefined
      ? [await folderLayer(source.folder, opts.scanners)]
      : await indexLayers(source.layers, opts, stats, log);

  const built = buildReport(source, layers);
  const report =
    opts.indexState === undefined
      ? built
      : { ...built, indexState: opts.indexState };
  if (source.manifestHash !== '') await opts.store.putIndexReport(report);
  log.info(stats, 'index finished');
  return { report, stats };
}

function buildReport(
  source: ImageSource,
  layers: readonly (IndexedLayer & { notices: readonly Notice[] })[],
): IndexReport {
  const c = coalesce(layers);
  const notices = [...layers.flatMap((l) => l.notices), ...c.notices];
  if (!c.distribution) {
    notices.push({
      code: 'no-distribution',
      message: 'No known operating system found in the image',
    });
  }
  return {
    manifestHash: source.manifestHash,
    state: 'IndexFinished',
    ...c.installed,
    distributions: c.distribution
      ? { [c.distribution.id]: c.distribution }
      : {},
    lowerLayersOnly: c.lowerLayersOnly,
    layers: layers.map((l) => l.digest),
    notices,
    success: true,
    err: '',
  };
}

type LayerResult = IndexedLayer & { notices: readonly Notice[] };

async function indexLayers(
  sources: readonly LayerSource[],
  opts: IndexOptions,
  stats: IndexStats,
  log: Logger,
): Promise<LayerResult[]> {
  const selector = compileSelector(opts.scanners);
  const reader = `layer-reader/${READER_VERSION}/${selector.fingerprint}`;
  const one = async (layer: LayerSource): Promise<LayerResult> => {
    const known = await loadLayer(layer.digest, reader, opts);
    if (known) {
      stats.reused++;
      return known;
    }

    return opts.store.withLock(`layer:${layer.digest}`, async () => {
      const again = await loadLayer(layer.digest, reader, opts);
      if (again) {
        stats.reused++;
        return again;
      }
      stats.scanned++;
      log.debug({ layer: layer.digest }, 'scanning layer');
      return scanLayer(layer, { reader, selector, opts });
    });
  };
  return mapLimited(sources, opts.concurrency ?? availableParallelism(), one);
}

async function loadLayer(
  digest: string,
  reader: string,
  opts: IndexOptions,
): Promise<LayerResult | undefined> {
  const record = await opts.store.getLayerRecord(digest, reader);
  if (!record) return undefined;
  const results: ScanResult[] = [];
  for (const s of opts.scanners) {
    const r = await opts.store.getScanResult(digest, s);
    if (!r) return undefined;
    results.push(r);
  }
  return { digest, record, results, notices: record.notices };
}

async function scanLayer(
  layer: LayerSource,
  ctx: { reader: string; selector: CompiledSelector; opts: IndexOptions },
): Promise<LayerResult> {
  const { store, scanners } = ctx.opts;
  const blob = await layer.open();
  const contents = await readLayer(blob, {
    selector: ctx.selector,
    ...(checksOwnDigest(blob) ? {} : { digest: layer.digest }),
    name: layer.digest,
  });
  const runs = scanners.map((s) => runScanner(s, filesFor(contents, s)));
  for (const [i, s] of scanners.entries()) {
    const run = runs[i]!;
    if (run.ok) await store.putScanResult(layer.digest, s, run.result);
  }
  await store.putLayerRecord(layer.digest, ctx.reader, contents.record);
  return {
    digest: layer.digest,
    record: contents.record,
    results: runs.map((r) => r.result),
    notices: contents.notices,
  };
}

/**
 * Runs one scanner. A scanner that throws loses only its own findings for
 * this layer, reported as a notice; its result is not stored, so the next
 * index tries again.
 */
function runScanner(
  s: Scanner,
  files: LayerFiles,
): { ok: boolean; result: ScanResult } {
  try {
    return { ok: true, result: s.scan(files) };
  } catch (err) {
    const notice: Notice = {
      code: 'skipped-file',
      message: `Scanner ${s.name} failed: ${errorMessage(err)}`,
    };
    return {
      ok: false,
      result: { packages: [], distributions: [], notices: [notice] },
    };
  }
}

async function folderLayer(
  root: string,
  scanners: readonly Scanner[],
): Promise<LayerResult> {
  const { record, notices, ...inputs } = await readFolder(root, scanners);
  const results = scanners.map(
    (s) => runScanner(s, filesFor(inputs, s)).result,
  );
  return { digest: '', record, results, notices };
}

/** Maps with at most `limit` calls in flight, keeping input order. */
async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  const n = Math.max(1, Math.min(limit, items.length));
  await Promise.all(Array.from({ length: n }, worker));
  return out;
}
