/**
 * The matcher's update loop: runs the updater sets now and then every
 * period, so that a long-running service keeps its vulnerability data
 * current, as Clair's matcher does with `matcher.period`.
 */
import { ClaroError, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { MAX_TIMER_MS } from '../config/values.js';
import type { Store } from '../store/store.js';
import { runUpdaterSet, type UpdaterOutcome } from '../updater/run.js';
import type { FetchContext, UpdaterSet } from '../updater/updater.js';

/** What `startUpdateLoop` runs, how often, and where it reports. */
export interface UpdateLoopOptions {
  readonly store: Store;
  readonly sets: readonly UpdaterSet[];
  /** Milliseconds from the end of one cycle to the start of the next. */
  readonly period: number;
  /** Update operations kept per updater after each cycle (at least 1). */
  readonly retention: number;
  /** A local feed mirror folder; without one, the upstream URLs. */
  readonly mirror?: string;
  readonly log: Logger;
  /** Called with every updater's outcome, skipped ones included. */
  readonly onOutcome?: (o: UpdaterOutcome) => void;
  /** HTTP client for upstream URLs; the global fetch by default. */
  readonly fetch?: typeof globalThis.fetch;
}

/** A running update loop. */
export interface UpdateLoop {
  /**
   * Runs one more cycle, after the one running if any, and resolves when
   * it ends. The next timed cycle then follows one period later.
   */
  runNow(): Promise<void>;
  /** Resolves when no cycle is running or queued. */
  idle(): Promise<void>;
  /**
   * Stops the timer, aborts upstream fetches in flight, and resolves once
   * the running cycle (if any) has ended. Later calls do nothing.
   */
  stop(): Promise<void>;
}

/**
 * Starts the loop: a first cycle at once, then one every `period` after
 * the previous ended; the timer never keeps the process alive.
 *
 * A cycle takes each set's lock `updater:<set>` with `tryLock`, so that
 * when many instances share one database each set runs on one of them at
 * a time; the others skip it for that cycle. Under the lock, the set's
 * updaters run and each outcome is recorded with `recordUpdaterAttempt`
 * (its time is when the set began). A skipped updater (its source
 * absent) is not an attempt and is not recorded. After the sets, the
 * store keeps `retention` operations per updater. Any failure is logged
 * and the cycle goes on: it never rejects and never crashes the process.
 */
export function startUpdateLoop(opts: UpdateLoopOptions): UpdateLoop {
  checkOptions(opts);
  const loop = new Loop(opts);
  void loop.runNow();
  return loop;
}

function checkOptions(opts: UpdateLoopOptions): void {
  if (!(opts.period > 0 && opts.period <= MAX_TIMER_MS)) {
    throw new ClaroError(
      'INVALID_ARGUMENT',
      `Cannot start update loop: period ${opts.period} ms is not from ` +
        `1 to ${MAX_TIMER_MS}`,
    );
  }
  if (!(Number.isSafeInteger(opts.retention) && opts.retention >= 1)) {
    throw new ClaroError(
      'INVALID_ARGUMENT',
      `Cannot start update loop: retention ${opts.retention} is not an ` +
        'integer of at least 1',
    );
  }
}

class Loop implements UpdateLoop {
  readonly #opts: UpdateLoopOptions;
  readonly #log: Logger;
  readonly #abort = new AbortController();
  /** Settles when the last queued cycle ends; never rejects. */
  #tail: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #stopping = false;

  constructor(opts: UpdateLoopOptions) {
    this.#opts = opts;
    this.#log = opts.log;
  }

  runNow(): Promise<void> {
    this.#tail = this.#tail.then(() => this.#cycle());
    return this.#tail;
  }

  idle(): Promise<void> {
    return this.#tail;
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#timer);
    this.#abort.abort(new Error('the service is stopping'));
    await this.#tail;
  }

  /** One cycle; whatever fails is logged, and the next is scheduled. */
  async #cycle(): Promise<void> {
    if (this.#stopping) return;
    clearTimeout(this.#timer);
    try {
      await this.#runSets();
    } catch (err) {
      this.#log.error({ err: errorMessage(err) }, 'update cycle failed');
    } finally {
      this.#schedule();
    }
  }

  async #runSets(): Promise<void> {
    const started = Date.now();
    this.#log.debug('update cycle started');

    const tally = new Map<string, number>();
    for (const set of this.#opts.sets) {
      if (this.#stopping) break;
      for (const o of await this.#runSet(set)) {
        tally.set(o.status, (tally.get(o.status) ?? 0) + 1);
      }
    }
    await this.#collect();

    const ms = Date.now() - started;
    this.#log.info({ ms, ...Object.fromEntries(tally) }, 'update cycle ended');
  }

  #schedule(): void {
    if (this.#stopping) return;
    this.#timer = setTimeout(() => void this.runNow(), this.#opts.period);
    this.#timer.unref();
  }

  /** The set's outcomes; none when another holder has its lock. */
  async #runSet(set: UpdaterSet): Promise<readonly UpdaterOutcome[]> {
    const log = this.#log.child({ updaterSet: set.name });
    try {
      const res = await this.#opts.store.tryLock(`updater:${set.name}`, () =>
        this.#runLocked(set, log),
      );
      if (res.acquired) return res.value;
      log.debug('updater set locked elsewhere, skipped');
    } catch (err) {
      log.error({ err: errorMessage(err) }, 'updater set not run');
    }
    return [];
  }

  async #runLocked(
    set: UpdaterSet,
    log: Logger,
  ): Promise<readonly UpdaterOutcome[]> {
    const at = new Date().toISOString();
    const outcomes = await runUpdaterSet(this.#opts.store, set, this.#ctx());
    for (const o of outcomes) {
      this.#report(o, log);
      await this.#record(o, at, log);
    }
    return outcomes;
  }

  #ctx(): FetchContext {
    const { mirror, fetch = globalThis.fetch } = this.#opts;
    return {
      fetch,
      log: this.#log,
      signal: this.#abort.signal,
      ...(mirror === undefined ? {} : { mirror }),
    };
  }

  #report(o: UpdaterOutcome, log: Logger): void {
    try {
      this.#opts.onOutcome?.(o);
    } catch (err) {
      log.warn({ err: errorMessage(err) }, 'update outcome callback failed');
    }
  }

  /**
   * Records one attempt. Skipped updaters were not attempted; a failure
   * once stopping began is the shutdown's abort, not the feed's fault.
   */
  async #record(o: UpdaterOutcome, at: string, log: Logger): Promise<void> {
    if (o.status === 'skipped') return;
    if (o.status === 'failed' && this.#abort.signal.aborted) return;

    try {
      await this.#opts.store.recordUpdaterAttempt({
        updater: o.updater,
        at,
        ...(o.error === undefined ? {} : { error: o.error }),
        ...(o.count === undefined ? {} : { records: o.count }),
      });
    } catch (err) {
      log.error(
        { updater: o.updater, err: errorMessage(err) },
        'updater attempt not recorded',
      );
    }
  }

  async #collect(): Promise<void> {
    try {
      const gc = await this.#opts.store.gcUpdateOperations(
        this.#opts.retention,
      );
      this.#log.debug({ ...gc }, 'update operations collected');
    } catch (err) {
      this.#log.error(
        { err: errorMessage(err) },
        'update operations not collected',
      );
    }
  }
}
