import { alpineSecdbSet } from '../alpine/secdb.js';
import { securityListUpdater } from '../debian/security-list.js';
import { trackerUpdater } from '../debian/tracker-json.js';
import { osvUpdaterSet } from '../osv/updater.js';
import type { Updater, UpdaterSet } from './updater.js';

/** A set holding exactly one updater, for feeds that are a single run. */
export function singleUpdaterSet(updater: Updater): UpdaterSet {
  return {
    name: updater.name,
    updaters: () => Promise.resolve([updater]),
  };
}

/**
 * The built-in updater families, in the order they run. Each fetch
 * resolves undefined when its source is absent, so a partial mirror
 * runs what it has.
 */
export const DEFAULT_UPDATER_SETS: readonly UpdaterSet[] = [
  singleUpdaterSet(securityListUpdater),
  singleUpdaterSet(trackerUpdater),
  alpineSecdbSet,
  osvUpdaterSet,
];
