import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { isClaroError } from '../errors.js';
import { silentLogger } from '../log.js';
import {
  fetchDocuments,
  fingerprintOf,
  listMirrorFolders,
  parseJsonDocument,
  type FeedDocument,
} from './mirror.js';
import type { FetchContext } from './updater.js';

const log = silentLogger();

function unusedFetch(): Promise<Response> {
  throw new Error('a mirror read must not reach the network');
}

describe('fetchDocuments from a mirror folder', () => {
  let root = '';
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'claro-mirror-'));
    await mkdir(join(root, 'feed/sub/v1'), { recursive: true });
    await mkdir(join(root, 'feed/sub/v2'), { recursive: true });
    await writeFile(join(root, 'feed/a.json'), '{"a":1}');
    await writeFile(join(root, 'feed/sub/file'), 'x');
  });
  after(() => rm(root, { recursive: true, force: true }));

  const ctx = (): FetchContext => ({ mirror: root, fetch: unusedFetch, log });
  const doc = (name: string, optional = false): FeedDocument => ({
    name,
    mirrorPath: `feed/${name}`,
    url: `http://127.0.0.1:1/${name}`,
    optional,
  });

  it('reads the documents under their names with a sha256 fingerprint', async () => {
    const feed = await fetchDocuments(ctx(), [doc('a.json'), doc('b', true)]);

    assert.ok(feed);
    assert.deepEqual([...feed.documents.keys()], ['a.json']);
    assert.deepEqual(parseJsonDocument(feed, 'a.json'), { a: 1 });
    assert.equal(feed.fingerprint, fingerprintOf(feed.documents));
    assert.match(feed.fingerprint, /^sha256:[0-9a-f]{64}$/);
  });

  it('resolves undefined when a required document is absent', async () => {
    assert.equal(
      await fetchDocuments(ctx(), [doc('a.json'), doc('b')]),
      undefined,
    );
  });

  it('lists the folders below a mirror path, sorted, files left out', async () => {
    assert.deepEqual(await listMirrorFolders(ctx(), 'feed/sub'), ['v1', 'v2']);
    assert.equal(await listMirrorFolders(ctx(), 'nothing'), undefined);
  });
});

describe('fingerprintOf', () => {
  it('changes when bytes move from one document to the next', () => {
    const a = new Map([
      ['x', Buffer.from('ab')],
      ['y', Buffer.from('c')],
    ]);
    const b = new Map([
      ['x', Buffer.from('a')],
      ['y', Buffer.from('bc')],
    ]);
    assert.notEqual(fingerprintOf(a), fingerprintOf(b));
  });
});

describe('fetchDocuments from upstream', () => {
  let server: Server;
  let base = '';
  before(async () => {
    server = createServer((req, res) => {
      if (req.url === '/ok') return void res.end('body');
      res.statusCode = req.url === '/gone' ? 404 : 500;
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  const ctx = (): FetchContext => ({ fetch: globalThis.fetch, log });
  const doc = (path: string): FeedDocument => ({
    name: path,
    mirrorPath: path,
    url: `${base}${path}`,
  });

  it('reads a document over HTTP', async () => {
    const feed = await fetchDocuments(ctx(), [doc('/ok')]);
    assert.equal(feed?.documents.get('/ok')?.toString(), 'body');
  });

  it('treats HTTP 404 as an absent feed', async () => {
    assert.equal(await fetchDocuments(ctx(), [doc('/gone')]), undefined);
  });

  it('throws FETCH_FAILED naming the URL on a server error', async () => {
    await assert.rejects(fetchDocuments(ctx(), [doc('/fail')]), (err) => {
      assert.ok(isClaroError(err, 'FETCH_FAILED'));
      assert.equal(err.message, `Cannot fetch ${base}/fail: HTTP 500`);
      return true;
    });
  });
});

describe('parseJsonDocument', () => {
  it('throws INVALID_FEED naming the document on malformed JSON', () => {
    const feed = {
      fingerprint: '',
      documents: new Map([['x.json', Buffer.from('{"a":')]]),
    };
    assert.throws(
      () => parseJsonDocument(feed, 'x.json'),
      (err) => isClaroError(err, 'INVALID_FEED') && /x\.json/.test(err.message),
    );
  });
});
