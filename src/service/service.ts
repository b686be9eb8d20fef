/**
 * The service's assembly: stores, API and introspection servers, and the
 * matcher's update loop, started and stopped in order. `claro serve` is
 * a thin front door over it.
 */
import { createServer, type Server } from 'node:http';

import type { ListenAddr } from '../config/address.js';
import type { Config, ServeMode } from '../config/config.js';
import type { Logger } from '../log.js';
import {
  createApiHandler,
  createIntrospectionHandler,
  type ApiOptions,
} from '../api/server.js';
import { createMetrics, type Metrics } from '../api/metrics.js';
import { DEFAULT_UPDATER_SETS } from '../updater/registry.js';
import type { UpdaterSet } from '../updater/updater.js';
import { closeServer, listen } from './listen.js';
import { openServiceStores, type ServiceStores } from './stores.js';
import { startUpdateLoop, type UpdateLoop } from './updates.js';

/** What `startService` runs, and with what. */
export interface ServiceOptions {
  readonly config: Config;
  readonly mode: ServeMode;
  readonly log: Logger;
  /** The update loop's sets; DEFAULT_UPDATER_SETS unless a test says. */
  readonly sets?: readonly UpdaterSet[];
  /** HTTP client for upstream feeds; the global fetch by default. */
  readonly fetch?: typeof globalThis.fetch;
}

/** A started service. */
export interface RunningService {
  /** Where the API listens (the system's port when 0 was asked). */
  readonly apiAddr: ListenAddr;
  /** Where `/healthz`, `/readyz` and `/metrics` listen. */
  readonly introspectionAddr: ListenAddr;
  /**
   * Graceful stop: readiness turns false, both servers stop accepting and
   * finish the requests in flight, the update loop stops (aborting
   * upstream fetches), then the stores close. Later calls share the
   * first one's promise.
   */
  stop(): Promise<void>;
  /** Ends every open connection now, so that a pending stop() finishes. */
  closeConnections(): void;
}

/**
 * Opens the stores, listens on both addresses and, in matcher and combo
 * modes unless `matcher.disable_updaters`, starts the update loop. Ready
 * (`/readyz` 200) once all of that is done. On a failure part way, what
 * was started is stopped before the error is rethrown.
 */
export async function startService(
  opts: ServiceOptions,
): Promise<RunningService> {
  const stores = await openServiceStores(opts.mode, opts.config, opts.log);
  const parts = new Parts(opts, stores);
  try {
    await parts.listen();
  } catch (err) {
    await parts.stop();
    throw err;
  }
  parts.startUpdates();
  parts.ready = true;
  return parts.running();
}

/** The started pieces, and how to stop them in order. */
class Parts {
  readonly #opts: ServiceOptions;
  readonly #stores: ServiceStores;
  readonly #metrics: Metrics = createMetrics();
  readonly #api: Server;
  readonly #introspection: Server;
  #apiAddr: ListenAddr | undefined;
  #introspectionAddr: ListenAddr | undefined;
  #loop: UpdateLoop | undefined;
  #stopping: Promise<void> | undefined;
  ready = false;

  constructor(opts: ServiceOptions, stores: ServiceStores) {
    this.#opts = opts;
    this.#stores = stores;
    this.#api = createServer(createApiHandler(this.#apiOptions()));
    this.#introspection = createServer(
      createIntrospectionHandler({
        metrics: this.#metrics,
        ready: () => Promise.resolve(this.ready),
      }),
    );
  }

  #apiOptions(): ApiOptions {
    const { config: cfg, mode, log } = this.#opts;
    const { indexer, matcher, auth } = cfg;
    return {
      mode,
      indexStore: this.#stores.indexStore,
      vulnStore: this.#stores.vulnStore,
      log,
      metrics: this.#metrics,
      indexConcurrency: indexer.indexReportRequestConcurrency,
      ...defined('maxBodyBytes', indexer.maxBodyBytes),
      ...defined('layerFetchTimeoutMs', indexer.layerFetchTimeoutMs),
      ...defined('reportMaxAgeSeconds', matcher.reportMaxAgeSeconds),
      ...(auth === undefined
        ? {}
        : { auth: { keys: [auth.key], issuers: auth.issuers } }),
    };
  }

  async listen(): Promise<void> {
    const cfg = this.#opts.config;
    this.#apiAddr = await listen(this.#api, cfg.httpListenAddr);
    this.#introspectionAddr = await listen(
      this.#introspection,
      cfg.introspectionAddr,
    );
  }

  startUpdates(): void {
    const { config: cfg, mode, log } = this.#opts;
    if (mode === 'indexer') return;
    if (cfg.matcher.disableUpdaters) {
      log.info('updaters disabled by configuration');
      return;
    }

    const runs = this.#metrics.updaterRuns;
    this.#loop = startUpdateLoop({
      store: this.#stores.vulnStore,
      sets: this.#opts.sets ?? DEFAULT_UPDATER_SETS,
      period: cfg.matcher.periodMs,
      retention: cfg.matcher.updateRetention,
      log: log.child({ component: 'updates' }),
      onOutcome: (o) => runs.inc({ updater: o.updater, status: o.status }),
      ...defined('mirror', cfg.updaters.mirror),
      ...defined('fetch', this.#opts.fetch),
    });
  }

  running(): RunningService {
    const apiAddr = this.#apiAddr;
    const introspectionAddr = this.#introspectionAddr;
    if (apiAddr === undefined || introspectionAddr === undefined) {
      throw new Error('running() called before listen()');
    }
    return {
      apiAddr,
      introspectionAddr,
      stop: () => this.stop(),
      closeConnections: () => {
        this.#api.closeAllConnections();
        this.#introspection.closeAllConnections();
      },
    };
  }

  stop(): Promise<void> {
    this.#stopping ??= this.#stopInOrder();
    return this.#stopping;
  }

  async #stopInOrder(): Promise<void> {
    this.ready = false;
    await Promise.all([
      closeServer(this.#api),
      closeServer(this.#introspection),
      this.#loop?.stop(),
    ]);
    await this.#stores.close();
  }
}

/** `{ [key]: value }` when value is defined, else `{}`. */
function defined<K extends string, V>(
  key: K,
  value: V | undefined,
): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}
