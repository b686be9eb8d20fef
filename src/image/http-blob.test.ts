import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { isClaroError } from '../errors.js';
import { fetchBlob, safeUrl } from './http-blob.js';

describe('safeUrl', () => {
  const table: [string, string][] = [
    ['http://127.0.0.1:5000/v2/x', 'http://127.0.0.1:5000/v2/x'],
    ['https://u:pw@reg.test/b', 'https://reg.test/b'],
    ['https://u@reg.test/b', 'https://reg.test/b'],
    [
      'https://s3.test/b?X-Amz-Signature=abc&X-Amz-Expires=60',
      'https://s3.test/b?X-Amz-Signature=***&X-Amz-Expires=***',
    ],
    ['https://reg.test/b#frag', 'https://reg.test/b'],
    ['not a url', '(invalid URL)'],
  ];
  for (const [url, want] of table) {
    it(`prints ${url} as ${want}`, () => assert.equal(safeUrl(url), want));
  }
});

describe('fetchBlob', () => {
  const refuses = async (url: string, headers: object, message: string) =>
    assert.rejects(
      fetchBlob(url, { what: 'blob x', headers: headers as never }),
      (err) => {
        assert.ok(isClaroError(err, 'INVALID_ARGUMENT'), String(err));
        assert.equal(err.message, message);
        return true;
      },
    );

  it('refuses a URL that is not http(s) before sending', async () => {
    await refuses(
      'data:text/plain,secret',
      {},
      'Cannot fetch blob x: not an absolute http(s) URL',
    );
  });

  it('refuses a header HTTP cannot carry, without its value', async () => {
    await refuses(
      'http://127.0.0.1:1/never-sent',
      { 'X-A': ['secret\nX-B: y'] },
      'Cannot fetch blob x: header "X-A" has an invalid name or value',
    );
  });
});

/** Three quick tries. */
const FAST = { attempts: 3, baseDelayMs: 10, maxDelayMs: 2_000 };
const BODY = Buffer.from('0123456789'.repeat(10_000));
const THIRD = Math.floor(BODY.length / 3);

interface Seen {
  readonly path: string;
  readonly range: string | undefined;
  readonly ifRange: string | undefined;
  readonly authorization: string | undefined;
}

