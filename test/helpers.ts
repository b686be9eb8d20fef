import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openImage } from '../src/image/open.js';
import { silentLogger } from '../src/log.js';
import type { VulnerabilityReport } from '../src/matcher/report.js';
import { scanSource } from '../src/scan.js';
import { openStore } from '../src/store/open.js';
import type { Store } from '../src/store/store.js';
import { DEFAULT_UPDATER_SETS } from '../src/updater/registry.js';
import { runUpdaters } from '../src/updater/run.js';

export const SHARED = '../shared';
export const FEEDS = `${SHARED}/data/feeds`;
export const log = silentLogger();

/** A temporary folder removed by the returned function. */
export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A SQLite store in `dir` loaded from the shared feed mirror. */
export async function loadedStore(dir: string): Promise<Store> {
  const store = await openStore(join(dir, 'claro.db'));
  const ctx = { fetch: noNetwork, log, mirror: FEEDS };
  const outcomes = await runUpdaters(store, DEFAULT_UPDATER_SETS, ctx);
  const failed = outcomes.filter((o) => o.status === 'failed');
  if (failed.length > 0) throw new Error(JSON.stringify(failed));
  return store;
}

/** Tests never reach the network. */
export const noNetwork: typeof fetch = async (input) => {
  throw new Error(`test tried to fetch ${String(input)}`);
};

/** Indexes and matches an image the way `claro scan` does. */
export async function scanImage(
  path: string,
  store: Store,
): Promise<VulnerabilityReport & { reused: number; scanned: number }> {
  const source = await openImage(path);
  try {
    const { report, stats } = await scanSource(source, { store, log });
    return { ...report, ...stats };
  } finally {
    await source.close();
  }
}

/** package name → sorted vulnerability names, for one package set. */
export function vulnsByPackage(
  r: VulnerabilityReport,
  lower = false,
): Record<string, string[]> {
  const set = lower ? r.index.lowerLayersOnly : r.index;
  const links = lower
    ? r.lowerLayersOnlyVulnerabilities
    : r.packageVulnerabilities;
  const out: Record<string, string[]> = {};
  for (const [id, vids] of Object.entries(links)) {
    const pkg = set.packages[id]!;
    out[pkg.name] = vids.map((v) => r.vulnerabilities[v]!.name).sort();
  }
  return out;
}
