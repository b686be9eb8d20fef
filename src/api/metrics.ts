/**
 * The service's Prometheus metrics, in a registry of their own (never
 * prom-client's global one), so that each server, and each test, counts
 * alone. Served by the introspection handler at `/metrics`.
 */
import {
  collectDefaultMetrics,
  Counter,
  Histogram,
  Registry,
} from 'prom-client';

/** Every metric claro serves, with the registry that renders them. */
export interface Metrics {
  readonly registry: Registry;
  /** API requests by method, route template and status code. */
  readonly httpDuration: Histogram<'method' | 'route' | 'code'>;
  /** Index runs (those that read layers), by result `success`/`error`. */
  readonly indexDuration: Histogram<'result'>;
  /** Layers an index run needed, by result `scanned` or `reused`. */
  readonly layers: Counter<'result'>;
  /** Index requests refused with 429, by route template. */
  readonly concurrencyLimited: Counter<'route'>;
  /**
   * Updater runs by updater and status (`updated`, `unchanged`,
   * `skipped`, `failed`): the serve wiring counts them.
   */
  readonly updaterRuns: Counter<'updater' | 'status'>;
}

/** Seconds: API answers are fast; index runs fetch and read layers. */
const HTTP_BUCKETS = [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const INDEX_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

/** A registry with the process's default metrics and claro's own. */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    httpDuration: new Histogram({
      name: 'claro_http_request_duration_seconds',
      help: 'Time to answer an API request, by route template',
      labelNames: ['method', 'route', 'code'] as const,
      buckets: HTTP_BUCKETS,
      registers,
    }),
    indexDuration: new Histogram({
      name: 'claro_index_duration_seconds',
      help: 'Time to index a manifest, fetching and reading its layers',
      labelNames: ['result'] as const,
      buckets: INDEX_BUCKETS,
      registers,
    }),
    layers: new Counter({
      name: 'claro_index_layers_total',
      help: 'Layers of indexed manifests, scanned or reused from the store',
      labelNames: ['result'] as const,
      registers,
    }),
    concurrencyLimited: new Counter({
      name: 'claro_http_concurrency_limited_total',
      help: 'Requests refused because too many were in flight',
      labelNames: ['route'] as const,
      registers,
    }),
    updaterRuns: new Counter({
      name: 'claro_updater_runs_total',
      help: 'Updater runs, by updater and outcome',
      labelNames: ['updater', 'status'] as const,
      registers,
    }),
  };
}
