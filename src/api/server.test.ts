import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_SCANNERS } from '../indexer/scanners.js';
import { indexState } from '../indexer/state.js';
import { silentLogger } from '../log.js';
import { SqliteStore } from '../store/sqlite.js';
import type { Store } from '../store/store.js';
import { signJwt } from './jwt.js';
import { createMetrics, type Metrics } from './metrics.js';
import {
  createApiHandler,
  createIntrospectionHandler,
  type ApiOptions,
} from './server.js';
import { loadAlpineSecdb } from './testdata/alpine.js';
import {
  layerDigest,
  LayerServer,
  listen,
  type Running,
} from './testdata/servers.js';

const log = silentLogger();
const STATE = indexState(DEFAULT_SCANNERS);
const INDEX = '/indexer/api/v1/index_report';
const REPORT = '/matcher/api/v1/vulnerability_report';
const MAX_BODY = 64 * 1024;
const MAX_AGE = 300;

/** The digest of the blob `/<kind>/<n>` serves. */
function digestAt(path: string): string {
  return layerDigest(Number(/\d+$/.exec(path)?.[0] ?? 0));
}

/** A distinct manifest digest per test label. */
function digestOf(label: string): string {
  return `sha256:${createHash('sha256').update(label).digest('hex')}`;
}

interface Json {
  readonly status: number;
  readonly headers: Headers;
  readonly body: any;
}

/** Sends a request; the body, when JSON, is decoded. */
async function call(url: string, init: RequestInit = {}): Promise<Json> {
  const res = await fetch(url, init);
  const text = await res.text();
  const json = res.headers.get('content-type')?.includes('json');
  return {
    status: res.status,
    headers: res.headers,
    body: json && text !== '' ? JSON.parse(text) : text,
  };
}

function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return call(url, { method: 'POST', body: text, headers });
}

/** The test fixture: layer server, stores, API and introspection. */
class Fixture {
  layers = new LayerServer();
  indexStore!: Store;
  vulnStore!: Store;
  metrics!: Metrics;
  layerServer!: Running;
  api!: Running;
  introspection!: Running;
  ready = false;

  async start(extra: Partial<ApiOptions> = {}): Promise<void> {
    this.layerServer = await listen(this.layers.handler);
    this.indexStore = SqliteStore.open(':memory:');
    this.vulnStore = SqliteStore.open(':memory:');
    this.metrics = createMetrics();
    this.api = await listen(createApiHandler(this.options(extra)));
    this.introspection = await listen(
      createIntrospectionHandler({
        metrics: this.metrics,
        ready: async () => this.ready,
      }),
    );
  }

  options(extra: Partial<ApiOptions>): ApiOptions {
    return {
      mode: 'combo',
      indexStore: this.indexStore,
      vulnStore: this.vulnStore,
      log,
      metrics: this.metrics,
      maxBodyBytes: MAX_BODY,
      reportMaxAgeSeconds: MAX_AGE,
      layerFetchTimeoutMs: 10_000,
      ...extra,
    };
  }

  async stop(): Promise<void> {
    this.layers.release();
    await this.api.close();
    await this.introspection.close();
    await this.layerServer.close();
    await this.indexStore.close();
    await this.vulnStore.close();
  }

  /**
   * A Clair manifest of one layer served at `path` (`/blob/0` by
   * default); its digest is that of blob n of the path, or `layer`.
   */
  manifest(label: string, path = '/blob/0', layer = digestAt(path)) {
    return {
      hash: digestOf(label),
      layers: [
        {
          hash: layer,
          uri: `${this.layerServer.url}${path}`,
          headers: { Authorization: ['Bearer layer-token'] },
        },
      ],
    };
  }

  index(label: string, path?: string, layer?: string) {
    return post(`${this.api.url}${INDEX}`, this.manifest(label, path, layer));
  }
}

