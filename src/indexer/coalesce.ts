import type { LayerRecord } from '../layer/record.js';
import { ancestors } from '../layer/paths.js';
import { canonicalPath } from './ownership.js';
import type {
  Environment,
  IndexedDistribution,
  IndexedPackage,
  PackageSet,
} from './report.js';
import type {
  DistributionFinding,
  Notice,
  OwnershipFinding,
  PackageOwner,
  PackageRecord,
  ScanResult,
} from './types.js';

/** One layer's reader record and every scanner's findings in it. */
export interface IndexedLayer {
  /** Layer digest; empty for a root filesystem folder. */
  readonly digest: string;
  readonly record: LayerRecord;
  readonly results: readonly ScanResult[];
}

/** The image's final view, computed from its layers bottom-up. */
export interface Coalesced {
  readonly distribution: IndexedDistribution | undefined;
  readonly installed: PackageSet;
  readonly lowerLayersOnly: PackageSet;
  readonly notices: readonly Notice[];
}

/**
 * Combines per-layer findings following the OCI image spec's layer
 * semantics: a path's visible version is the one in the highest layer
 * that has it, unless a layer above removes it (a whiteout of it or of a
 * folder above it, an opaque folder above it, or a non-folder entry in
 * place of a folder above it). Packages of lower versions of a package
 * database that the final filesystem no longer lists are kept apart.
 *
 * A language package (one with an `ecosystem`) whose `packageDb` an OS
 * package's file list names gets `ownedBy`: in the final view, from the
 * lists visible at the top; in the lower-layers-only view, from any list
 * of any layer.
 */
export function coalesce(layers: readonly IndexedLayer[]): Coalesced {
  const distribution = chooseDistribution(layers);
  const distId = distribution ? distribution.id : '';
  const sets = coalescePackages(layers, distId);
  const notices = layers.flatMap((l) => l.results.flatMap((r) => r.notices));
  return { distribution, ...sets, notices };
}

/** Whether `path` as found in layer `at` survives every layer above it. */
export function visible(
  layers: readonly IndexedLayer[],
  path: string,
  at: number,
): boolean {
  const above = ancestors(path);
  for (let j = at + 1; j < layers.length; j++) {
    if (removes(layers[j]!.record, path, above)) return false;
  }
  return true;
}

/** A layer record's lists as sets, built once per record. */
interface RecordSets {
  readonly paths: ReadonlySet<string>;
  readonly whiteouts: ReadonlySet<string>;
  readonly opaqueDirs: ReadonlySet<string>;
  readonly replaced: ReadonlySet<string>;
}

const recordSets = new WeakMap<LayerRecord, RecordSets>();

/**
 * Records list every selected path (executables and language manifests
 * make thousands), so lookups go through sets.
 */
function setsOf(rec: LayerRecord): RecordSets {
  let sets = recordSets.get(rec);
  if (!sets) {
    sets = {
      paths: new Set(rec.paths),
      whiteouts: new Set(rec.whiteouts),
      opaqueDirs: new Set(rec.opaqueDirs),
      replaced: new Set(rec.replaced),
    };
    recordSets.set(rec, sets);
  }
  return sets;
}

function removes(rec: LayerRecord, path: string, above: string[]): boolean {
  const s = setsOf(rec);
  if (s.paths.has(path) || s.whiteouts.has(path)) return true;
  return above.some(
    (d) => s.whiteouts.has(d) || s.opaqueDirs.has(d) || s.replaced.has(d),
  );
}

/**
 * The most authoritative distribution finding still visible at the top:
 * lowest priority number first, then the highest layer.
 */
function chooseDistribution(
  layers: readonly IndexedLayer[],
): IndexedDistribution | undefined {
  let best: { f: DistributionFinding; layer: number } | undefined;
  layers.forEach((layer, i) => {
    for (const r of layer.results) {
      for (const f of r.distributions) {
        if (!visible(layers, f.path, i)) continue;
        if (!best || f.priority <= best.f.priority) best = { f, layer: i };
      }
    }
  });
  return best ? { id: '1', ...best.f.distribution } : undefined;
}

/** Occurrences of one package database file across layers. */
interface DbHistory {
  /** Layer index → packages the file lists there (layers holding it). */
  readonly byLayer: Map<number, readonly PackageRecord[]>;
}

function coalescePackages(layers: readonly IndexedLayer[], distId: string) {
  const dbs = new Map<string, DbHistory>();
  layers.forEach((layer, i) => {
    for (const r of layer.results) {
      for (const f of r.packages) {
        const h = dbs.get(f.path) ?? { byLayer: new Map() };
        h.byLayer.set(i, f.packages);
        dbs.set(f.path, h);
      }
    }
  });

  const installed = new Builder(distId, ownersOf(layers, 'visible'));
  const lower = new Builder(distId, ownersOf(layers, 'any'));
  for (const [path, h] of dbs) collectInstalled(layers, path, h, installed);
  for (const [path, h] of dbs) collectLower(layers, path, h, installed, lower);
  const built = installed.build(0);
  const offset = Object.keys(built.packages).length;
  return { installed: built, lowerLayersOnly: lower.build(offset) };
}

/**
 * Owned file (canonical, see ownership.ts) → its OS package. `visible`:
 * from each listing file's top holder, when the listing is visible at
 * the top; `any`: from every layer's listings, higher layers last.
 */
