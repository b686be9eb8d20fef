import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import { describe, it } from 'node:test';

import { isClaroError } from '../errors.js';
import { closeServer, httpUrl, listen } from './listen.js';

/** A server whose requests wait until `release()`, then answer 200. */
function slowServer(): {
  server: Server;
  release(): void;
  entered: Promise<void>;
} {
  let release = (): void => {};
  let enter = (): void => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  const entered = new Promise<void>((resolve) => (enter = resolve));
  const server = createServer((_req, res) => {
    enter();
    void gate.then(() => res.end('done'));
  });
  return { server, release, entered };
}

/** GET over a keep-alive connection, resolving with status and body. */
function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { headers: { Connection: 'keep-alive' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('listen', () => {
  it('resolves with the port the system chose for port 0', async () => {
    const server = createServer((_req, res) => res.end('hi'));
    const addr = await listen(server, { host: '127.0.0.1', port: 0 });
    try {
      assert.equal(addr.host, '127.0.0.1');
      assert.ok(addr.port > 0);
      assert.equal(httpUrl(addr), `http://127.0.0.1:${addr.port}`);
      assert.deepEqual(await get(httpUrl(addr)), { status: 200, body: 'hi' });
    } finally {
      await closeServer(server);
    }
  });

  it('names the address when it is in use', async () => {
    const first = createServer();
    const addr = await listen(first, { host: '127.0.0.1', port: 0 });
    try {
      await assert.rejects(listen(createServer(), addr), (err: unknown) => {
        assert.ok(isClaroError(err, 'INVALID_ARGUMENT'));
        assert.equal(
          err.message,
          `Cannot listen on 127.0.0.1:${addr.port}: address already in use`,
        );
        return true;
      });
    } finally {
      await closeServer(first);
    }
  });
});

describe('closeServer', () => {
  it('lets a request in flight finish, then resolves', async () => {
    const { server, release, entered } = slowServer();
    const addr = await listen(server, { host: '127.0.0.1', port: 0 });
    const answer = get(httpUrl(addr));
    await entered;

    let closed = false;
    const closing = closeServer(server).then(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(closed, false);
    await assert.rejects(get(httpUrl(addr)));

    release();
    assert.deepEqual(await answer, { status: 200, body: 'done' });
    await closing;
  });

  it('closes idle keep-alive connections at once', async () => {
    const server = createServer((_req, res) => res.end('hi'));
    server.keepAliveTimeout = 60_000;
    const addr = await listen(server, { host: '127.0.0.1', port: 0 });
    await get(httpUrl(addr));

    const started = Date.now();
    await closeServer(server);
    assert.ok(Date.now() - started < 1_000);
  });

  it('resolves at once for a server that never listened', async () => {
    await closeServer(createServer());
  });
});