describe('API: index reports', () => {
  const f = new Fixture();
  before(() => f.start());
  after(() => f.stop());

  it('indexes a posted manifest: 201, Location, ETag, Clair JSON', async () => {
    const digest = digestOf('first');
    const res = await f.index('first');
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('location'), `${INDEX}/${digest}`);
    assert.equal(res.headers.get('etag'), `"${STATE}"`);
    assert.equal(res.body.manifest_hash, digest);
    assert.equal(res.body.state, 'IndexFinished');
    assert.equal(res.body.success, true);
    assert.equal(res.body.err, '');
    const names = Object.values(res.body.packages).map((p: any) => p.name);
    assert.ok(names.includes('musl') && names.includes('libcrypto3'));
    const dists = Object.values(res.body.distributions) as any[];
    assert.deepEqual(
      dists.map((d) => [d.did, d.version_id]),
      [['alpine', '3.20']],
    );
    assert.equal(f.layers.lastAuthorization, 'Bearer layer-token');
  });

  it('reuses the stored report for a second post', async () => {
    await f.index('again');
    const before = f.layers.hitsOf('/blob/0');
    const res = await f.index('again');
    assert.equal(res.status, 201);
    assert.equal(res.body.state, 'IndexFinished');
    assert.equal(f.layers.hitsOf('/blob/0'), before);
  });

  it('indexes concurrent posts of one manifest once', async () => {
    f.layers.hold();
    const first = f.index('together', '/slow/1');
    const second = f.index('together', '/slow/1');
    await waitFor(() => f.layers.hitsOf('/slow/1') === 1);
    f.layers.release();
    const [a, b] = await Promise.all([first, second]);
    assert.deepEqual([a.status, b.status], [201, 201]);
    assert.deepEqual(a.body, b.body);
    assert.equal(f.layers.hitsOf('/slow/1'), 1);
  });

  it('answers 412 to a post whose If-None-Match is the state', async () => {
    const before = f.layers.hitsOf('/blob/5');
    const res = await post(
      `${f.api.url}${INDEX}`,
      f.manifest('precondition', '/blob/5'),
      { 'If-None-Match': `"${STATE}"` },
    );
    assert.equal(res.status, 412);
    assert.equal(f.layers.hitsOf('/blob/5'), before);
    const url = `${f.api.url}${INDEX}/${digestOf('precondition')}`;
    assert.equal((await call(url)).status, 404);
  });

  it('gets a stored report with its ETag, and 304 for that tag', async () => {
    await f.index('get');
    const url = `${f.api.url}${INDEX}/${digestOf('get')}`;
    const res = await call(url);
    assert.equal(res.status, 200);
    assert.equal(res.body.manifest_hash, digestOf('get'));
    assert.equal(res.headers.get('etag'), `"${STATE}"`);
    const again = await call(url, {
      headers: { 'If-None-Match': `"${STATE}"` },
    });
    assert.equal(again.status, 304);
  });

  it('answers 404 to unknown manifests, 400 to bad digests', async () => {
    const unknown = await call(`${f.api.url}${INDEX}/${digestOf('never')}`);
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.body, {
      code: 'not-found',
      message: `Index report for manifest ${digestOf('never')} not found`,
    });
    const bad = await call(`${f.api.url}${INDEX}/sha256:abc`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 'bad-request');
    assert.match(bad.body.message, /not a sha256:<64 hex>/);
  });

  it('deletes one report (204, also when absent)', async () => {
    await f.index('delete');
    const url = `${f.api.url}${INDEX}/${digestOf('delete')}`;
    assert.equal((await call(url, { method: 'DELETE' })).status, 204);
    assert.equal((await call(url)).status, 404);
    assert.equal((await call(url, { method: 'DELETE' })).status, 204);
  });

  it('deletes in bulk, answering the digests it deleted', async () => {
    await f.index('bulk-1');
    await f.index('bulk-2');
    const digests = ['bulk-1', 'bulk-2', 'bulk-absent'].map(digestOf);
    const res = await call(`${f.api.url}${INDEX}`, {
      method: 'DELETE',
      body: JSON.stringify(digests),
    });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, digests.slice(0, 2));
    const bad = await call(`${f.api.url}${INDEX}`, {
      method: 'DELETE',
      body: JSON.stringify(['sha256:nope']),
    });
    assert.equal(bad.status, 400);
    assert.equal(
      bad.body.message,
      'Cannot delete manifests: bad digest "sha256:nope"',
    );
  });

  it('serves the index state with an ETag, and 304 for it', async () => {
    const url = `${f.api.url}/indexer/api/v1/index_state`;
    const res = await call(url);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { state: STATE });
    assert.equal(res.headers.get('etag'), `"${STATE}"`);
    const again = await call(url, {
      headers: { 'If-None-Match': `"${STATE}"` },
    });
    assert.equal(again.status, 304);
    const other = await call(url, { headers: { 'If-None-Match': '"old"' } });
    assert.equal(other.status, 200);
  });
});

