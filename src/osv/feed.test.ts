import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { isClaroError } from '../errors.js';
import { makeZip } from '../java/testdata/zip.js';
import { silentLogger } from '../log.js';
import { fingerprintOf } from '../updater/mirror.js';
import type { FetchContext, FetchedFeed } from '../updater/updater.js';
import { OSV_ECOSYSTEMS, type OsvEcosystem } from './ecosystems.js';
import { allZipUrl, fetchOsvFeed, osvDocuments } from './feed.js';

const FEEDS = '../shared/data/feeds';
const log = silentLogger();

function noNetwork(): Promise<Response> {
  return Promise.reject(new Error('no network in tests'));
}

const mirror: FetchContext = { mirror: FEEDS, fetch: noNetwork, log };

function ecosystem(folder: string): OsvEcosystem {
  const eco = OSV_ECOSYSTEMS.find((e) => e.folder === folder);
  assert.ok(eco, folder);
  return eco;
}

async function fetchFrom(
  ctx: FetchContext,
  folder: string,
): Promise<FetchedFeed> {
  const feed = await fetchOsvFeed(ctx, ecosystem(folder));
  assert.ok(feed, folder);
  return feed;
}

describe('fetchOsvFeed from the shared mirror', () => {
  it("reads a zip mirror's all.zip as one document", async () => {
    const feed = await fetchFrom(mirror, 'go');
    const zip = await readFile(`${FEEDS}/osv/go/all.zip`);
    assert.deepEqual([...feed.documents.keys()], ['all.zip']);
    assert.equal(feed.fingerprint, fingerprintOf(new Map([['all.zip', zip]])));
  });

  it('reads the record files of a tree mirror, by sorted path', async () => {
    const feed = await fetchFrom(mirror, 'npm');
    const names = [...feed.documents.keys()];
    assert.equal(names.length, 12);
    assert.deepEqual(names, [...names].sort());
    assert.equal(
      names[0],
      'advisories/github-reviewed/2020/07/GHSA-p6mc-m468-83gw/' +
        'GHSA-p6mc-m468-83gw.json',
    );
  });

  it('reads YAML record trees', async () => {
    const feed = await fetchFrom(mirror, 'pypi');
    assert.equal(feed.documents.size, 2661);
    assert.ok(feed.documents.has('vulns/pygments/PYSEC-2021-140.yaml'));
  });

  it("reads Rocky's records from the samples folder", async () => {
    const feed = await fetchFrom(mirror, 'rocky');
    assert.deepEqual(
      [...feed.documents.keys()],
      ['RLSA-2021_3891.json', 'RLSA-2023_3220.json', 'RLSA-2024_3671.json'],
    );
  });

  it('finds no feed for an ecosystem the mirror lacks', async () => {
    assert.equal(await fetchOsvFeed(mirror, ecosystem('maven')), undefined);
  });
});

describe('fetchOsvFeed from a mirror of record files', () => {
  let root = '';
  const ctx = (): FetchContext => ({ mirror: root, fetch: noNetwork, log });
  const put = async (path: string, body: string) => {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), body);
  };
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'claro-osv-mirror-'));
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('finds no feed in a folder without records', async () => {
    await put('osv/pypi/LICENSE', 'text');
    assert.equal(await fetchOsvFeed(ctx(), ecosystem('pypi')), undefined);
  });

  it('fingerprints records alone, and changes with them', async () => {
    await put('osv/pypi/vulns/a/PYSEC-1.yaml', 'id: PYSEC-1\n');
    const first = await fetchFrom(ctx(), 'pypi');
    await put('osv/pypi/NOTES.md', 'not a record');
    const same = await fetchFrom(ctx(), 'pypi');
    await put('osv/pypi/vulns/a/PYSEC-1.yaml', 'id: PYSEC-1\nx: y\n');
    const changed = await fetchFrom(ctx(), 'pypi');

    assert.deepEqual([...first.documents.keys()], ['vulns/a/PYSEC-1.yaml']);
    assert.equal(same.fingerprint, first.fingerprint);
    assert.notEqual(changed.fingerprint, first.fingerprint);
  });

  it('prefers all.zip to the record files beside it', async () => {
    await put('osv/pypi/all.zip', 'zip bytes');
    const feed = await fetchFrom(ctx(), 'pypi');
    assert.deepEqual([...feed.documents.keys()], ['all.zip']);
  });
});

describe('fetchOsvFeed from upstream', () => {
  it("asks OSV's bucket for each ecosystem's all.zip", () => {
    const urls = OSV_ECOSYSTEMS.map(allZipUrl);
    const bucket = 'https://osv-vulnerabilities.storage.googleapis.com';
    assert.deepEqual(urls, [
      `${bucket}/PyPI/all.zip`,
      `${bucket}/npm/all.zip`,
      `${bucket}/Go/all.zip`,
      `${bucket}/crates.io/all.zip`,
      `${bucket}/Maven/all.zip`,
      `${bucket}/RubyGems/all.zip`,
      `${bucket}/AlmaLinux/all.zip`,
      `${bucket}/Rocky%20Linux/all.zip`,
    ]);
  });

  it('reads the zip through the injected fetch', async () => {
    const zip = await readFile(`${FEEDS}/osv/crates.io/all.zip`);
    const asked: string[] = [];
    const ctx: FetchContext = {
      fetch: (url) => {
        asked.push(String(url));
        return Promise.resolve(new Response(zip));
      },
      log,
    };
    const feed = await fetchFrom(ctx, 'crates.io');
    assert.deepEqual(asked, [allZipUrl(ecosystem('crates.io'))]);
    assert.deepEqual(feed.documents.get('all.zip'), zip);
  });

  it('finds no feed when upstream answers 404', async () => {
    const ctx: FetchContext = {
      fetch: () => Promise.resolve(new Response(null, { status: 404 })),
      log,
    };
    assert.equal(await fetchOsvFeed(ctx, ecosystem('go')), undefined);
  });
});

describe('osvDocuments', () => {
  const feedOf = (docs: [string, Buffer][]): FetchedFeed => ({
    fingerprint: 't',
    documents: new Map(docs),
  });

  it('yields the record entries of a zip, and why others fail', () => {
    const zip = makeZip([
      { name: 'A-1.json', body: '{"id":"A-1"}' },
      { name: 'README', body: 'not a record' },
      { name: 'sub/B-2.yaml', body: 'id: B-2\n', deflate: false },
      { name: 'C-3.json', body: '{}', method: 12 },
    ]);
    const docs = [...osvDocuments(feedOf([['all.zip', zip]]))];
    assert.deepEqual(docs, [
      { name: 'A-1.json', body: Buffer.from('{"id":"A-1"}') },
      { name: 'sub/B-2.yaml', body: Buffer.from('id: B-2\n') },
      { name: 'C-3.json', error: 'unsupported compression method 12' },
    ]);
  });

  it('yields the record files of a tree', () => {
    const a = Buffer.from('{}');
    const docs = [
      ...osvDocuments(
        feedOf([
          ['x/A.json', a],
          ['x/LICENSE', a],
        ]),
      ),
    ];
    assert.deepEqual(docs, [{ name: 'x/A.json', body: a }]);
  });

  it('throws INVALID_FEED for a zip whose directory cannot be read', () => {
    const feed = feedOf([['all.zip', Buffer.from('not a zip at all')]]);
    assert.throws(
      () => [...osvDocuments(feed)],
      (err) =>
        isClaroError(err, 'INVALID_FEED') &&
        err.message ===
          'Cannot parse all.zip: no end of central directory record',
    );
  });
});
