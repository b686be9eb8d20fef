/** Test helpers shared by the service's tests. */
import type { Updater, UpdaterSet } from '../../updater/updater.js';

/** A promise and the function that resolves it. */
export function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => {};
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** A set of one updater whose fetch runs `fetch` and parses to nothing. */
export function setOf(name: string, fetch: Updater['fetch']): UpdaterSet {
  const updater: Updater = {
    name,
    fetch,
    parse: () => ({ vulnerabilities: [], coverage: [] }),
  };
  return { name, updaters: () => Promise.resolve([updater]) };
}
