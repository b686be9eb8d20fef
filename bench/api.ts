/**
 * `npm run bench:api`: requests per second of
 * `GET /matcher/api/v1/vulnerability_report/{digest}` for an indexed image,
 * 16 clients at once, against a bare HTTP handler that returns a stored
 * JSON body of the same size, measured in the same run. The figure is the
 * ratio claro / bare; below it, the time of one report matched anew (the
 * report cache off), as the first request after an update pays. Set
 * CLARO_BENCH_DB to a PostgreSQL connection string to bench that engine.
 * See bench/README.md ("API").
 */
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

import { createMetrics } from '../src/api/metrics.js';
import { createApiHandler } from '../src/api/server.js';
import { openImage } from '../src/image/open.js';
import { indexImage } from '../src/indexer/indexer.js';
import { DEFAULT_SCANNERS } from '../src/indexer/scanners.js';
import { silentLogger } from '../src/log.js';
import { openStore } from '../src/store/open.js';
import type { Store } from '../src/store/store.js';
import { DEFAULT_UPDATER_SETS } from '../src/updater/registry.js';
import { runUpdaters } from '../src/updater/run.js';
import { median } from './stats.js';

const IMAGE =
  '../shared/fixtures/alpine-minirootfs/alpine-minirootfs-3.20.3-x86_64.tar.gz';
const FEEDS = '../shared/data/feeds';
const CLIENTS = 16;
const ROUND_MS = 2_000;
const ROUNDS = 8;
/** Requests timed one at a time with the report cache off. */
const UNCACHED_REQUESTS = 30;
const DB = process.env['CLARO_BENCH_DB'];
const ENGINE: Engine =
  DB !== undefined && /^postgres(ql)?:/.test(DB) ? 'PostgreSQL' : 'SQLite';

type Engine = 'SQLite' | 'PostgreSQL';

/**
 * The share of the bare handler's rate claro should serve. Every request
 * reads the report's two versions from the store before answering from
 * the report cache: in-process on SQLite, one round trip to the server
 * on PostgreSQL, which costs the client library more than the cached
 * answer itself. See bench/README.md ("API").
 */
const GOALS: Readonly<Record<Engine, number>> = {
  SQLite: 0.5,
  PostgreSQL: 0.3,
};
const GOAL = GOALS[ENGINE];

const log = silentLogger();

/**
 * The load generator, in a worker thread so that its event loop does not
 * share the servers' one: CLIENTS keep-alive connections, each sending
 * its next request when the previous answer has been read, for ROUND_MS.
 */
const CLIENT = `
const { workerData, parentPort } = require('node:worker_threads');
const http = require('node:http');
const { url, clients, ms } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
let done = 0, failed = 0;
const end = Date.now() + ms;
function one() {
  return new Promise((resolve) => {
    http.get(url, { agent }, (res) => {
      res.on('data', () => {});
      res.on('end', () => {
        if (res.statusCode === 200) done++; else failed++;
        resolve();
      });
    }).on('error', () => { failed++; resolve(); });
  });
}
async function client() { while (Date.now() < end) await one(); }
const start = Date.now();
Promise.all(Array.from({ length: clients }, client)).then(() => {
  agent.destroy();
  parentPort.postMessage({ done, failed, ms: Date.now() - start });
});
`;

interface Load {
  readonly rps: number;
  readonly failed: number;
}

async function load(url: string): Promise<Load> {
  const worker = new Worker(CLIENT, {
    eval: true,
    workerData: { url, clients: CLIENTS, ms: ROUND_MS },
  });
  const [msg] = (await once(worker, 'message')) as [
    { done: number; failed: number; ms: number },
  ];
  await worker.terminate();
  return { rps: (msg.done * 1000) / msg.ms, failed: msg.failed };
}

