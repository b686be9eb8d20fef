/**
 * Acceptance of the service on PostgreSQL: two `claro serve` processes on
 * one database, twenty concurrent POSTs of one three-layer manifest spread
 * over both. Layers come from a local HTTP server; vulnerability data from
 * a mirror holding the real Alpine 3.20 secdb.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  postgresSuiteOptions,
  TEST_POSTGRES,
  withAdmin,
} from '../src/store/testdata/postgres.js';
import { makeTarGz } from '../src/testutil/tar.js';
import { SHARED, tempDir } from './helpers.js';

const ALPINE = `${SHARED}/fixtures/alpine-minirootfs/alpine-minirootfs-3.20.3-x86_64.tar.gz`;
const SECDB = `${SHARED}/data/feeds/alpine/secdb/v3.20/main.json`;
const SCHEMA = `claro_two_${process.pid}_${Date.now().toString(36)}`;
const CONNSTRING =
  `${TEST_POSTGRES}?options=` + encodeURIComponent(`-c search_path=${SCHEMA}`);

const tmp = tempDir('claro-two-');

function sha256(buf: Buffer): string {
  return `sha256:${createHash('sha256').update(buf).digest('hex')}`;
}

/** The Alpine minirootfs, a layer adding files, one whiting one out. */
async function threeLayers(): Promise<Buffer[]> {
  return [
    readFileSync(ALPINE),
    await makeTarGz([
      { name: 'srv/', type: 'directory' },
      { name: 'srv/app.txt', body: 'application\n' },
    ]),
    await makeTarGz([
      { name: 'etc/.wh.motd' },
      { name: 'srv/config.txt', body: 'setting=1\n' },
    ]),
  ];
}

/** Serves `/layer/<i>` and counts requests per path. */
function layerServer(blobs: readonly Buffer[]) {
  const hits = new Map<string, number>();
  const server = createServer((req, res) => {
    const path = req.url ?? '';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const blob = blobs[Number(/^\/layer\/(\d+)$/.exec(path)?.[1] ?? -1)];
    if (blob === undefined) {
      res.statusCode = 404;
      res.end();
      return;
    }
    res.end(blob);
  });
  return { server, hits };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

interface Instance {
  readonly child: ChildProcess;
  readonly api: string;
  readonly intro: string;
  stderr(): string;
  readonly exited: Promise<number | null>;
}

/** Starts `claro serve --mode combo` on the shared schema. */
async function serve(name: string, config: string): Promise<Instance> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('CLARO_')),
  );
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--mode', 'combo'],
    {
      env: {
        ...env,
        CLARO_CONFIG: config,
        CLARO_CACHE_DIR: join(tmp.dir, `cache-${name}`),
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const err: Buffer[] = [];
  child.stderr?.on('data', (c: Buffer) => err.push(c));
  const stderr = () => Buffer.concat(err).toString('utf8');
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', resolve),
  );
  const api = await waitFor(stderr, exited, /^listening on (http:\S+)$/m);
  const intro = await waitFor(stderr, exited, /^introspection on (\S+)$/m);
  return { child, api, intro, stderr, exited };
}

