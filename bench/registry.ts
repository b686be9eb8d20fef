/**
 * `npm run bench:registry`: the time claro takes to pull and scan the
 * Debian image from a local registry, its blob cache and store empty,
 * divided by the time `skopeo copy` takes to fetch the same image into an
 * empty OCI layout, both measured in the same run against the same
 * registry; and the same with a store holding the vulnerability data (but
 * no layer), so that matching has something to match. See
 * bench/README.md ("Registry").
 */
import { execFile } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { loadedStore, tempDir } from '../test/helpers.js';
import { missingTools, startRegistry } from '../test/registry/harness.js';
import { DEBIAN_ARCHIVE, push } from '../test/registry/images.js';
import { runChild } from './child.js';
import { buildChild } from './childbuild.js';
import type { PullReport } from './pull-child.js';
import { median, ms, now } from './stats.js';

const run = promisify(execFile);
const RUNS = 5;
/** claro's pull-and-scan should take at most this many skopeo copies. */
const GOAL = 1.5;
const CACHE = fileURLToPath(new URL('./.cache', import.meta.url));
/** Linux's USER_HZ, the unit of /proc CPU times. */
const CLOCK_TICKS = 100;

interface Figures {
  /** Empty cache, empty store, in a warmed-up process. */
  readonly claro: number[];
  /** Empty cache, a store with the feeds loaded, warmed-up process. */
  readonly claroWithData: number[];
  /** Empty cache, empty store, a new process's first scan. */
  readonly claroCold: number[];
  readonly skopeo: number[];
  /** CPU time (user + system) of the warm empty-store runs and skopeo. */
  readonly claroCpu: number[];
  readonly skopeoCpu: number[];
  /** The cold runs' whole child processes, start-up included. */
  readonly claroWhole: number[];
  /** The same image scanned from its file, empty store: no download. */
  readonly fromFile: number[];
  packages: number;
}

async function main(): Promise<void> {
  const missing = missingTools();
  if (missing.length > 0) {
    throw new Error(`install the Debian packages ${missing.join(' ')}`);
  }
  const tmp = tempDir('claro-bench-registry-');
  const registry = await startRegistry();
  try {
    progress(`registry on ${registry.host}; pushing the Debian image`);
    await push(registry, `oci-archive:${DEBIAN_ARCHIVE}`, 'debian:12', 'oci');
    mkdirSync(join(tmp.dir, 'template'));
    await (await loadedStore(join(tmp.dir, 'template'))).close();
    const template = join(tmp.dir, 'template', 'claro.db');
    const ref = `${registry.host}/debian:12`;
    const child = await buildChild('pull-child', CACHE);
    const figures = await measure({ child, ref, template, dir: tmp.dir });
    print(figures);
  } finally {
    await registry.stop();
    tmp.remove();
  }
}

/** One untimed run of each, then RUNS timed rounds, alternating. */
async function measure(o: {
  child: string;
  ref: string;
  template: string;
  dir: string;
}): Promise<Figures> {
  let n = 0;
  const fresh = (what: string) => join(o.dir, `${what}-${++n}`);
  const pull = (db: string, warm: boolean) =>
    claroPull(o.child, { ref: o.ref, cacheDir: fresh('cache'), db, warm });
  const f: Figures = {
    claro: [],
    claroWithData: [],
    claroCold: [],
    skopeo: [],
    claroCpu: [],
    skopeoCpu: [],
    claroWhole: [],
    fromFile: [],
    packages: 0,
  };
  progress(`${RUNS} rounds after a warm-up`);
  await pull(copy(o.template, fresh('db')), false);
  await skopeoCopy(o.ref, fresh('layout'));
  for (let i = 0; i < RUNS; i++) {
    const c = await pull(fresh('empty.db'), true);
    f.claro.push(c.report.ms);
    f.claroCpu.push(c.report.cpuMs);
    f.packages = c.report.packages;
    const sk = await skopeoCopy(o.ref, fresh('layout'));
    f.skopeo.push(sk.ms);
    f.skopeoCpu.push(sk.cpuMs);
    const db = copy(o.template, fresh('db'));
    f.claroWithData.push((await pull(db, true)).report.ms);
    const cold = await pull(fresh('empty.db'), false);
    f.claroCold.push(cold.report.ms);
    f.claroWhole.push(cold.wholeMs);
    f.fromFile.push(await fileScan(o.child, fresh('file.db')));
  }
  return f;
}

/**
 * Copies the template store and flushes the copy to disk, so that the
 * kernel's write-back of its ~150 MiB does not land in the timed run.
 */
