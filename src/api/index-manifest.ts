/**
 * Indexing one Clair manifest for `POST /indexer/api/v1/index_report`:
 * once per manifest at a time, reusing a finished report of the current
 * indexer state, and recording failures as IndexError reports.
 */
import { errorMessage } from '../errors.js';
import { manifestSource, type ClairManifest } from '../image/manifest.js';
import { indexImage } from '../indexer/indexer.js';
import type { IndexReport } from '../indexer/report.js';
import type { Logger } from '../log.js';
import type { ApiDeps } from './route.js';

type IndexDeps = Pick<
  ApiDeps,
  'indexStore' | 'scanners' | 'metrics' | 'state' | 'layerFetchTimeoutMs'
>;

/**
 * The manifest's index report. Runs under the store's lock
 * `manifest:<hash>`, so that concurrent requests for one manifest (in one
 * process, or in all sharing a PostgreSQL store) index it once: the
 * second finds the first's report. A stored report is reused when it
 * finished and was made with the current indexer state; otherwise the
 * layers are fetched and indexed again (each layer's results are still
 * reused by digest).
 *
 * Indexing failures do not throw: they come back as a stored report with
 * state IndexError and the cause in `err`, which the next request for the
 * manifest replaces by indexing again. Store failures throw.
 */
export function indexManifest(
  m: ClairManifest,
  deps: IndexDeps,
  log: Logger,
): Promise<IndexReport> {
  return deps.indexStore.withLock(`manifest:${m.hash}`, async () => {
    const stored = await deps.indexStore.getIndexReport(m.hash);
    if (isCurrent(stored, deps.state)) {
      log.debug('index report reused');
      return stored;
    }
    return runIndex(m, deps, log);
  });
}

/** Whether a stored report can be served as the final answer. */
export function isCurrent(
  r: IndexReport | undefined,
  state: string,
): r is IndexReport {
  return r?.state === 'IndexFinished' && r.indexState === state;
}

/**
 * Indexes the manifest; the indexer stores the report with its
 * `indexState`, which is what marks it reusable. A failure stores an
 * IndexError report instead.
 */
async function runIndex(
  m: ClairManifest,
  deps: IndexDeps,
  log: Logger,
): Promise<IndexReport> {
  const { indexStore: store, scanners, metrics } = deps;
  const timer = metrics.indexDuration.startTimer();
  const timeout = deps.layerFetchTimeoutMs;
  const source = manifestSource(m, {
    log,
    ...(timeout !== undefined ? { timeoutMs: timeout } : {}),
  });
  try {
    const { report, stats } = await indexImage(source, {
      store,
      scanners,
      log,
      indexState: deps.state,
    });
    metrics.layers.inc({ result: 'scanned' }, stats.scanned);
    metrics.layers.inc({ result: 'reused' }, stats.reused);
    timer({ result: 'success' });
    return report;
  } catch (err) {
    timer({ result: 'error' });
    const failed = errorReport(m, errorMessage(err), deps.state);
    log.warn({ err: failed.err }, 'index failed');
    await store.putIndexReport(failed);
    return failed;
  } finally {
    await source.close();
  }
}

/** An IndexError report: no packages, the cause in `err`. */
function errorReport(
  m: ClairManifest,
  message: string,
  state: string,
): IndexReport {
  return {
    manifestHash: m.hash,
    state: 'IndexError',
    packages: {},
    environments: {},
    distributions: {},
    lowerLayersOnly: { packages: {}, environments: {} },
    layers: m.layers.map((l) => l.hash),
    notices: [],
    success: false,
    err: message,
    indexState: state,
  };
}