async function waitFor(
  text: () => string,
  exited: Promise<unknown>,
  pattern: RegExp,
): Promise<string> {
  let gone = false;
  void exited.then(() => (gone = true));
  for (;;) {
    const found = pattern.exec(text())?.[1];
    if (found !== undefined) return found;
    if (gone) assert.fail(`claro exited before ${pattern}:\n${text()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Sum of one counter's samples with the given label, from /metrics. */
async function counter(intro: string, name: string, label: string) {
  const text = await (await fetch(`${intro}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) && line.includes(label)) {
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return sum;
}

/** Waits until the matchers have data: the report stops answering 202. */
async function vulnerabilityReport(api: string, hash: string) {
  const url = `${api}/matcher/api/v1/vulnerability_report/${hash}`;
  for (let i = 0; i < 600; i++) {
    const res = await fetch(url);
    if (res.status !== 202)
      return { status: res.status, body: await res.json() };
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`no vulnerability data at ${api} after a minute`);
}

const options = await postgresSuiteOptions();

describe(
  'two claro serve processes on one PostgreSQL database',
  options,
  () => {
    const instances: Instance[] = [];
    let layers: ReturnType<typeof layerServer>;
    let layerBase = '';
    let blobs: Buffer[] = [];

    before(async () => {
      await withAdmin((c) => c.query(`CREATE SCHEMA "${SCHEMA}"`));
      const mirror = join(tmp.dir, 'feeds');
      mkdirSync(join(mirror, 'alpine/secdb/v3.20'), { recursive: true });
      copyFileSync(SECDB, join(mirror, 'alpine/secdb/v3.20/main.json'));
      const config = join(tmp.dir, 'claro.yaml');
      writeFileSync(
        config,
        [
          'http_listen_addr: 127.0.0.1:0',
          'introspection_addr: 127.0.0.1:0',
          'log_level: info',
          `indexer:\n  connstring: "${CONNSTRING}"`,
          `matcher:\n  connstring: "${CONNSTRING}"`,
          `updaters:\n  mirror: ${mirror}`,
          '',
        ].join('\n'),
      );
      blobs = await threeLayers();
      layers = layerServer(blobs);
      layerBase = await listen(layers.server);
      instances.push(
        ...(await Promise.all([serve('a', config), serve('b', config)])),
      );
    });

    after(async () => {
      for (const i of instances) i.child.kill('SIGTERM');
      const codes = await Promise.all(instances.map((i) => i.exited));
      layers?.server.close();
      await withAdmin((c) =>
        c.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`),
      );
      tmp.remove();
      assert.deepEqual(
        codes,
        instances.map(() => 0),
      );
    });

    it('indexes each layer once and gives every client the same reports', async () => {
      const manifest = {
        hash: sha256(Buffer.from(blobs.map((b) => sha256(b)).join('\n'))),
        layers: blobs.map((b, i) => ({
          hash: sha256(b),
          uri: `${layerBase}/layer/${i}`,
          headers: {},
        })),
      };

      const posts = await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          const api = instances[i % 2]!.api;
          const res = await fetch(`${api}/indexer/api/v1/index_report`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify(manifest),
          });
          return { status: res.status, body: await res.text() };
        }),
      );

      assert.deepEqual(
        posts.map((p) => p.status),
        posts.map(() => 201),
        posts.find((p) => p.status !== 201)?.body,
      );
      const reports = posts.map(
        (p) => JSON.parse(p.body) as Record<string, unknown>,
      );
      for (const r of reports) assert.deepEqual(r, reports[0]);
      const first = reports[0] as {
        state: string;
        packages: Record<string, { name: string }>;
        distributions: Record<string, { did: string; version_id: string }>;
      };
      assert.equal(first.state, 'IndexFinished');
      assert.equal(Object.keys(first.packages).length, 14);
      assert.deepEqual(
        Object.values(first.distributions).map((d) => [d.did, d.version_id]),
        [['alpine', '3.20']],
      );

      const scanned = await Promise.all(
        instances.map((i) =>
          counter(i.intro, 'claro_index_layers_total', 'result="scanned"'),
        ),
      );
      assert.equal(
        scanned[0]! + scanned[1]!,
        3,
        `scanned per instance: ${scanned}`,
      );
      for (let i = 0; i < 3; i++) {
        assert.equal(layers.hits.get(`/layer/${i}`), 1, `layer ${i} fetched`);
      }

      const [a, b] = await Promise.all(
        instances.map((i) => vulnerabilityReport(i.api, manifest.hash)),
      );
      assert.equal(a?.status, 200);
      assert.deepEqual(a, b);
      const vulns = Object.keys(
        (a?.body as { vulnerabilities: object }).vulnerabilities,
      );
      assert.ok(vulns.length > 10, `only ${vulns.length} vulnerabilities`);
    });
  },
);
