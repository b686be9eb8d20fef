/**
 * `npm run bench:api`: requests per second of
 * `GET /matcher/api/v1/vulnerability_report/{digest}` for an indexed image,
 * 16 clients at once, against a bare HTTP handler that returns a stored
 * JSON body of the same size, measured in the same run. The figure is the
 * ratio claro / bare. See bench/README.md ("API").
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
const ROUND_MS = 3_000;
const ROUNDS = 3;
/** claro should serve at least this share of the bare handler's rate. */
const GOAL = 0.2;

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
  const store = await openStore(
    process.env['CLARO_BENCH_DB'] ?? join(dir, 'api.db'),
  );
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
  const claro = await listen(
    createApiHandler({
      mode: 'matcher',
      indexStore: store,
      vulnStore: store,
      log,
      metrics: createMetrics(),
    }),
  );
  const path = `/matcher/api/v1/vulnerability_report/${hash}`;
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

  for (const s of [claro.server, bare.server]) {
    s.close();
    s.closeAllConnections();
  }
  await store.close();
  await rm(dir, { recursive: true, force: true });
  print(figures, body.length, failed);
}

function print(
  f: { claro: number[]; bare: number[] },
  bytes: number,
  failed: number,
): void {
  const c = median(f.claro);
  const b = median(f.bare);
  const ratio = c / b;
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
  console.log(`report body: ${bytes} bytes; failed requests: ${failed}`);
  console.log(`claro rounds (rps): ${f.claro.map((x) => x.toFixed(0))}`);
  console.log(`bare rounds (rps):  ${f.bare.map((x) => x.toFixed(0))}`);
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