/** A server whose routes fail on purpose; it records every request. */
async function faultyServer() {
  const seen: Seen[] = [];
  const count = (path: string) => seen.filter((s) => s.path === path).length;
  let other = '';
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    seen.push({
      path,
      range: req.headers.range,
      ifRange: req.headers['if-range'] as string | undefined,
      authorization: req.headers.authorization,
    });
    const n = count(path);
    switch (path) {
      case '/503-twice':
        if (n <= 2) return void res.writeHead(503).end();
        return void res.end(BODY);
      case '/429-then-ok':
        if (n === 1) {
          return void res.writeHead(429, { 'Retry-After': '1' }).end();
        }
        return void res.end(BODY);
      case '/429-an-hour':
        return void res.writeHead(429, { 'Retry-After': '3600' }).end();
      case '/404':
        return void res.writeHead(404).end();
      case '/stall-then-range':
        return stallOrRange(req.headers.range, res, true);
      case '/stall-no-range':
        return stallOrRange(req.headers.range, res, false);
      case '/elsewhere':
        return void res
          .writeHead(307, { Location: `${other}/echo-auth` })
          .end();
      case '/echo-auth':
        return void res.end(req.headers.authorization ?? '(none)');
      default:
        return void res.writeHead(404).end();
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    seen,
    count,
    pointTo: (base: string) => void (other = base),
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

/**
 * The first GET sends a third of the body and stalls; a Range request
 * gets the rest as 206 when `ranges`, else the whole body as 200.
 */
function stallOrRange(
  range: string | undefined,
  res: ServerResponse,
  ranges: boolean,
): void {
  const headers = { 'Accept-Ranges': 'bytes', ETag: '"v1"' };
  const from = Number(/^bytes=(\d+)-$/.exec(range ?? '')?.[1] ?? NaN);
  if (Number.isNaN(from)) {
    res.writeHead(200, { ...headers, 'Content-Length': BODY.length });
    return void res.write(BODY.subarray(0, THIRD));
  }
  if (!ranges) return void res.writeHead(200, headers).end(BODY);
  res.writeHead(206, {
    ...headers,
    'Content-Range': `bytes ${from}-${BODY.length - 1}/${BODY.length}`,
  });
  res.end(BODY.subarray(from));
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('fetchBlob retries', () => {
  let s: Awaited<ReturnType<typeof faultyServer>>;
  let t: Awaited<ReturnType<typeof faultyServer>>;
  before(async () => {
    s = await faultyServer();
    t = await faultyServer();
    s.pointTo(t.url);
  });
  after(async () => {
    await s.close();
    await t.close();
  });
  const get = (path: string, extra: object = {}) =>
    fetchBlob(`${s.url}${path}`, {
      what: 'blob x',
      retry: FAST,
      timeoutMs: 300,
      ...extra,
    }).then(readAll);
  const fails = (path: string, message: string) =>
    assert.rejects(get(path), (err) => {
      assert.ok(isClaroError(err, 'FETCH_FAILED'), String(err));
      assert.equal(err.message, message);
      return true;
    });

  it('tries a 503 again until the server answers', async () => {
    assert.deepEqual(await get('/503-twice'), BODY);
    assert.equal(s.count('/503-twice'), 3);
  });

  it('waits as long as Retry-After asks after a 429', async () => {
    const t0 = Date.now();
    assert.deepEqual(await get('/429-then-ok'), BODY);
    assert.ok(Date.now() - t0 >= 1000, `waited ${Date.now() - t0} ms`);
    assert.equal(s.count('/429-then-ok'), 2);
  });

  it('gives up at once when Retry-After is beyond the longest wait', async () => {
    await fails(
      '/429-an-hour',
      `Cannot fetch blob x: GET ${s.url}/429-an-hour answered 429 ` +
        'Too Many Requests',
    );
    assert.equal(s.count('/429-an-hour'), 1);
  });

  it('does not try a 404 again', async () => {
    await fails(
      '/404',
      `Cannot fetch blob x: GET ${s.url}/404 answered 404 Not Found`,
    );
    assert.equal(s.count('/404'), 1);
  });

  it('resumes a stalled body with a Range request under If-Range', async () => {
    assert.deepEqual(await get('/stall-then-range'), BODY);
    const tries = s.seen.filter((x) => x.path === '/stall-then-range');
    assert.deepEqual(
      tries.map((x) => [x.range, x.ifRange]),
      [
        [undefined, undefined],
        [`bytes=${THIRD}-`, '"v1"'],
      ],
    );
  });

  it('fails a stalled body when the server ignores the Range', async () => {
    await fails(
      '/stall-no-range',
      `Cannot fetch blob x: GET ${s.url}/stall-no-range stopped sending ` +
        'for 300 ms, and could not be resumed: answered 200 OK without ' +
        'a body (3 attempts)',
    );
  });

  it('drops Authorization on a redirect to another origin', async () => {
    const body = await get('/elsewhere', {
      headers: { Authorization: ['Bearer secret'] },
    });
    assert.equal(body.toString(), '(none)');
    assert.equal(s.seen.at(-1)?.authorization, 'Bearer secret');
  });

  it('refuses plain HTTP where allowHttp says no, redirects included', async () => {
    await assert.rejects(
      get('/elsewhere', {
        allowHttp: (u: URL) => u.port === new URL(s.url).port,
      }),
      (err) => {
        assert.ok(isClaroError(err, 'FETCH_FAILED'), String(err));
        assert.equal(
          err.message,
          `Cannot fetch blob x: redirect to ${t.url}/echo-auth: plain HTTP ` +
            'is allowed only for loopback hosts, or with --insecure',
        );
        return true;
      },
    );
  });
});
