import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { isClaroError } from '../errors.js';
import { indexImage } from '../indexer/indexer.js';
import { DEFAULT_SCANNERS } from '../indexer/scanners.js';
import { silentLogger } from '../log.js';
import { SqliteStore } from '../store/sqlite.js';
import { makeTarGz } from '../testutil/tar.js';
import {
  manifestSource,
  parseManifest,
  type ClairManifest,
} from './manifest.js';

const ALPINE = readFileSync(
  '../shared/fixtures/alpine-minirootfs/alpine-minirootfs-3.20.3-x86_64.tar.gz',
);
const ALPINE_DIGEST = sha256(ALPINE);
const MANIFEST_HASH = `sha256:${'ab'.repeat(32)}`;
const TOKEN = 'Bearer layer-token';
const SHORT_MS = 200;
/** Three quick tries, so that failures come back soon. */
const FAST = { attempts: 3, baseDelayMs: 10, maxDelayMs: 100 };

function sha256(buf: Buffer): string {
  return `sha256:${createHash('sha256').update(buf).digest('hex')}`;
}

/** Authorization headers the server saw, by request path. */
const seen = new Map<string, string | undefined>();
let other: Buffer;
let server: Server;
let base: string;

/** Routes of the test registry; each answers as its name says. */
function route(req: IncomingMessage, res: ServerResponse): void {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  seen.set(path, req.headers.authorization);
  switch (path) {
    case '/blobs/alpine':
      if (req.headers.authorization !== TOKEN)
        return void res.writeHead(401).end();
      return void res.end(ALPINE);
    case '/blobs/other':
      return void res.end(other);
    case '/echo':
      return void res.end(JSON.stringify(req.headers));
    case '/stall':
      res.writeHead(200, { 'content-length': ALPINE.length });
      return void res.write(ALPINE.subarray(0, 4096));
    case '/cut':
      res.writeHead(200, { 'content-length': ALPINE.length });
      return void res.write(ALPINE.subarray(0, 4096), () =>
        res.socket?.destroy(),
      );
    case '/silent':
      return;
    case '/fail':
      return void res.writeHead(500).end('boom');
    default:
      return void res.writeHead(404).end();
  }
}

before(async () => {
  other = await makeTarGz([{ name: 'etc/hostname', body: 'other\n' }]);
  server = createServer(route);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((ok) => server.close(ok));
});