function ownersOf(
  layers: readonly IndexedLayer[],
  which: 'visible' | 'any',
): Map<string, PackageOwner> {
  const found = new Map<string, Map<number, OwnershipFinding>>();
  layers.forEach((layer, i) => {
    for (const r of layer.results) {
      for (const f of r.owned ?? []) {
        const h = found.get(f.path) ?? new Map<number, OwnershipFinding>();
        found.set(f.path, h.set(i, f));
      }
    }
  });

  const out = new Map<string, PackageOwner>();
  for (const [path, h] of found) {
    for (const f of chosenListings(layers, path, h, which)) {
      for (const o of f.owners) {
        for (const file of o.files) {
          out.set(file, { name: o.name, listedIn: path });
        }
      }
    }
  }
  return out;
}

function chosenListings(
  layers: readonly IndexedLayer[],
  path: string,
  byLayer: ReadonlyMap<number, OwnershipFinding>,
  which: 'visible' | 'any',
): OwnershipFinding[] {
  if (which === 'any') return [...byLayer.values()];
  const top = layersHolding(layers, path).at(-1);
  if (top === undefined || !visible(layers, path, top)) return [];
  const f = byLayer.get(top);
  return f ? [f] : [];
}

function collectInstalled(
  layers: readonly IndexedLayer[],
  path: string,
  h: DbHistory,
  out: Builder,
): void {
  const holders = layersHolding(layers, path);
  const top = holders[holders.length - 1];
  if (top === undefined || !visible(layers, path, top)) return;

  for (const pkg of h.byLayer.get(top) ?? []) {
    let first = top;
    for (let k = holders.length - 2; k >= 0; k--) {
      const i = holders[k]!;
      if (!listed(h.byLayer.get(i), pkg)) break;
      first = i;
    }
    out.add(pkg, path, { introducedIn: layers[first]!.digest });
  }
}

function collectLower(
  layers: readonly IndexedLayer[],
  path: string,
  h: DbHistory,
  installed: Builder,
  out: Builder,
): void {
  const holders = layersHolding(layers, path);
  const seen = new Map<
    string,
    { pkg: PackageRecord; first: number; last: number }
  >();
  for (const i of holders) {
    for (const pkg of h.byLayer.get(i) ?? []) {
      const key = packageKey(pkg);
      if (installed.has(key)) continue;
      const s = seen.get(key);
      seen.set(key, { pkg, first: s?.first ?? i, last: i });
    }
  }
  for (const { pkg, first, last } of seen.values()) {
    const removedIn = removingLayer(layers, path, last);
    out.add(pkg, path, { introducedIn: layers[first]!.digest, removedIn });
  }
}

/** Indexes of layers that hold `path` (file or link), bottom first. */
function layersHolding(layers: readonly IndexedLayer[], path: string) {
  const out: number[] = [];
  layers.forEach((l, i) => {
    if (setsOf(l.record).paths.has(path)) out.push(i);
  });
  return out;
}

/** Digest of the first layer above `at` that replaces or removes `path`. */
function removingLayer(
  layers: readonly IndexedLayer[],
  path: string,
  at: number,
): string {
  const above = ancestors(path);
  for (let j = at + 1; j < layers.length; j++) {
    if (removes(layers[j]!.record, path, above)) return layers[j]!.digest;
  }
  return '';
}

function listed(
  list: readonly PackageRecord[] | undefined,
  pkg: PackageRecord,
) {
  const key = packageKey(pkg);
  return (list ?? []).some((p) => packageKey(p) === key);
}

/** Identity of a package across layers: same name, version, arch, db. */
export function packageKey(p: PackageRecord): string {
  const src = p.source ? `${p.source.name}@${p.source.version}` : '';
  return [p.packageDb, p.name, p.version, p.arch ?? '', src].join('\u0000');
}

/** Accumulates packages and environments with stable ids. */
class Builder {
  private readonly entries = new Map<
    string,
    { pkg: PackageRecord; envs: Environment[] }
  >();

  /** `owners`: owned file (canonical) → OS package, from ownersOf. */
  constructor(
    private readonly distId: string,
    private readonly owners: ReadonlyMap<string, PackageOwner>,
  ) {}

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** Adds `pkg`, found in the database file at layer path `db`. */
  add(
    pkg: PackageRecord,
    db: string,
    env: { introducedIn: string; removedIn?: string },
  ): void {
    const key = packageKey(pkg);
    const e = this.entries.get(key) ?? { pkg: this.owned(pkg, db), envs: [] };
    e.envs.push({
      packageDb: pkg.packageDb,
      introducedIn: env.introducedIn,
      distributionId: this.distId,
      ...(env.removedIn !== undefined ? { removedIn: env.removedIn } : {}),
    });
    this.entries.set(key, e);
  }

  /** `pkg`, with its owner when it is a language package an OS one owns. */
  private owned(pkg: PackageRecord, db: string): PackageRecord {
    if (pkg.ecosystem === undefined || this.owners.size === 0) return pkg;
    const owner = this.owners.get(canonicalPath(db));
    return owner ? { ...pkg, ownedBy: owner } : pkg;
  }

  /**
   * Ids are assigned in name order so reports are reproducible, from
   * `offset + 1` so that ids stay unique across the report's two sets.
   */
  build(offset: number): PackageSet {
    const sorted = [...this.entries.values()].sort((a, b) =>
      compareText(packageKey(a.pkg), packageKey(b.pkg), a.pkg, b.pkg),
    );
    const packages: Record<string, IndexedPackage> = {};
    const environments: Record<string, Environment[]> = {};
    sorted.forEach((e, i) => {
      const id = String(offset + i + 1);
      packages[id] = { id, ...e.pkg };
      environments[id] = e.envs;
    });
    return { packages, environments };
  }
}

function compareText(
  ka: string,
  kb: string,
  a: PackageRecord,
  b: PackageRecord,
): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
