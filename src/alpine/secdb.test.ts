import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { isClaroError } from '../errors.js';
import { silentLogger } from '../log.js';
import type { FetchContext, FetchedFeed } from '../updater/updater.js';
import type { UpdateData, Vulnerability } from '../vuln/types.js';
import {
  alpineSecdbSet,
  parseSecdb,
  secdbUpdater,
  secfixIds,
} from './secdb.js';

const log = silentLogger();
const mirror: FetchContext = {
  mirror: '../shared/data/feeds',
  fetch: () => Promise.reject(new Error('no network in tests')),
  log,
};

async function load(release: string, repo: string): Promise<UpdateData> {
  const updater = secdbUpdater(release, repo);
  const feed = await updater.fetch(mirror);
  assert.ok(feed, `${release}/${repo}.json in the mirror`);
  return updater.parse(feed, log);
}

/** `name@fixed` of one package's records. */
function fixes(data: UpdateData, pkg: string): string[] {
  return data.vulnerabilities
    .filter((v) => v.packageName === pkg)
    .map((v) => `${v.name}@${v.fixedInVersion}`)
    .sort();
}

function feedOf(name: string, json: string): FetchedFeed {
  return { fingerprint: 't', documents: new Map([[name, Buffer.from(json)]]) };
}

describe('alpine secdb v3.20 main', async () => {
  const data = await load('v3.20', 'main');

  it('builds the whole record of a secfix', () => {
    const record = data.vulnerabilities.find(
      (v) => v.packageName === 'busybox' && v.name === 'CVE-2022-28391',
    );
    const expected: Vulnerability = {
      updater: 'alpine-secdb-v3.20-main',
      name: 'CVE-2022-28391',
      description: '',
      issued: '',
      links: 'https://security.alpinelinux.org/vuln/CVE-2022-28391',
      severity: '',
      normalizedSeverity: 'Unknown',
      packageName: 'busybox',
      packageKind: 'source',
      distribution: { did: 'alpine', versionId: '3.20' },
      fixedInVersion: '1.35.0-r7',
      scheme: 'apk',
    };
    assert.deepEqual(record, expected);
  });

  it('writes no record for ids under the version key 0', () => {
    const names = data.vulnerabilities
      .filter((v) => v.packageName === 'busybox')
      .map((v) => v.name);
    assert.equal(names.includes('CVE-2021-42373'), false);
    assert.equal(names.includes('CVE-2021-42374'), true);
  });

  it('gives each zlib secfix its own fixed version', () => {
    assert.deepEqual(fixes(data, 'zlib'), [
      'CVE-2018-25032@1.2.11-r4',
      'CVE-2022-37434@1.2.12-r2',
    ]);
  });

  it('covers the release', () => {
    assert.deepEqual(data.coverage, [{ did: 'alpine', versionId: '3.20' }]);
  });
});

describe('alpine secdb older releases', () => {
  it('splits entries holding a CVE and a Xen advisory', async () => {
    const data = await load('v3.10', 'main');
    const xsa = data.vulnerabilities.filter(
      (v) =>
        v.packageName === 'xen' && /^(CVE-2016-6258|XSA-182)$/.test(v.name),
    );
    assert.deepEqual(
      xsa.map((v) => [v.name, v.fixedInVersion, v.links]),
      [
        [
          'CVE-2016-6258',
          '4.7.0-r0',
          'https://security.alpinelinux.org/vuln/CVE-2016-6258',
        ],
        ['XSA-182', '4.7.0-r0', ''],
      ],
    );
  });

  it('keeps the greatest fixed version of an id listed twice', async () => {
    const data = await load('v3.10', 'community');
    const ws = fixes(data, 'wireshark').filter((f) =>
      f.startsWith('CVE-2017-15191'),
    );
    assert.deepEqual(ws, ['CVE-2017-15191@2.4.2-r0']);
  });

  it('covers a release whose repository has no packages', async () => {
    const data = await load('v3.3', 'community');
    assert.deepEqual(data, {
      vulnerabilities: [],
      coverage: [{ did: 'alpine', versionId: '3.3' }],
    });
  });
});

