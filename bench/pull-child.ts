/**
 * Child process of `npm run bench:registry`: one scan in a process of its
 * own, so that no run inherits another's heap (the bench process itself
 * holds the feeds it loaded). It opens its store, then times the scan
 * alone and prints one JSON line.
 *
 *   pull-child.mjs pull REF CACHE_DIR STORE   pulls REF from its registry
 *   pull-child.mjs file ARCHIVE STORE         scans an image file
 *
 * With `--warm` first, the child scans the same image WARM_UPS times,
 * untimed, each into a cache folder and store of its own (`CACHE_DIR.warmN`,
 * `STORE.warmN`), so that the timed scan runs on code V8 has compiled, as
 * in a `claro serve` that has indexed before; without it the timed scan
 * is a new process's first, as `claro scan` runs.
 */
import { openImage } from '../src/image/open.js';
import { BlobCache } from '../src/image/registry/blob-cache.js';
import { openRegistryImage } from '../src/image/registry/pull.js';
import { parseReference } from '../src/image/registry/reference.js';
import type { ImageSource } from '../src/image/source.js';
import { silentLogger } from '../src/log.js';
import { scanSource } from '../src/scan.js';
import { openStore } from '../src/store/open.js';

/** What the child prints. */
export interface PullReport {
  /** Wall time of the scan: open (and pull), index, match. */
  readonly ms: number;
  /** CPU time (user + system, every thread) over the same span. */
  readonly cpuMs: number;
  readonly packages: number;
}

const log = silentLogger();
/**
 * Untimed scans before the timed one with `--warm`. V8 goes on compiling
 * claro's hot functions over several scans: scanning the Debian image
 * again and again in one process, the fourth scan still took 1.2 to 1.5
 * times what the sixth and later ones take, and from the sixth on the
 * times stay level.
 */
const WARM_UPS = 5;

async function main(argv: readonly string[]): Promise<PullReport> {
  const warm = argv[0] === '--warm';
  const [mode, what, ...rest] = warm ? argv.slice(1) : argv;
  const storePath = rest[rest.length - 1];
  if ((mode !== 'pull' && mode !== 'file') || !what || !storePath) {
    throw new Error(
      'usage: pull-child.mjs [--warm] pull REF CACHE STORE | file PATH STORE',
    );
  }
  for (let i = 0; warm && i < WARM_UPS; i++) {
    await scan(mode, what, `${rest[0]}.warm${i}`, `${storePath}.warm${i}`);
  }
  return scan(mode, what, rest[0]!, storePath);
}

/** One scan into `storePath`, timed past the store's opening. */
async function scan(
  mode: string,
  what: string,
  cacheDir: string,
  storePath: string,
): Promise<PullReport> {
  const store = await openStore(storePath);
  try {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const source = await open(mode, what, cacheDir);
    const { report } = await scanSource(source, { store, log });
    await source.close();
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    return {
      ms,
      cpuMs: (cpu.user + cpu.system) / 1000,
      packages: Object.keys(report.index.packages).length,
    };
  } finally {
    await store.close();
  }
}

function open(
  mode: string,
  what: string,
  cacheDir: string,
): Promise<ImageSource> {
  if (mode === 'file') return openImage(what);
  return openRegistryImage(parseReference(what), {
    cache: new BlobCache({ dir: cacheDir, maxBytes: 2 * 1024 ** 3 }),
    log,
  });
}

const report = await main(process.argv.slice(2));
process.stdout.write(`${JSON.stringify(report)}\n`);