describe('API: bad index requests', () => {
  const f = new Fixture();
  before(() => f.start({ indexConcurrency: 1 }));
  after(() => f.stop());

  it('answers 400 to malformed JSON', async () => {
    const res = await post(`${f.api.url}${INDEX}`, '{"hash": ');
    assert.equal(res.status, 400);
    assert.equal(res.body.code, 'bad-request');
    assert.match(res.body.message, /^Cannot read request body: not JSON/);
  });

  it('answers 400 naming the missing layers of a manifest', async () => {
    const res = await post(`${f.api.url}${INDEX}`, { hash: digestOf('x') });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, {
      code: 'bad-request',
      message: 'Cannot read manifest: layers: manifest has no layers',
    });
  });

  it('answers 413 to a body declared larger than the limit', async () => {
    const big = JSON.stringify({ pad: 'x'.repeat(MAX_BODY) });
    const res = await post(`${f.api.url}${INDEX}`, big);
    assert.equal(res.status, 413);
    assert.deepEqual(res.body, {
      code: 'content-too-large',
      message: `Request body exceeds ${MAX_BODY} bytes`,
    });
  });

  it('answers 413 to a chunked body growing past the limit', async () => {
    const res = await chunkedPost(`${f.api.url}${INDEX}`, 4 * MAX_BODY);
    assert.equal(res.status, 413);
    assert.equal(JSON.parse(res.body).code, 'content-too-large');
    // The connection stays usable: the next request is answered.
    assert.equal((await call(`${f.api.url}/openapi/v1`)).status, 200);
  });

  it('answers 429 with Retry-After beyond the index concurrency', async () => {
    f.layers.hold();
    const slow = f.index('slow', '/slow/1');
    await waitFor(() => f.layers.hitsOf('/slow/1') === 1);
    const refused = await f.index('refused');
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('retry-after'), '1');
    assert.deepEqual(refused.body, {
      code: 'too-many-requests',
      message: 'Server handling too many index requests',
    });
    f.layers.release();
    assert.equal((await slow).status, 201);
    assert.equal((await f.index('refused')).status, 201);
  });

  it('answers 500 to a failed layer, stores IndexError, retries', async () => {
    const digest = digestOf('flaky');
    const failed = await f.index('flaky', '/flaky/2');
    assert.equal(failed.status, 500);
    assert.equal(failed.body.code, 'internal-error');
    assert.match(failed.body.message, new RegExp(`layer ${layerDigest(2)}`));
    assert.match(failed.body.message, /500/);

    const stored = await call(`${f.api.url}${INDEX}/${digest}`);
    assert.equal(stored.body.state, 'IndexError');
    assert.equal(stored.body.success, false);
    assert.equal(stored.body.err, failed.body.message);
    assert.deepEqual(stored.body.packages, {});
    assert.equal(stored.headers.get('etag'), null);

    const report = await call(`${f.api.url}${REPORT}/${digest}`);
    assert.equal(report.status, 404);
    assert.match(report.body.message, /failed.*POST the manifest .* again/);

    f.layers.flaky = false;
    const retried = await f.index('flaky', '/flaky/2');
    assert.equal(retried.status, 201);
    assert.equal(retried.body.state, 'IndexFinished');
  });

  it('answers 500 to a layer whose bytes do not match its digest', async () => {
    const wrong = `sha256:${'ab'.repeat(32)}`;
    const res = await f.index('mismatch', '/blob/3', wrong);
    assert.equal(res.status, 500);
    assert.match(res.body.message, new RegExp(wrong));
    assert.match(res.body.message, new RegExp(layerDigest(3).slice(7)));
  });

  it('answers 500 to a layer that is missing', async () => {
    const res = await f.index('missing', '/missing/4');
    assert.equal(res.status, 500);
    assert.match(res.body.message, /404/);
  });
});

