import type { DistributionRecord, Notice, PackageRecord } from './types.js';

/** Clair's index states, as its API reports them. */
export type IndexState = 'IndexStarted' | 'IndexFinished' | 'IndexError';

/** Where and how a package was found, as Clair's Environment. */
export interface Environment {
  readonly packageDb: string;
  /** Digest of the layer that introduced the package; empty when unknown. */
  readonly introducedIn: string;
  readonly distributionId: string;
  /** For lower-layers-only packages: the layer that removed it. */
  readonly removedIn?: string;
}

export interface IndexedPackage extends PackageRecord {
  readonly id: string;
}

export interface IndexedDistribution extends DistributionRecord {
  readonly id: string;
}

/** Packages and where they were found, keyed by package id. */
export interface PackageSet {
  readonly packages: Readonly<Record<string, IndexedPackage>>;
  readonly environments: Readonly<Record<string, readonly Environment[]>>;
}

/**
 * The index of one image: the packages of its final filesystem, those only
 * lower layers hold, its distribution, and what the user should know.
 */
export interface IndexReport extends PackageSet {
  readonly manifestHash: string;
  readonly state: IndexState;
  readonly distributions: Readonly<Record<string, IndexedDistribution>>;
  /** Packages present in some layer but not in the final filesystem. */
  readonly lowerLayersOnly: PackageSet;
  /** Layer digests, bottom first. */
  readonly layers: readonly string[];
  readonly notices: readonly Notice[];
  readonly success: boolean;
  readonly err: string;
  /**
   * The indexer state (`indexState` in state.ts) of the scanners that made
   * the report, set by the HTTP service when it stores one: the service
   * indexes again a stored report whose state is absent or differs.
   */
  readonly indexState?: string;
}