async function listen(handler: RequestListener): Promise<{
  server: Server;
  base: string;
}> {
  const server = createServer({ keepAliveTimeout: 10_000 }, handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { server, base: `http://127.0.0.1:${port}` };
}

/** A store with the mirror's feeds and the image indexed. */
async function prepare(dir: string): Promise<{ store: Store; hash: string }> {
  const store = await openStore(DB ?? join(dir, 'api.db'));
  const noNetwork: typeof fetch = async () => {
    throw new Error('the API bench reads feeds from the mirror only');
  };
  await runUpdaters(store, DEFAULT_UPDATER_SETS, {
    fetch: noNetwork,
    log,
    mirror: FEEDS,
  });
  const source = await openImage(IMAGE);
  try {
    const opts = { store, scanners: DEFAULT_SCANNERS, log };
    const { report } = await indexImage(source, opts);
    return { store, hash: report.manifestHash };
  } finally {
    await source.close();
  }
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'claro-bench-api-'));
  const { store, hash } = await prepare(dir);
  const path = `/matcher/api/v1/vulnerability_report/${hash}`;
  const claro = await listen(apiHandler(store));
  const uncached = await listen(apiHandler(store, { reportCacheBytes: 0 }));
  const sample = await fetch(claro.base + path);
  if (sample.status !== 200) {
    throw new Error(`claro answered ${sample.status} for ${path}`);
  }
  const body = Buffer.from(await sample.arrayBuffer());
  const bare = await listen((_req, res) => {
    res.setHeader('Content-Type', 'application/json');
    res.end(body);
  });

  const figures = { claro: [] as number[], bare: [] as number[] };
  let failed = 0;
  progress(`${ROUNDS} rounds of ${ROUND_MS} ms, ${CLIENTS} clients`);
  await load(bare.base + path);
  await load(claro.base + path);
  for (let i = 0; i < ROUNDS; i++) {
    const b = await load(bare.base + path);
    const c = await load(claro.base + path);
    figures.bare.push(b.rps);
    figures.claro.push(c.rps);
    failed += b.failed + c.failed;
  }
  progress(`${UNCACHED_REQUESTS} requests one at a time, cache off`);
  const missMs = await sequentialMs(uncached.base + path, UNCACHED_REQUESTS);

  for (const s of [claro.server, uncached.server, bare.server]) {
    s.close();
    s.closeAllConnections();
  }
  await store.close();
  await rm(dir, { recursive: true, force: true });
  print(figures, { bytes: body.length, failed, missMs });
}

/** claro's API in matcher mode on one store, as `claro serve` has it. */
function apiHandler(
  store: Store,
  extra: { reportCacheBytes?: number } = {},
): RequestListener {
  return createApiHandler({
    mode: 'matcher',
    indexStore: store,
    vulnStore: store,
    log,
    metrics: createMetrics(),
    ...extra,
  });
}

/**
 * Median milliseconds of `n` requests sent one after another: with the
 * report cache off, each matches the index report again, as the first
 * request after an update does.
 */
async function sequentialMs(url: string, n: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    const res = await fetch(url);
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`uncached answer ${res.status}`);
    times.push(performance.now() - start);
  }
  return median(times);
}

function print(
  f: { claro: number[]; bare: number[] },
  info: { bytes: number; failed: number; missMs: number },
): void {
  const c = median(f.claro);
  const b = median(f.bare);
  const ratio = median(f.claro.map((x, i) => x / f.bare[i]!));
  const rows = [
    ['figure', 'value', 'baseline', 'ratio', 'goal', 'met'],
    [
      'vulnerability_report rps',
      c.toFixed(0),
      `bare ${b.toFixed(0)}`,
      ratio.toFixed(3),
      `>= ${GOAL}`,
      ratio >= GOAL ? 'yes' : 'NO',
    ],
  ];
  const widths = rows[0]!.map((_, i) =>
    Math.max(...rows.map((r) => r[i]!.length)),
  );
  for (const r of rows) {
    console.log(r.map((cell, i) => cell.padEnd(widths[i]!)).join('  '));
  }
  console.log();
  console.log(`store: ${ENGINE}`);
  console.log(`report body: ${info.bytes} bytes; failed: ${info.failed}`);
  console.log(`claro rounds (rps): ${f.claro.map((x) => x.toFixed(0))}`);
  console.log(`bare rounds (rps):  ${f.bare.map((x) => x.toFixed(0))}`);
  console.log(
    `ratio: the median of each round's claro / the bare round before it`,
  );
  console.log(
    `uncached report (cache off, one at a time): ` +
      `median ${info.missMs.toFixed(2)} ms`,
  );
}

function progress(what: string): void {
  process.stderr.write(`bench api: ${what}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(
    `bench failed: ${err instanceof Error ? err.stack : String(err)}\n`,
  );
  process.exitCode = 1;
});
