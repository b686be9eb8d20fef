import type { LockResult } from './store.js';

/**
 * Named locks within one process: what `Store.withLock` means for an
 * engine that no other process shares (SQLite). Waiters queue in arrival
 * order; a lock is released when its callback settles, whatever the
 * outcome.
 */
export class ProcessLocks {
  /** Tail of each held lock's queue: settles when the last holder ends. */
  readonly #tails = new Map<string, Promise<void>>();

  async withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.#tails.get(name);
    let release = (): void => {};
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = (prev ?? Promise.resolve()).then(() => mine);
    this.#tails.set(name, tail);

    try {
      if (prev !== undefined) await prev;
      return await fn();
    } finally {
      release();
      if (this.#tails.get(name) === tail) this.#tails.delete(name);
    }
  }

  async tryLock<T>(name: string, fn: () => Promise<T>): Promise<LockResult<T>> {
    if (this.#tails.has(name)) return { acquired: false };

    return { acquired: true, value: await this.withLock(name, fn) };
  }
}