function copy(from: string, to: string): string {
  copyFileSync(from, to);
  const fd = openSync(to, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return to;
}

/**
 * What `claro scan REF` does past its start-up, in a child process of its
 * own: connect, resolve the manifest, fetch every layer (into the empty
 * cache) while indexing it, and match the report against the store. A
 * `warm` child first does the same, untimed, into a cache and store of
 * its own (see pull-child.ts).
 */
function claroPull(
  child: string,
  o: { ref: string; cacheDir: string; db: string; warm: boolean },
) {
  const args = [...(o.warm ? ['--warm'] : []), 'pull', o.ref, o.cacheDir];
  return runChild<PullReport>(child, [...args, o.db], `pull ${o.ref}`);
}

/** The Debian image scanned from its oci-archive into an empty store. */
async function fileScan(child: string, db: string): Promise<number> {
  const args = ['--warm', 'file', DEBIAN_ARCHIVE, db];
  const what = `scan ${DEBIAN_ARCHIVE}`;
  return (await runChild<PullReport>(child, args, what)).report.ms;
}

/** `skopeo copy docker://REF oci:DIR` into an empty layout. */
async function skopeoCopy(
  ref: string,
  dir: string,
): Promise<{ ms: number; cpuMs: number }> {
  const cpu0 = childrenCpuMs();
  const t0 = now();
  await run('skopeo', [
    'copy',
    '--quiet',
    '--src-tls-verify=false',
    `docker://${ref}`,
    `oci:${dir}`,
  ]);
  return { ms: now() - t0, cpuMs: childrenCpuMs() - cpu0 };
}

/**
 * CPU time of this process's children that have ended (`cutime` and
 * `cstime` of /proc/self/stat, proc(5)), in ms; 0 where there is none.
 */
function childrenCpuMs(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 16 and 17 of the whole line; 3 is the first after the name.
    const ticks = Number(fields[13]) + Number(fields[14]);
    return (ticks * 1000) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

function print(f: Figures): void {
  const s = median(f.skopeo);
  const row = (name: string, runs: number[]) => {
    const c = median(runs);
    const ratio = c / s;
    return [
      name,
      ms(c),
      `skopeo copy ${ms(s)}`,
      ratio.toFixed(3),
      `<= ${GOAL}`,
      ratio <= GOAL ? 'yes' : 'NO',
    ];
  };
  const rows = [
    ['figure', 'value', 'baseline', 'ratio', 'goal', 'met'],
    row('pull and scan, empty cache and store', f.claro),
    row('the same, store with vulnerability data', f.claroWithData),
  ];
  const widths = rows[0]!.map((_, i) =>
    Math.max(...rows.map((r) => r[i]!.length)),
  );
  for (const r of rows) {
    console.log(r.map((cell, i) => cell.padEnd(widths[i]!)).join('  '));
  }
  console.log();
  const list = (xs: number[]) =>
    `${ms(median(xs))} median; ${xs.map(ms).join(', ')}`;
  const times = (xs: number[]) => (median(xs) / s).toFixed(2);
  console.log(`packages found: ${f.packages}`);
  console.log(`claro runs (empty store):  ${f.claro.map(ms).join(', ')}`);
  console.log(
    `claro runs (with data):    ${f.claroWithData.map(ms).join(', ')}`,
  );
  console.log(`skopeo runs:               ${f.skopeo.map(ms).join(', ')}`);
  console.log(
    `a new process's first pull and scan (as claro scan runs, V8 ` +
      `compiling claro's code as it goes): ${list(f.claroCold)}; ` +
      `${times(f.claroCold)} times skopeo`,
  );
  console.log(
    `  the same processes whole (Node's start-up and module loading ` +
      `included): ${list(f.claroWhole)}; ${times(f.claroWhole)} times skopeo`,
  );
  console.log(
    `the same image scanned from its file (empty store, no download): ` +
      list(f.fromFile),
  );
  const cpu = median(f.claroCpu) / median(f.skopeoCpu);
  console.log(
    `CPU time, medians: claro ${ms(median(f.claroCpu))} (empty store), ` +
      `skopeo ${ms(median(f.skopeoCpu))}: ${cpu.toFixed(2)} times; ` +
      'wall times on a busy machine follow this ratio more than the ' +
      'idle one',
  );
}

function progress(what: string): void {
  process.stderr.write(`bench registry: ${what}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(
    `bench failed: ${err instanceof Error ? err.stack : String(err)}\n`,
  );
  process.exitCode = 1;
});
