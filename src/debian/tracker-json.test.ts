import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, copyFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';

import { isClaroError } from '../errors.js';
import { silentLogger } from '../log.js';
import type { FetchedFeed } from '../updater/updater.js';
import type { Vulnerability } from '../vuln/types.js';
import { TRACKER_JSON_URL, trackerUpdater } from './tracker-json.js';

const SAMPLES = '../shared/data/feeds/debian/samples/tracker-json';
const PAGE = 'https://security-tracker.debian.org/tracker/';
const log = silentLogger();

/** A logger that keeps what it is given, to assert on warnings. */
function capturingLogger(): {
  log: typeof log;
  lines: Record<string, unknown>[];
} {
  const lines: Record<string, unknown>[] = [];
  const stream = { write: (s: string) => void lines.push(JSON.parse(s)) };
  return { log: pino({ level: 'warn' }, stream), lines };
}

/** Fetches one sample through a temporary mirror, as the CLI would. */
async function fetchSample(file: string): Promise<FetchedFeed> {
  const root = await mkdtemp(join(tmpdir(), 'claro-tracker-'));
  try {
    await mkdir(join(root, 'debian'));
    await copyFile(join(SAMPLES, file), join(root, 'debian/tracker.json'));
    const feed = await trackerUpdater.fetch({
      mirror: root,
      fetch: () => Promise.reject(new Error('no network in tests')),
      log,
    });
    assert.ok(feed);
    return feed;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

function feedOf(json: string): FetchedFeed {
  return {
    fingerprint: 'test',
    documents: new Map([['tracker.json', Buffer.from(json)]]),
  };
}

type Row = [string, string, string, string, string];

/** [package, release, fixed, severity, normalized] of one issue's records. */
function rows(records: readonly Vulnerability[], id: string): Row[] {
  return records
    .filter((v) => v.name === id)
    .map((v) => [
      v.packageName,
      v.distribution.versionCodeName ?? '',
      v.fixedInVersion,
      v.severity,
      v.normalizedSeverity,
    ]);
}

describe('debian-tracker on the osv.dev excerpt (bookworm to sid)', async () => {
  const data = trackerUpdater.parse(
    await fetchSample('osv.dev-fixture-debian_security_tracker.json'),
    log,
  );

  it('writes no record where every release has fixed_version 0', () => {
    assert.deepEqual(rows(data.vulnerabilities, 'CVE-2014-1424'), []);
  });

  it('gives open releases an empty fix and keeps the urgency word', () => {
    assert.deepEqual(rows(data.vulnerabilities, 'CVE-2016-1585'), [
      ['apparmor', 'bookworm', '', 'unimportant', 'Negligible'],
      ['apparmor', 'bullseye', '', 'unimportant', 'Negligible'],
      ['apparmor', 'buster', '', 'unimportant', 'Negligible'],
      ['apparmor', 'sid', '3.0.12-1', 'unimportant', 'Negligible'],
      ['apparmor', 'trixie', '3.0.12-1', 'unimportant', 'Negligible'],
    ]);
  });

  it('builds the whole record of a resolved release', () => {
    const record = data.vulnerabilities.find(
      (v) => v.name === 'CVE-2017-6507' && v.distribution.versionId === '12',
    );
    assert.deepEqual(record, {
      updater: 'debian-tracker',
      name: 'CVE-2017-6507',
      description:
        "An issue was discovered in AppArmor before 2.12. Incorrect handling of unknown AppArmor profiles in AppArmor init scripts, upstart jobs, and/or systemd unit files allows an attacker to possibly have increased attack surfaces of processes that were intended to be confined by AppArmor. This is due to the common logic to handle 'restart' operations removing AppArmor profiles that aren't found in the typical filesystem locations, such as /etc/apparmor.d/. Userspace projects that manage their own AppArmor profiles in atypical directories, such as what's done by LXD and Docker, are affected by this flaw in the AppArmor init script logic.",
      issued: '',
      links: `${PAGE}CVE-2017-6507`,
      severity: 'not yet assigned',
      normalizedSeverity: 'Unknown',
      packageName: 'apparmor',
      packageKind: 'source',
      distribution: {
        did: 'debian',
        versionId: '12',
        versionCodeName: 'bookworm',
      },
      fixedInVersion: '2.11.0-3',
      scheme: 'dpkg',
    });
  });

  it('covers each release named, sid keyed with an empty versionId', () => {
    assert.deepEqual(
      data.coverage.map((d) => [d.versionId, d.versionCodeName]),
      [
        ['12', 'bookworm'],
        ['11', 'bullseye'],
        ['10', 'buster'],
        ['', 'sid'],
        ['13', 'trixie'],
      ],
    );
  });
});

describe('debian-tracker on the vunnel excerpt (jessie to sid)', async () => {
  const data = trackerUpdater.parse(
    await fetchSample('vunnel-fixture-debian.json'),
    log,
  );

  it('normalizes starred urgencies and end-of-life', () => {
    assert.deepEqual(rows(data.vulnerabilities, 'CVE-2008-7220')[0], [
      'prototypejs',
      'stretch',
      '1.6.0.2-1',
      'high**',
      'High',
    ]);
    assert.deepEqual(rows(data.vulnerabilities, 'CVE-2022-0456'), [
      ['chromium', 'bookworm', '98.0.4758.80-1', 'not yet assigned', 'Unknown'],
      [
        'chromium',
        'bullseye',
        '98.0.4758.80-1~deb11u1',
        'not yet assigned',
        'Unknown',
      ],
      ['chromium', 'buster', '', 'end-of-life', 'Unknown'],
      ['chromium', 'sid', '98.0.4758.80-1', 'not yet assigned', 'Unknown'],
      ['chromium', 'stretch', '', 'end-of-life', 'Unknown'],
    ]);
  });

  it('accepts an issue whose releases are an empty array', () => {
    assert.deepEqual(rows(data.vulnerabilities, 'CVE-2022-0358'), []);
  });
});

describe('debian-tracker malformed input', () => {
  it('throws INVALID_FEED naming the document on malformed JSON', () => {
    assert.throws(
      () => trackerUpdater.parse(feedOf('{"apparmor": {'), log),
      (err) =>
        isClaroError(err, 'INVALID_FEED') && /tracker\.json/.test(err.message),
    );
  });

  it('throws INVALID_FEED when the root is not an object', () => {
    assert.throws(
      () => trackerUpdater.parse(feedOf('[]'), log),
      (err) =>
        isClaroError(err, 'INVALID_FEED') &&
        err.message ===
          'Cannot parse tracker.json: not an object of source packages',
    );
  });

  it('skips senseless entries and unknown releases with warnings', () => {
    const { log: warnLog, lines } = capturingLogger();
    const json = JSON.stringify({
      zlib: {
        'CVE-1': {
          releases: {
            bookworm: { status: 'fixed-ish', urgency: 'low' },
            trixie: { status: 'resolved', urgency: 'low' },
            experimental: { status: 'open', urgency: 'low' },
            bullseye: { status: 'open', urgency: 'low' },
          },
        },
        'CVE-2': 'nonsense',
      },
    });
    const data = trackerUpdater.parse(feedOf(json), warnLog);

    assert.deepEqual(rows(data.vulnerabilities, 'CVE-1'), [
      ['zlib', 'bullseye', '', 'low', 'Low'],
    ]);
    assert.deepEqual(
      data.coverage.map((d) => d.versionCodeName),
      ['bullseye'],
    );
    assert.deepEqual(
      lines.map((l) => [l['msg'], l['release'] ?? l['skipped'] ?? l['id']]),
      [
        ['skipped tracker entry', 'CVE-1'],
        ['skipped tracker entry', 'CVE-1'],
        ['skipped release unknown to claro', 'experimental'],
        ['skipped tracker entry', 'CVE-2'],
        ['skipped malformed tracker entries', 3],
      ],
    );
  });
});

describe('debian-tracker fetch', () => {
  it('reads the export from its upstream URL', async () => {
    const asked: string[] = [];
    const fetch = (url: string | URL | Request): Promise<Response> => {
      asked.push(String(url));
      return Promise.resolve(new Response('{}'));
    };
    const feed = await trackerUpdater.fetch({
      fetch: fetch as typeof globalThis.fetch,
      log,
    });

    assert.deepEqual(asked, [TRACKER_JSON_URL]);
    assert.deepEqual(trackerUpdater.parse(feed!, log), {
      vulnerabilities: [],
      coverage: [],
    });
  });
});
