import type { Scanner } from '../src/indexer/scanner.js';
import { DEFAULT_SCANNERS } from '../src/indexer/scanners.js';
import type { Matcher } from '../src/matcher/matcher.js';
import { DEFAULT_MATCHERS } from '../src/matcher/registry.js';
import { DEFAULT_UPDATER_SETS } from '../src/updater/registry.js';
import type { UpdaterSet } from '../src/updater/updater.js';

/** The plug-ins the bench runs: claro's built-in defaults. */
export interface Plugins {
  readonly scanners: readonly Scanner[];
  readonly matchers: readonly Matcher[];
  readonly updaterSets: readonly UpdaterSet[];
}

export const PLUGINS: Plugins = {
  scanners: DEFAULT_SCANNERS,
  matchers: DEFAULT_MATCHERS,
  updaterSets: DEFAULT_UPDATER_SETS,
};
