import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { isClaroError } from '../errors.js';
import { silentLogger } from '../log.js';
import type { FetchContext, FetchedFeed } from '../updater/updater.js';
import type { UpdateData, Vulnerability } from '../vuln/types.js';
import {
  DLA_LIST_URL,
  DSA_LIST_URL,
  TRACKER_CONFIG_URL,
  parseAdvisoryList,
  securityListUpdater,
} from './security-list.js';

const log = silentLogger();
const FEEDS = '../shared/data/feeds';
const RAW = `${FEEDS}/debian/samples/security-tracker-raw`;
const PAGE = 'https://security-tracker.debian.org/tracker/';

function mirrorCtx(mirror = FEEDS): FetchContext {
  return {
    mirror,
    fetch: () => Promise.reject(new Error('no network in tests')),
    log,
  };
}

function feedOf(docs: Record<string, string>): FetchedFeed {
  const entries = Object.entries(docs).map(
    ([k, v]) => [k, Buffer.from(v)] as const,
  );
  return { fingerprint: 'test', documents: new Map(entries) };
}

/** Records as [release, package, fixed, issued, links] for one name. */
function rows(data: UpdateData, name: string): string[][] {
  return data.vulnerabilities
    .filter((v) => v.name === name)
    .map((v) => [
      v.distribution.versionCodeName ?? '',
      v.packageName,
      v.fixedInVersion,
      v.issued,
      v.links,
    ]);
}

describe('debian-security-list on the real DSA and DLA lists', () => {
  let data: UpdateData;
  before(async () => {
    const feed = await securityListUpdater.fetch(mirrorCtx());
    assert.ok(feed);
    data = securityListUpdater.parse(feed, log);
  });

  it('gives DSA-5380-1 as one record per CVE with its header date', () => {
    const [record] = data.vulnerabilities.filter(
      (v) => v.name === 'CVE-2023-1393',
    );
    const expected: Vulnerability = {
      updater: 'debian-security-list',
      name: 'CVE-2023-1393',
      description: 'security update',
      issued: '2023-03-29',
      links: `${PAGE}DSA-5380-1 ${PAGE}CVE-2023-1393`,
      severity: '',
      normalizedSeverity: 'Unknown',
      packageName: 'xorg-server',
      packageKind: 'source',
      distribution: {
        did: 'debian',
        versionId: '11',
        versionCodeName: 'bullseye',
      },
      fixedInVersion: '2:1.20.11-1+deb11u6',
      scheme: 'dpkg',
    };
    assert.deepEqual(
      data.vulnerabilities.filter((v) => v.name === 'CVE-2023-1393').length,
      2, // DSA-5380-1 for bullseye, DLA-3372-1 for buster
    );
    assert.deepEqual(record, expected);
  });

  it('gives every CVE of DSA-5377-1 the chromium fix for bullseye', () => {
    for (const n of [1528, 1529, 1530, 1531, 1532, 1533, 1534]) {
      assert.deepEqual(rows(data, `CVE-2023-${n}`), [
        [
          'bullseye',
          'chromium',
          '111.0.5563.110-1~deb11u1',
          '2023-03-23',
          `${PAGE}DSA-5377-1 ${PAGE}CVE-2023-${n}`,
        ],
      ]);
    }
  });

  it('names an advisory without CVEs by its own id', () => {
    assert.deepEqual(rows(data, 'DSA-5356-2'), [
      [
        'bullseye',
        'sox',
        '14.4.2+git20190427-2+deb11u2',
        '2023-03-17',
        `${PAGE}DSA-5356-2`,
      ],
    ]);
  });

  it('keeps the greatest fixed version when advisories repeat a CVE', () => {
    assert.deepEqual(rows(data, 'CVE-2019-6111'), [
      [
        'stretch',
        'openssh',
        '1:7.4p1-10+deb9u6',
        '2019-03-02',
        `${PAGE}DSA-4387-2 ${PAGE}DSA-4387-1 ${PAGE}CVE-2019-6111`,
      ],
      [
        'jessie',
        'openssh',
        '1:6.7p1-5+deb8u8',
        '2019-03-25',
        `${PAGE}DLA-1728-1 ${PAGE}CVE-2019-6111`,
      ],
    ]);
    const linux = rows(data, 'CVE-2022-2153').filter((r) => r[1] === 'linux');
    assert.deepEqual(
      linux.map((r) => r.slice(0, 3)),
      [
        ['buster', 'linux', '4.19.260-1'],
        ['stretch', 'linux', '4.9.320-2'],
      ],
    );
  });

  it('writes no record for <not-affected> and an empty fix for <unfixed>', () => {
    assert.deepEqual(
      rows(data, 'CVE-2011-2685').map((r) => r.slice(0, 3)),
      [['squeeze', 'openoffice.org', '1:3.2.1-11+squeeze3']],
    );
    assert.deepEqual(
      rows(data, 'CVE-2005-3300').map((r) => r.slice(0, 3)),
      [
        ['woody', 'phpmyadmin', ''],
        ['sarge', 'phpmyadmin', '4:2.6.2-3sarge1'],
      ],
    );
  });

  it('covers every release the lists name', () => {
    assert.deepEqual(
      data.coverage.map((d) => [d.versionId, d.versionCodeName]).sort(),
      [
        ['10', 'buster'],
        ['11', 'bullseye'],
        ['3.0', 'woody'],
        ['3.1', 'sarge'],
        ['4.0', 'etch'],
        ['5', 'lenny'],
        ['6', 'squeeze'],
        ['7', 'wheezy'],
        ['8', 'jessie'],
        ['9', 'stretch'],
      ],
    );
  });
});

