import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { signJwt } from '../api/jwt.js';
import type { Config, ServeMode } from '../config/config.js';
import { loadConfig } from '../config/load.js';
import { isClaroError } from '../errors.js';
import { silentLogger } from '../log.js';
import { openStore } from '../store/open.js';
import {
  dropSchemas,
  freshSchema,
  postgresSuiteOptions,
  TEST_POSTGRES,
} from '../store/testdata/postgres.js';
import { startService, type RunningService } from './service.js';
import { openServiceStores, storePlan } from './stores.js';
import { httpUrl } from './listen.js';
import { setOf, signal } from './testdata/updaters.js';

const log = silentLogger();
const root = mkdtempSync(join(tmpdir(), 'claro-service-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A mirror holding one small real feed: Alpine 3.19 main. */
const mirror = join(root, 'feeds');
mkdirSync(join(mirror, 'alpine/secdb/v3.19'), { recursive: true });
copyFileSync(
  '../shared/data/feeds/alpine/secdb/v3.19/main.json',
  join(mirror, 'alpine/secdb/v3.19/main.json'),
);

const noNetwork: typeof fetch = async (input) => {
  throw new Error(`test tried to fetch ${String(input)}`);
};

let dbs = 0;
/** Config on loopback port 0 with a fresh SQLite file, plus `env`. */
function config(env: Record<string, string> = {}): Config {
  return loadConfig(undefined, {
    CLARO_HTTP_LISTEN_ADDR: '127.0.0.1:0',
    CLARO_INTROSPECTION_ADDR: '127.0.0.1:0',
    CLARO_INDEXER_CONNSTRING: join(root, `claro-${++dbs}.db`),
    CLARO_MATCHER_CONNSTRING: join(root, `claro-${dbs}.db`),
    CLARO_FEEDS: mirror,
    ...env,
  });
}

async function start(
  mode: ServeMode,
  cfg: Config = config(),
): Promise<RunningService> {
  return startService({ config: cfg, mode, log, fetch: noNetwork });
}

async function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { headers });
  return { status: res.status, body: await res.text() };
}