function oneLayer(
  uri: string,
  headers: Record<string, string[]> = {},
  hash = ALPINE_DIGEST,
): ClairManifest {
  return { hash: MANIFEST_HASH, layers: [{ hash, uri, headers }] };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Opens and reads the manifest's only layer. */
async function fetchLayer(m: ClairManifest, timeoutMs?: number) {
  const opts = {
    retry: FAST,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  };
  const layer = manifestSource(m, opts).layers[0]!;
  return readAll(await layer.open());
}

async function fetchFails(m: ClairManifest, message: string, ms?: number) {
  await assert.rejects(fetchLayer(m, ms), (err) => {
    assert.ok(isClaroError(err, 'FETCH_FAILED'), String(err));
    assert.equal(err.message, message);
    return true;
  });
}

describe('parseManifest', () => {
  const H = `sha256:${'0f'.repeat(32)}`;
  const U = 'https://registry.test/v2/x/blobs/sha256:0f';
  const withLayer = (layer: unknown) => ({ hash: H, layers: [layer] });
  const table: [string, unknown, string][] = [
    ['a non-object body', [], 'body: expected a manifest object'],
    ['a missing hash', { layers: [] }, 'hash: missing hash'],
    ['a hash without algorithm', { hash: '0f'.repeat(32) }, 'hash: expected'],
    ['an unknown algorithm', { hash: `md5:${'0f'.repeat(16)}` }, 'hash:'],
    ['a short sha256', { hash: 'sha256:0f0f', layers: [] }, 'hash:'],
    ['upper-case hex', { hash: H.toUpperCase() }, 'hash: expected'],
    ['no layers', { hash: H }, 'layers: manifest has no layers'],
    ['null layers', { hash: H, layers: null }, 'layers: manifest has no'],
    ['empty layers', { hash: H, layers: [] }, 'layers: manifest has no'],
    ['layers not a list', { hash: H, layers: {} }, 'layers: expected an'],
    ['a null layer', withLayer(null), 'layers[0]: expected a layer object'],
    ['a layer without hash', withLayer({ uri: U }), 'layers[0].hash: missing'],
    [
      'a sha512 layer',
      withLayer({ hash: `sha512:${'0f'.repeat(64)}`, uri: U }),
      'layers[0].hash: sha512 layer digests are not supported yet',
    ],
    ['a layer without uri', withLayer({ hash: H }), 'layers[0].uri: missing'],
    [
      'a relative uri',
      withLayer({ hash: H, uri: '/v2/x/blobs/y' }),
      'layers[0].uri: not an absolute http(s) URL',
    ],
    [
      'a file uri',
      withLayer({ hash: H, uri: 'file:///etc/passwd' }),
      'layers[0].uri: not an absolute http(s) URL',
    ],
    [
      'headers as a list',
      withLayer({ hash: H, uri: U, headers: ['Authorization'] }),
      'layers[0].headers: expected an object of header names',
    ],
    [
      'a header value not in a list',
      withLayer({ hash: H, uri: U, headers: { Authorization: 'secret' } }),
      'layers[0].headers.Authorization: expected a list of header values',
    ],
    [
      'a header value not a string',
      withLayer({ hash: H, uri: U, headers: { 'X-N': [1] } }),
      'layers[0].headers.X-N[0]: header values must be strings',
    ],
    [
      'a header value with a line break',
      withLayer({ hash: H, uri: U, headers: { A: ['ok', 'secret\r\nX: y'] } }),
      'layers[0].headers.A[1]: header value holds a character HTTP forbids',
    ],
    [
      'a header name with a space',
      withLayer({ hash: H, uri: U, headers: { 'Bad Name': ['secret'] } }),
      'layers[0].headers["Bad Name"]: not a valid header name',
    ],
    [
      'a media type not a string',
      withLayer({ hash: H, uri: U, media_type: 1 }),
      'layers[0].media_type: media_type is not a string',
    ],
  ];
  for (const [name, body, problem] of table) {
    it(`refuses ${name}`, () => {
      assert.throws(
        () => parseManifest(body),
        (err) => {
          assert.ok(isClaroError(err, 'INVALID_ARGUMENT'), String(err));
          assert.ok(
            err.message.startsWith(`Cannot read manifest: ${problem}`),
            err.message,
          );
          assert.ok(!err.message.includes('secret'), err.message);
          return true;
        },
      );
    });
  }

  it('reads layers in order, headers defaulting to none', () => {
    const sha512 = `sha512:${'0f'.repeat(64)}`;
    const body = {
      hash: sha512,
      layers: [
        { hash: H, uri: U, headers: { Authorization: ['a', 'b'] } },
        { hash: H, uri: `${U}?x=1`, headers: null, media_type: 'x/y' },
        { hash: H, uri: 'http://127.0.0.1:5000/b' },
      ],
    };
    assert.deepEqual(parseManifest(body), {
      hash: sha512,
      layers: [
        { hash: H, uri: U, headers: { Authorization: ['a', 'b'] } },
        { hash: H, uri: `${U}?x=1`, headers: {}, mediaType: 'x/y' },
        { hash: H, uri: 'http://127.0.0.1:5000/b', headers: {} },
      ],
    });
  });
});

describe('manifestSource', () => {
  it('names the manifest hash and the layer digests, kind manifest', () => {
    const src = manifestSource(oneLayer(`${base}/blobs/alpine`));
    assert.equal(src.kind, 'manifest');
    assert.equal(src.manifestHash, MANIFEST_HASH);
    assert.deepEqual(
      src.layers.map((l) => l.digest),
      [ALPINE_DIGEST],
    );
  });

  it('sends the layer headers and streams the blob unchanged', async () => {
    const m = oneLayer(`${base}/blobs/alpine`, { Authorization: [TOKEN] });
    const bytes = await fetchLayer(m);
    assert.equal(seen.get('/blobs/alpine'), TOKEN);
    assert.equal(sha256(bytes), ALPINE_DIGEST);
  });

  it('joins the values of one header and sends each header', async () => {
    const m = oneLayer(`${base}/echo`, {
      'X-Many': ['a', 'b c'],
      'X-One': ['d'],
    });
    const got = JSON.parse((await fetchLayer(m)).toString('utf8'));
    assert.equal(got['x-many'], 'a, b c');
    assert.equal(got['x-one'], 'd');
  });

  it('sends URL userinfo as Basic authorization', async () => {
    const m = oneLayer(`http://alice:p%40ss@${base.slice(7)}/echo`);
    const got = JSON.parse((await fetchLayer(m)).toString('utf8'));
    const basic = Buffer.from('alice:p@ss').toString('base64');
    assert.equal(got.authorization, `Basic ${basic}`);
  });

  it('fails on 401 without the header', async () => {
    await fetchFails(
      oneLayer(`${base}/blobs/alpine`),
      `Cannot fetch layer ${ALPINE_DIGEST}: ` +
        `GET ${base}/blobs/alpine answered 401 Unauthorized`,
    );
  });

  it('fails on 404, naming the URI without its credentials', async () => {
    const m = oneLayer(`http://u:secret@${base.slice(7)}/nope?sig=secret#x`, {
      Authorization: ['Bearer secret'],
    });
    await fetchFails(
      m,
      `Cannot fetch layer ${ALPINE_DIGEST}: ` +
        `GET ${base}/nope?sig=*** answered 404 Not Found`,
    );
  });

  it('fails on 500 after trying three times', async () => {
    await fetchFails(
      oneLayer(`${base}/fail`),
      `Cannot fetch layer ${ALPINE_DIGEST}: ` +
        `GET ${base}/fail answered 500 Internal Server Error (3 attempts)`,
    );
  });

  it('fails when the server sends no answer in time, three times', async () => {
    await fetchFails(
      oneLayer(`${base}/silent`),
      `Cannot fetch layer ${ALPINE_DIGEST}: ` +
        `GET ${base}/silent gave no answer within ${SHORT_MS} ms (3 attempts)`,
      SHORT_MS,
    );
  });

  it('fails when the server stops sending mid-body', async () => {
    await fetchFails(
      oneLayer(`${base}/stall`),
      `Cannot fetch layer ${ALPINE_DIGEST}: ` +
        `GET ${base}/stall stopped sending for ${SHORT_MS} ms`,
      SHORT_MS,
    );
  });

  it('fails when the server closes the connection mid-body', async () => {
    await fetchFails(
      oneLayer(`${base}/cut`),
      `Cannot fetch layer ${ALPINE_DIGEST}: ` +
        `GET ${base}/cut failed: other side closed`,
    );
  });

  it('fails when the connection is refused three times', async () => {
    const closed = createServer();
    await new Promise<void>((ok) => closed.listen(0, '127.0.0.1', ok));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((ok) => closed.close(ok));
    const url = `http://127.0.0.1:${port}/blob`;
    await fetchFails(
      oneLayer(url),
      `Cannot fetch layer ${ALPINE_DIGEST}: ` +
        `GET ${url} failed: connect ECONNREFUSED 127.0.0.1:${port} (3 attempts)`,
    );
  });
});

describe('indexing a Clair manifest', () => {
  let store: SqliteStore;
  before(() => {
    store = SqliteStore.open(':memory:');
  });
  after(() => store.close());
  const index = (m: ClairManifest) =>
    indexImage(manifestSource(m), {
      store,
      scanners: DEFAULT_SCANNERS,
      log: silentLogger(),
    });

  it('indexes the Alpine 3.20 layer fetched over HTTP', async () => {
    const m = oneLayer(`${base}/blobs/alpine`, { Authorization: [TOKEN] });
    const { report, stats } = await index(m);

    assert.deepEqual(stats, { scanned: 1, reused: 0 });
    assert.equal(report.manifestHash, MANIFEST_HASH);
    assert.deepEqual(report.layers, [ALPINE_DIGEST]);
    const dists = Object.values(report.distributions);
    assert.deepEqual(
      dists.map((d) => [d.did, d.versionId]),
      [['alpine', '3.20']],
    );
    const pkgs = Object.values(report.packages);
    assert.equal(pkgs.length, 14);
    const musl = pkgs.find((p) => p.name === 'musl');
    assert.equal(musl?.version, '1.2.5-r0');
    assert.deepEqual((await store.getIndexReport(MANIFEST_HASH))?.layers, [
      ALPINE_DIGEST,
    ]);
  });

  it('refuses a layer whose bytes do not match its hash', async () => {
    const wrong = `sha256:${'cd'.repeat(32)}`;
    const m = oneLayer(`${base}/blobs/other`, {}, wrong);
    await assert.rejects(index({ ...m, hash: wrong }), (err) => {
      assert.ok(isClaroError(err, 'DIGEST_MISMATCH'), String(err));
      assert.equal(
        err.message,
        `Cannot read layer ${wrong}: its bytes hash to ${sha256(other)}`,
      );
      return true;
    });
    assert.equal(await store.getIndexReport(wrong), undefined);
  });

  it('reports a failed fetch through the indexer', async () => {
    const m = oneLayer(`${base}/nope`, {}, `sha256:${'ef'.repeat(32)}`);
    await assert.rejects(index(m), (err) => isClaroError(err, 'FETCH_FAILED'));
  });
});