describe('secfixIds', () => {
  const cases: readonly [string, string[]][] = [
    ['CVE-2021-1234', ['CVE-2021-1234']],
    ['CVE-2016-6258 XSA-182', ['CVE-2016-6258', 'XSA-182']],
    ['CVE-2018-14468 (FrameRelay)', ['CVE-2018-14468']],
    ['CVE-2018-10103 (SMB - partially fixed)', ['CVE-2018-10103']],
    ['CVE-????-?????  XSA-295', ['XSA-295']],
    ['CVE_2019-2426', ['CVE-2019-2426']],
    ['CVE 2018-16859', ['CVE-2018-16859']],
    ['CVE-2017-8073.patch', ['CVE-2017-8073']],
    ['GNUTLS-SA-2020-03-31', ['GNUTLS-SA-2020-03-31']],
    [
      'CVE-2017-5753 CVE-2017-5715 CVE-2017-5754 XSA-254 XPTI',
      ['CVE-2017-5753', 'CVE-2017-5715', 'CVE-2017-5754', 'XSA-254'],
    ],
    ['', []],
  ];
  for (const [entry, ids] of cases) {
    it(`reads ${JSON.stringify(entry)}`, () => {
      assert.deepEqual(secfixIds(entry), ids);
    });
  }
});

describe('alpine secdb malformed input', () => {
  const opts = { release: 'v3.20', repository: 'main', log };

  it('throws INVALID_FEED naming the document on malformed JSON', () => {
    assert.throws(
      () => parseSecdb(feedOf('v3.20/main.json', '{"packages": ['), opts),
      (err) =>
        isClaroError(err, 'INVALID_FEED') &&
        /v3\.20\/main\.json/.test(err.message),
    );
  });

  it('throws INVALID_FEED when there is no packages array', () => {
    assert.throws(
      () => parseSecdb(feedOf('v3.20/main.json', '{}'), opts),
      (err) => isClaroError(err, 'INVALID_FEED'),
    );
  });

  it('skips a bad package or version and keeps the rest', () => {
    const json = JSON.stringify({
      packages: [
        { pkg: { secfixes: {} } },
        { pkg: { name: 'xen', secfixes: { '4.10-1-r1': ['CVE-1-1'] } } },
        {
          pkg: { name: 'zlib', secfixes: { '1.2.12-r2': ['CVE-2022-37434'] } },
        },
      ],
    });
    const data = parseSecdb(feedOf('v3.20/main.json', json), opts);
    assert.deepEqual(
      data.vulnerabilities.map((v) => `${v.packageName} ${v.name}`),
      ['zlib CVE-2022-37434'],
    );
  });
});

describe('alpineSecdbSet', () => {
  it('makes one updater per mirror release folder and repository file', async () => {
    const names = (await alpineSecdbSet.updaters(mirror)).map((u) => u.name);
    const expected = ['3', '4', '5', '6', '7', '8', '9', '10', '11'].flatMap(
      (m) => [`alpine-secdb-v3.${m}-main`, `alpine-secdb-v3.${m}-community`],
    );
    expected.push(
      'alpine-secdb-v3.18-main',
      'alpine-secdb-v3.19-main',
      'alpine-secdb-v3.20-main',
    );
    assert.deepEqual(names, expected);
  });

  it('lists v3.3 to v3.22 and edge from upstream, reading their URLs', async () => {
    const asked: string[] = [];
    const fetch = (url: string | URL | Request): Promise<Response> => {
      asked.push(String(url));
      return Promise.resolve(new Response(null, { status: 404 }));
    };
    const ctx: FetchContext = { fetch: fetch as typeof globalThis.fetch, log };
    const updaters = await alpineSecdbSet.updaters(ctx);

    assert.equal(updaters.length, 42);
    assert.equal(updaters[0]?.name, 'alpine-secdb-v3.3-main');
    assert.equal(updaters.at(-1)?.name, 'alpine-secdb-edge-community');
    assert.equal(await updaters.at(-3)?.fetch(ctx), undefined);
    assert.deepEqual(asked, [
      'https://secdb.alpinelinux.org/v3.22/community.json',
    ]);
  });
});