describe('API: vulnerability reports and updates', () => {
  const f = new Fixture();
  before(() => f.start());
  after(() => f.stop());

  const manifest = digestOf('alpine');
  let openssl: any;

  it('answers 404 before the manifest is indexed', async () => {
    const res = await call(`${f.api.url}${REPORT}/${manifest}`);
    assert.equal(res.status, 404);
    assert.match(res.body.message, /POST the manifest to .* first/);
  });

  it('answers 202 while no vulnerability data is loaded', async () => {
    await f.index('alpine');
    const res = await call(`${f.api.url}${REPORT}/${manifest}`);
    assert.equal(res.status, 202);
    assert.equal(res.body.code, 'no-vulnerability-data');
  });

  it('matches at request time once data is loaded', async () => {
    await loadAlpineSecdb(f.vulnStore);
    const res = await call(`${f.api.url}${REPORT}/${manifest}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), `max-age=${MAX_AGE}`);
    const vulns = Object.values(res.body.vulnerabilities) as any[];
    openssl = vulns.find((v) => v.name === 'CVE-2024-9143');
    assert.ok(openssl, 'CVE-2024-9143 affects openssl 3.3.2-r0');
    assert.equal(openssl.package.name, 'openssl');
    assert.equal(openssl.fixed_in_version, '3.3.2-r1');
    assert.deepEqual(res.body.lower_layers_only.package_vulnerabilities, {});
  });

  it('finds the manifest affected by a vulnerability it holds', async () => {
    const fixed = {
      ...openssl,
      id: 'fixed-one',
      name: 'CVE-2024-6119',
      fixed_in_version: '3.3.2-r0',
    };
    const res = await post(
      `${f.api.url}/indexer/api/v1/internal/affected_manifest`,
      { vulnerabilities: [openssl, fixed] },
    );
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.vulnerable_manifests, {
      [manifest]: [openssl.id],
    });
    assert.deepEqual(Object.keys(res.body.vulnerabilities), [openssl.id]);
    assert.equal(res.body.vulnerabilities[openssl.id].name, 'CVE-2024-9143');
  });

  it('answers 400 to an affected-manifest body out of shape', async () => {
    const url = `${f.api.url}/indexer/api/v1/internal/affected_manifest`;
    const res = await post(url, { vulnerabilities: [{ id: '1' }] });
    assert.equal(res.status, 400);
    assert.match(
      res.body.message,
      /^Cannot read vulnerabilities: vulnerabilities\.0\.name/,
    );
  });

  it('lists update operations by updater, and only the latest', async () => {
    const url = `${f.api.url}/matcher/api/v1/internal/update_operation`;
    const res = await call(url);
    assert.equal(res.status, 200);
    const updaters = Object.keys(res.body);
    assert.ok(updaters.length > 0);
    assert.ok(updaters.every((u) => u.startsWith('alpine-')));
    const [op] = res.body[updaters[0]!];
    assert.deepEqual(Object.keys(op), [
      'ref',
      'updater',
      'fingerprint',
      'date',
      'kind',
    ]);
    const latest = await call(`${url}?latest=true`);
    for (const ops of Object.values(latest.body) as any[]) {
      assert.equal(ops.length, 1);
    }
    const tag = res.headers.get('etag');
    assert.ok(tag);
    const again = await call(url, { headers: { 'If-None-Match': tag } });
    assert.equal(again.status, 304);
  });

  it('diffs operations, with cur required and refs checked', async () => {
    const ops = await f.vulnStore.updateOperations();
    const cur = ops[0]!;
    const url = `${f.api.url}/matcher/api/v1/internal/update_diff`;
    const res = await call(`${url}?cur=${cur.ref}`);
    assert.equal(res.status, 200);
    assert.equal(res.body.prev, null);
    assert.equal(res.body.cur.ref, cur.ref);
    assert.equal(res.body.added.length, cur.count);
    assert.deepEqual(res.body.removed, []);

    assert.equal((await call(url)).status, 400);
    assert.equal((await call(`${url}?cur=nope`)).status, 400);
    const unknown = await call(`${url}?cur=${crypto.randomUUID()}`);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.code, 'not-found');
  });

  it('reports updater status in snake_case', async () => {
    await f.vulnStore.recordUpdaterAttempt({
      updater: 'alpine-test',
      at: '2026-01-02T03:04:05.000Z',
      error: 'Cannot fetch feed: offline',
    });
    const res = await call(`${f.api.url}/matcher/api/v1/updater_status`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body['alpine-test'], {
      last_attempt: '2026-01-02T03:04:05.000Z',
      last_success: null,
      last_error: 'Cannot fetch feed: offline',
      records: null,
    });
  });
});

describe('API: routing, request ids, errors, OpenAPI', () => {
  const f = new Fixture();
  before(() => f.start());
  after(() => f.stop());

  it('answers 404 with an error body for an unknown path', async () => {
    const res = await call(`${f.api.url}/indexer/api/v2/index_report`);
    assert.equal(res.status, 404);
    assert.deepEqual(res.body, {
      code: 'not-found',
      message: 'No such resource: /indexer/api/v2/index_report',
    });
  });

  it('reads a target starting with // as a path, not a host', async () => {
    const res = await call(`${f.api.url}//evil/indexer/api/v1/index_state`);
    assert.equal(res.status, 404);
  });

  it('answers 405 with Allow for another method', async () => {
    const res = await call(`${f.api.url}${INDEX}`, { method: 'GET' });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'POST, DELETE');
    assert.equal(res.body.code, 'method-not-allowed');
  });

  it('echoes a request id, or makes one', async () => {
    const given = await call(`${f.api.url}/openapi/v1`, {
      headers: { 'X-Request-Id': 'req-42' },
    });
    assert.equal(given.headers.get('x-request-id'), 'req-42');
    const made = await call(`${f.api.url}/openapi/v1`);
    assert.match(made.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
  });

  it('serves its OpenAPI document with an ETag', async () => {
    const res = await call(`${f.api.url}/openapi/v1`);
    assert.equal(res.status, 200);
    assert.equal(res.body.openapi, '3.0.3');
    assert.ok(res.body.paths[`${INDEX}/{digest}`].get);
    const tag = res.headers.get('etag')!;
    const again = await call(`${f.api.url}/openapi/v1`, {
      headers: { 'If-None-Match': tag },
    });
    assert.equal(again.status, 304);
  });

  it('answers 500 to an unexpected failure and keeps serving', async () => {
    const broken = await listen(
      createApiHandler(
        f.options({
          indexStore: failingStore(f.indexStore),
          metrics: createMetrics(),
        }),
      ),
    );
    try {
      const res = await call(`${broken.url}${INDEX}/${digestOf('x')}`);
      assert.equal(res.status, 500);
      assert.deepEqual(res.body, {
        code: 'internal-error',
        message: 'Internal error; see the server log',
      });
      assert.equal((await call(`${broken.url}/openapi/v1`)).status, 200);
    } finally {
      await broken.close();
    }
  });

  it('serves only the indexer routes in indexer mode', async () => {
    const indexer = await listen(
      createApiHandler(
        f.options({ mode: 'indexer', metrics: createMetrics() }),
      ),
    );
    try {
      const res = await call(`${indexer.url}${REPORT}/${digestOf('x')}`);
      assert.equal(res.status, 404);
      const state = await call(`${indexer.url}/indexer/api/v1/index_state`);
      assert.equal(state.status, 200);
    } finally {
      await indexer.close();
    }
  });

  it('serves only the matcher routes in matcher mode', async () => {
    const matcher = await listen(
      createApiHandler(
        f.options({ mode: 'matcher', metrics: createMetrics() }),
      ),
    );
    try {
      const res = await post(`${matcher.url}${INDEX}`, f.manifest('m'));
      assert.equal(res.status, 404);
      const ops = `${matcher.url}/matcher/api/v1/internal/update_operation`;
      assert.equal((await call(ops)).status, 200);
    } finally {
      await matcher.close();
    }
  });
});

describe('API: pre-shared-key auth', () => {
  const key = Buffer.from('0123456789abcdef0123456789abcdef');
  const f = new Fixture();
  before(() => f.start({ auth: { keys: [key], issuers: ['quay'] } }));
  after(() => f.stop());

  const now = () => Math.floor(Date.now() / 1000);
  const get = (token?: string) =>
    call(`${f.api.url}/indexer/api/v1/index_state`, {
      headers: token === undefined ? {} : { Authorization: `Bearer ${token}` },
    });

  it('accepts a valid token', async () => {
    const token = signJwt({ iss: 'quay', exp: now() + 60 }, key);
    assert.equal((await get(token)).status, 200);
  });

  const refused: [string, () => string | undefined][] = [
    ['no token', () => undefined],
    ['an expired token', () => signJwt({ iss: 'quay', exp: now() - 60 }, key)],
    ['a token from another issuer', () => signJwt({ iss: 'eve' }, key)],
    [
      'a token signed with another key',
      () => signJwt({ iss: 'quay' }, Buffer.from('not the key')),
    ],
    ['an unsigned token (alg none)', () => unsigned({ iss: 'quay' })],
  ];
  for (const [name, token] of refused) {
    it(`answers 401 to ${name}`, async () => {
      const res = await get(token());
      assert.equal(res.status, 401);
      assert.equal(res.headers.get('www-authenticate'), 'Bearer');
      assert.deepEqual(res.body, {
        code: 'unauthorized',
        message: 'Missing or invalid bearer token',
      });
    });
  }

  it('never asks introspection for a token', async () => {
    const res = await call(`${f.introspection.url}/healthz`);
    assert.equal(res.status, 200);
  });
});

describe('Introspection', () => {
  const f = new Fixture();
  before(() => f.start());
  after(() => f.stop());

  it('answers healthz, and readyz by the ready callback', async () => {
    assert.equal((await call(`${f.introspection.url}/healthz`)).body, 'ok\n');
    const url = `${f.introspection.url}/readyz`;
    assert.equal((await call(url)).status, 503);
    f.ready = true;
    assert.equal((await call(url)).status, 200);
  });

  it('serves metrics counting requests, layers and updater runs', async () => {
    assert.equal((await f.index('metrics')).status, 201);
    assert.equal((await f.index('metrics-again')).status, 201);
    f.metrics.updaterRuns.inc({ updater: 'alpine-test', status: 'updated' });
    const res = await call(`${f.introspection.url}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    const text = res.body as string;
    const has = (line: string) => assert.ok(text.includes(line), line);
    has(
      'claro_http_request_duration_seconds_count' +
        `{method="POST",route="${INDEX}",code="201"} 2`,
    );
    has('claro_index_layers_total{result="scanned"} 1');
    has('claro_index_layers_total{result="reused"} 1');
    has('claro_index_duration_seconds_count{result="success"} 2');
    has('claro_updater_runs_total{updater="alpine-test",status="updated"} 1');
    has('process_cpu_user_seconds_total');
  });
});

/** A store whose index report reads throw a plain Error. */
function failingStore(store: Store): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'getIndexReport') {
        return async () => {
          throw new Error('disk on fire');
        };
      }
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

function unsigned(claims: object): string {
  const b64 = (v: object) =>
    Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
}

/** POSTs `size` bytes in chunks, without Content-Length. */
function chunkedPost(
  url: string,
  size: number,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.on('error', reject);
    const chunk = Buffer.alloc(8 * 1024, 'x');
    for (let sent = 0; sent < size; sent += chunk.length) req.write(chunk);
    req.end();
  });
}

async function waitFor(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
