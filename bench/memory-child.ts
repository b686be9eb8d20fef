/**
 * Child process of the memory figures: scans one image against a copy of
 * the vulnerability store and prints one JSON line with its peak resident
 * set. With `--idle` it loads the same modules and opens the store but
 * scans nothing: the floor every scan stands on.
 */
import { readFileSync } from 'node:fs';
import { PLUGINS } from './plugins.js';
import { scanImage } from './scan.js';
import { freshStore, removeDatabase } from './store.js';

/** What the child prints. */
export interface ChildReport {
  readonly peakBytes: number;
  readonly ms: number;
  readonly packages: number;
  readonly vulnerabilities: number;
}

/**
 * Peak resident set: VmHWM of /proc/self/status (kB) where there is one,
 * else getrusage's ru_maxrss (kB on Linux).
 */
export function peakResidentBytes(): number {
  try {
    const status = readFileSync('/proc/self/status', 'latin1');
    const m = /^VmHWM:\s+(\d+) kB/m.exec(status);
    if (m) return Number(m[1]) * 1024;
  } catch {
    // Not Linux: fall through to getrusage.
  }
  return process.resourceUsage().maxRSS * 1024;
}

async function main(argv: readonly string[]): Promise<ChildReport> {
  const [image, template, storePath] = argv;
  if (!image || !template || !storePath) {
    throw new Error('usage: memory-child.ts IMAGE|--idle TEMPLATE STORE');
  }
  const store = await freshStore({ path: template }, storePath);
  try {
    if (image === '--idle') {
      return {
        peakBytes: peakResidentBytes(),
        ms: 0,
        packages: 0,
        vulnerabilities: 0,
      };
    }
    const t = await scanImage(image, store, PLUGINS);
    const { packages, vulnerabilities } = t;
    return {
      peakBytes: peakResidentBytes(),
      ms: t.total,
      packages,
      vulnerabilities,
    };
  } finally {
    await store.close();
    await removeDatabase(storePath);
  }
}

const report = await main(process.argv.slice(2));
process.stdout.write(`${JSON.stringify(report)}\n`);