describe('parseAdvisoryList edge cases', () => {
  it('reads the edge-case DSA excerpt: no CVEs, notes, several packages', () => {
    const text = readFileSync(`${RAW}/vunnel-fixture-DSA-list`, 'utf8');
    const data = securityListUpdater.parse(feedOf({ 'DSA/list': text }), log);

    assert.deepEqual(
      data.vulnerabilities.map((v) => [
        v.name,
        v.distribution.versionId,
        v.packageName,
        v.fixedInVersion,
      ]),
      [
        ['CVE-2002-1425', '3.0', 'mpack', '1.5-7woody2'],
        ['CVE-2002-0660', '3.0', 'libpng', '1.0.12-3.woody.2'],
        ['CVE-2002-0728', '3.0', 'libpng', '1.0.12-3.woody.2'],
        ['CVE-2002-0660', '3.0', 'libpng3', '1.2.1-1.1.woody.2'],
        ['CVE-2002-0728', '3.0', 'libpng3', '1.2.1-1.1.woody.2'],
        ['CVE-2002-0817', '3.0', 'super', '3.16.1-1.2'],
        ['CVE-2002-1412', '3.0', 'gallery', '1.2.5-7'],
        ['DSA-2808-2', '6', 'openjpeg', '1.3+dfsg-4+squeeze3'],
        ['DSA-2808-2', '7', 'openjpeg', '1.3+dfsg-4.8'],
        ['DSA-4323-1', '9', 'drupal7', '7.52-2+deb9u5'],
        ['CVE-2025-53603', '12', 'sope', '5.8.0-1+deb12u1'],
      ],
    );
  });

  it('skips an advisory with a malformed header and counts it', () => {
    const text = readFileSync(
      `${RAW}/vuln-list-update-fixture/data/DLA/list`,
      'utf8',
    );
    const list = parseAdvisoryList(text, 'DLA/list', log);

    assert.equal(list.skipped, 1);
    assert.deepEqual(
      list.statements.map((s) => [s.advisory.id, s.advisory.cves.length]),
      [['DLA-2711-1', 4]],
    );
  });

  it('skips a package line without a version and keeps the rest', () => {
    const text = [
      '[01 Apr 2023] DLA-3378-1 duktape - security update',
      '\t{CVE-2021-46322}',
      '\t[buster] - duktape',
      '\t[buster] - duktape 2.3.0-1+deb10u1',
    ].join('\n');
    const list = parseAdvisoryList(text, 'DLA/list', log);

    assert.equal(list.skipped, 1);
    assert.deepEqual(
      list.statements.map((s) => s.fixedInVersion),
      ['2.3.0-1+deb10u1'],
    );
  });

  it('treats version 0 as not affected but keeps the release covered', () => {
    const text = '[01 Apr 2023] DLA-1-1 x - y\n\t{CVE-1}\n\t[buster] - x 0\n';
    const list = parseAdvisoryList(text, 'DLA/list', log);

    assert.deepEqual(list.statements, []);
    assert.deepEqual([...list.releases], ['buster']);
  });

  it('throws INVALID_FEED naming the document when no header parses', () => {
    assert.throws(
      () => parseAdvisoryList('<html>login</html>\n', 'DSA/list', log),
      (err) =>
        isClaroError(err, 'INVALID_FEED') &&
        err.message === 'Cannot parse DSA/list: no advisory header found',
    );
  });

  it('throws INVALID_FEED on a config.json that is not JSON', () => {
    const feed = feedOf({ 'DSA/list': '', 'config.json': '{' });
    assert.throws(
      () => securityListUpdater.parse(feed, log),
      (err) =>
        isClaroError(err, 'INVALID_FEED') && /config\.json/.test(err.message),
    );
  });
});

describe('debian-security-list fetch', () => {
  it('resolves undefined on a mirror without the lists', async () => {
    assert.equal(
      await securityListUpdater.fetch(mirrorCtx('/nonexistent')),
      undefined,
    );
  });

  it('asks upstream for the DSA, DLA and config URLs', async () => {
    const asked: string[] = [];
    const fetch = (url: string | URL | Request): Promise<Response> => {
      asked.push(String(url));
      return Promise.resolve(new Response('[01 Apr 2023] DSA-1-1 x - y\n'));
    };
    const ctx: FetchContext = { fetch: fetch as typeof globalThis.fetch, log };
    const feed = await securityListUpdater.fetch(ctx);

    assert.deepEqual(asked, [DSA_LIST_URL, DLA_LIST_URL, TRACKER_CONFIG_URL]);
    assert.deepEqual(
      [...(feed?.documents.keys() ?? [])],
      ['DSA/list', 'DLA/list', 'config.json'],
    );
  });
});