/** Polls `/metrics` until the updater's first run is counted. */
async function firstRun(service: RunningService): Promise<string> {
  const url = `${httpUrl(service.introspectionAddr)}/metrics`;
  for (;;) {
    const { body } = await get(url);
    const line = body
      .split('\n')
      .find((l) => l.startsWith('claro_updater_runs_total{'));
    if (line !== undefined) return line;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('startService', () => {
  it('serves the API and introspection on the ports it bound', async () => {
    const service = await start('combo');
    try {
      assert.notEqual(service.apiAddr.port, 0);
      assert.notEqual(service.introspectionAddr.port, 0);
      const intro = httpUrl(service.introspectionAddr);
      assert.deepEqual(await get(`${intro}/healthz`), {
        status: 200,
        body: 'ok\n',
      });
      assert.deepEqual(await get(`${intro}/readyz`), {
        status: 200,
        body: 'ready\n',
      });
      const api = httpUrl(service.apiAddr);
      const state = await get(`${api}/indexer/api/v1/index_state`);
      assert.equal(state.status, 200);
      assert.match(state.body, /^\{"state":"[0-9a-f]+"\}$/);
    } finally {
      await service.stop();
    }
  });

  it('counts the update loop runs in the metrics', async () => {
    const service = await start('combo');
    try {
      assert.equal(
        await firstRun(service),
        'claro_updater_runs_total{updater="debian-security-list",' +
          'status="skipped"} 1',
      );
    } finally {
      await service.stop();
    }
  });

  it('stops listening on stop; a second stop is the same', async () => {
    const service = await start('combo');
    await Promise.all([service.stop(), service.stop()]);

    const intro = httpUrl(service.introspectionAddr);
    await assert.rejects(fetch(`${intro}/healthz`));
    await assert.rejects(fetch(`${httpUrl(service.apiAddr)}/openapi/v1`));
  });

  it('serves no matcher routes, runs no updaters as an indexer', async () => {
    const service = await start('indexer');
    try {
      const api = httpUrl(service.apiAddr);
      const status = await get(`${api}/matcher/api/v1/updater_status`);
      assert.equal(status.status, 404);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const metrics = await get(
        `${httpUrl(service.introspectionAddr)}/metrics`,
      );
      assert.doesNotMatch(metrics.body, /^claro_updater_runs_total\{/m);
    } finally {
      await service.stop();
    }
  });

  it('runs no updaters when they are disabled', async () => {
    const cfg = config({ CLARO_MATCHER_DISABLE_UPDATERS: 'true' });
    const service = await start('matcher', cfg);
    try {
      const api = httpUrl(service.apiAddr);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const status = await get(`${api}/matcher/api/v1/updater_status`);
      assert.deepEqual(status, { status: 200, body: '{}' });
    } finally {
      await service.stop();
    }
  });

  it('asks for a token on the API, not on introspection', async () => {
    const key = Buffer.alloc(32, 9);
    const cfg = config({
      CLARO_AUTH_PSK_KEY: key.toString('base64'),
      CLARO_AUTH_PSK_ISS: 'clairctl',
    });
    const service = await start('indexer', cfg);
    try {
      const url = `${httpUrl(service.apiAddr)}/indexer/api/v1/index_state`;
      assert.equal((await get(url)).status, 401);
      const now = Math.floor(Date.now() / 1000);
      const token = signJwt({ iss: 'clairctl', exp: now + 60 }, key);
      const authed = await get(url, { Authorization: `Bearer ${token}` });
      assert.equal(authed.status, 200);
      const intro = httpUrl(service.introspectionAddr);
      assert.equal((await get(`${intro}/healthz`)).status, 200);
    } finally {
      await service.stop();
    }
  });

  it('names an address in use, and stops what it had started', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as { port: number }).port;
    try {
      const cfg = config({ CLARO_INTROSPECTION_ADDR: `127.0.0.1:${port}` });
      await assert.rejects(start('combo', cfg), (err: unknown) => {
        assert.ok(isClaroError(err, 'INVALID_ARGUMENT'));
        assert.equal(
          err.message,
          `Cannot listen on 127.0.0.1:${port}: address already in use`,
        );
        return true;
      });
    } finally {
      busy.close();
    }
  });
});

describe('storePlan', () => {
  const both = config({
    CLARO_INDEXER_CONNSTRING: 'idx.db',
    CLARO_MATCHER_CONNSTRING: 'vuln.db',
  });
  const onlyMatcher = config({ CLARO_MATCHER_CONNSTRING: 'vuln.db' });
  const cases: readonly [string, ServeMode, Config, unknown][] = [
    ['combo uses both', 'combo', both, { index: 'idx.db', vuln: 'vuln.db' }],
    [
      'an indexer uses its own',
      'indexer',
      both,
      { index: 'idx.db', vuln: 'idx.db' },
    ],
    [
      'a matcher reads reports from the indexer store',
      'matcher',
      both,
      {
        index: 'idx.db',
        vuln: 'vuln.db',
      },
    ],
    [
      'a matcher without an indexer store reads reports from its own',
      'matcher',
      {
        ...onlyMatcher,
        indexer: { ...onlyMatcher.indexer, connstring: undefined },
      },
      { index: 'vuln.db', vuln: 'vuln.db' },
    ],
  ];
  for (const [name, mode, cfg, plan] of cases) {
    it(name, () => {
      assert.deepEqual(storePlan(mode, cfg), plan);
    });
  }
});

describe('openServiceStores', () => {
  it('shares one store when both connection strings are equal', async () => {
    const stores = await openServiceStores('combo', config(), log);
    assert.equal(stores.indexStore, stores.vulnStore);
    await stores.close();
  });

  it('opens two stores for two connection strings', async () => {
    const cfg = config({
      CLARO_MATCHER_CONNSTRING: join(root, `other-${dbs}.db`),
    });
    const stores = await openServiceStores('combo', cfg, log);
    assert.notEqual(stores.indexStore, stores.vulnStore);
    await stores.close();
  });
});

describe(
  'two services on one PostgreSQL schema',
  await postgresSuiteOptions(),
  () => {
    after(dropSchemas);

    it('runs an updater family on one instance at a time', async () => {
      const schema = freshSchema();
      const setup = await openStore(TEST_POSTGRES, { schema, logger: log });
      await setup.close();
      const conn =
        `${TEST_POSTGRES}?options=` +
        encodeURIComponent(`-c search_path=${schema}`);

      let entered = 0;
      const gate = signal();
      const blocking = setOf('blocking', async () => {
        entered += 1;
        await gate.promise;
        return undefined;
      });
      const marker = setOf('marker', async () => undefined);
      const cfg = config({
        CLARO_INDEXER_CONNSTRING: conn,
        CLARO_MATCHER_CONNSTRING: conn,
      });
      const services = await Promise.all(
        [1, 2].map(() =>
          startService({
            config: cfg,
            mode: 'combo',
            log,
            sets: [blocking, marker],
          }),
        ),
      );
      try {
        await Promise.race(services.map((s) => runCounted(s, 'marker')));
        assert.equal(entered, 1);
        gate.resolve();
        await Promise.all(services.map((s) => runCounted(s, 'marker')));
        assert.equal(entered, 1);
      } finally {
        await Promise.all(services.map((s) => s.stop()));
      }
    });
  },
);

/** Resolves once the service's metrics count a run of `updater`. */
async function runCounted(
  service: RunningService,
  updater: string,
): Promise<void> {
  const url = `${httpUrl(service.introspectionAddr)}/metrics`;
  const prefix = `claro_updater_runs_total{updater="${updater}",`;
  for (;;) {
    const { body } = await get(url);
    if (body.split('\n').some((l) => l.startsWith(prefix))) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
