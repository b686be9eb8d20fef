import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';

import { readZipDirectory, readZipEntry } from '../java/zip.js';
import { silentLogger, type Logger } from '../log.js';
import { SqliteStore } from '../store/sqlite.js';
import { runUpdaterSet } from '../updater/run.js';
import type { FetchContext, FetchedFeed } from '../updater/updater.js';
import type { UpdateData, Vulnerability } from '../vuln/types.js';
import { CVE_RECORD_URL } from './convert.js';
import { OSV_ECOSYSTEMS, type OsvEcosystem } from './ecosystems.js';
import {
  osvEcosystem,
  osvUpdater,
  osvUpdaterSet,
  parseOsvFeed,
} from './updater.js';

const OSV = '../shared/data/feeds/osv';
const log = silentLogger();
const V31_HIGH = 'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H';

/** A logger that keeps what it is given, from info up. */
function capturingLogger(): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = { write: (s: string) => void lines.push(JSON.parse(s)) };
  return { log: pino({ level: 'info', base: null }, stream), lines };
}

function feedOf(docs: readonly [string, Buffer | string][]): FetchedFeed {
  const documents = new Map(
    docs.map(([n, b]) => [n, typeof b === 'string' ? Buffer.from(b) : b]),
  );
  return { fingerprint: 't', documents };
}

/** One record file of a tree mirror, parsed alone. */
function fromTree(updater: string, path: string): UpdateData {
  const body = readFileSync(join(OSV, path));
  return parseOsvFeed(feedOf([[path, body]]), osvEcosystem(updater), log);
}

/** One entry of a zip mirror, parsed alone. */
function fromZip(updater: string, folder: string, id: string): UpdateData {
  const zip = readFileSync(join(OSV, folder, 'all.zip'));
  const entries = readZipDirectory(zip);
  assert.ok(typeof entries !== 'string', String(entries));
  const entry = entries.find((e) => e.name === `${id}.json`);
  assert.ok(entry, id);
  const body = readZipEntry(zip, entry, 1 << 24);
  assert.ok(typeof body !== 'string', String(body));
  return parseOsvFeed(feedOf([[entry.name, body]]), osvEcosystem(updater), log);
}

describe('OSV records of the shared mirror', () => {
  it('reads a PYSEC record with its range, versions and CVE', () => {
    const data = fromTree(
      'osv-pypi',
      'pypi/vulns/pygments/PYSEC-2021-140.yaml',
    );
    const versions = [
      ...['1.5', '1.6', '1.6rc1', '2.0', '2.0.1', '2.0.2', '2.0rc1', '2.1'],
      ...['2.1.1', '2.1.2', '2.1.3', '2.2.0', '2.3.0', '2.3.1', '2.4.0'],
      ...['2.4.1', '2.4.2', '2.5.1', '2.5.2', '2.6.0', '2.6.1', '2.7.0'],
      ...['2.7.1', '2.7.2', '2.7.3'],
    ];
    const expected: Vulnerability = {
      updater: 'osv-pypi',
      name: 'PYSEC-2021-140',
      description:
        'An infinite loop in SMLLexer in Pygments versions 1.5 to 2.7.3 may ' +
        'lead to denial of service when performing syntax highlighting of ' +
        'a Standard ML (SML) source file, as demonstrated by input that ' +
        'only contains the "exception" keyword.',
      issued: '2021-03-23T17:15:00Z',
      links: [
        'https://bugzilla.redhat.com/show_bug.cgi?id=1922136',
        'https://www.debian.org/security/2021/dsa-4889',
        'https://lists.debian.org/debian-lts-announce/2021/05/msg00003.html',
        'https://lists.debian.org/debian-lts-announce/2021/05/msg00006.html',
        'https://github.com/advisories/GHSA-9w8r-397f-prfh',
        `${CVE_RECORD_URL}CVE-2021-20270`,
      ].join(' '),
      severity: '',
      normalizedSeverity: 'Unknown',
      packageName: 'pygments',
      packageKind: 'binary',
      distribution: { did: '', versionId: '' },
      fixedInVersion: '2.7.4',
      scheme: 'pep440',
      ecosystem: 'PyPI',
      ranges: [{ events: [{ introduced: '1.5' }, { fixed: '2.7.4' }] }],
      versions,
    };
    assert.deepEqual(data, {
      vulnerabilities: [expected],
      coverage: [{ did: '', versionId: '' }],
    });
  });

  it('ignores the GIT range of a PYSEC record, keeps the ECOSYSTEM one', () => {
    const data = fromTree('osv-pypi', 'pypi/vulns/requests/PYSEC-2023-74.yaml');
    const [v] = data.vulnerabilities;
    assert.deepEqual(v?.ranges, [
      { events: [{ introduced: '2.3.0' }, { fixed: '2.31.0' }] },
    ]);
    assert.equal(v?.fixedInVersion, '2.31.0');
  });

  it('reads a Go stdlib record with its SEMVER ranges', () => {
    const [v, ...rest] = fromZip(
      'osv-go',
      'go',
      'GO-2024-2887',
    ).vulnerabilities;
    assert.deepEqual(rest, []);
    assert.deepEqual(
      { ...v, description: '' },
      {
        updater: 'osv-go',
        name: 'GO-2024-2887',
        description: '',
        issued: '',
        links: [
          'https://go.dev/cl/590316',
          'https://go.dev/issue/67680',
          'https://groups.google.com/g/golang-announce/c/XbxouI9gY7k/m/' +
            'TuoGEhxIEwAJ',
          `${CVE_RECORD_URL}CVE-2024-24790`,
        ].join(' '),
        severity: '',
        normalizedSeverity: 'Unknown',
        packageName: 'stdlib',
        packageKind: 'binary',
        distribution: { did: '', versionId: '' },
        fixedInVersion: '1.21.11',
        scheme: 'go',
        ecosystem: 'Go',
        ranges: [
          {
            events: [
              { introduced: '0' },
              { fixed: '1.21.11' },
              { introduced: '1.22.0-0' },
              { fixed: '1.22.4' },
            ],
          },
        ],
      },
    );
    assert.ok(v?.description.startsWith('The various Is methods'));
  });

  it('reads an npm GHSA record for each package it names', () => {
    const path =
      'npm/advisories/github-reviewed/2021/05/GHSA-35jh-r3h4-6jhm/' +
      'GHSA-35jh-r3h4-6jhm.json';
    const data = fromTree('osv-npm', path);
    const brief = data.vulnerabilities.map((v) => [
      v.name,
      v.packageName,
      v.ecosystem,
      v.scheme,
      v.severity,
      v.normalizedSeverity,
      v.fixedInVersion,
    ]);
    const row = ['npm', 'semver', V31_HIGH, 'High', '4.17.21'];
    assert.deepEqual(brief, [
      ['GHSA-35jh-r3h4-6jhm', 'lodash', ...row],
      ['GHSA-35jh-r3h4-6jhm', 'lodash-es', ...row],
    ]);
    const links = data.vulnerabilities[0]?.links.split(' ') ?? [];
    assert.equal(links.length, 18);
    assert.equal(links.at(-1), `${CVE_RECORD_URL}CVE-2021-23337`);
  });

  it('reads an ALSA record as a distribution record', () => {
    const data = fromZip('osv-almalinux', 'almalinux', 'ALSA-2024:1502');
    const expected: Vulnerability = {
      updater: 'osv-almalinux',
      name: 'ALSA-2024:1502',
      description:
        'grafana-pcp is an open source Grafana plugin for PCP.\n\n' +
        'Security Fix(es):\n\n' +
        '* grafana-pcp: golang-fips/openssl: Memory leaks in code ' +
        'encrypting and decrypting RSA payloads (CVE-2024-1394)',
      issued: '2024-03-25T00:00:00Z',
      links: [
        'https://access.redhat.com/errata/RHSA-2024:1502',
        'https://access.redhat.com/security/cve/CVE-2024-1394',
        'https://bugzilla.redhat.com/2262921',
        'https://errata.almalinux.org/9/ALSA-2024-1502.html',
        `${CVE_RECORD_URL}CVE-2024-1394`,
      ].join(' '),
      severity: 'Important',
      normalizedSeverity: 'High',
      packageName: 'grafana-pcp',
      packageKind: 'binary',
      distribution: { did: 'almalinux', versionId: '9' },
      fixedInVersion: '5.1.1-2.el9_3.alma.1',
      scheme: 'rpm',
      ranges: [
        { events: [{ introduced: '0' }, { fixed: '5.1.1-2.el9_3.alma.1' }] },
      ],
    };
    assert.deepEqual(data, {
      vulnerabilities: [expected],
      coverage: [{ did: 'almalinux', versionId: '9' }],
    });
  });

  it('reads a RustSec record scored by its CVSS v4 vector', () => {
    const data = fromZip('osv-crates.io', 'crates.io', 'RUSTSEC-2024-0445');
    const [v] = data.vulnerabilities;
    assert.deepEqual(
      [v?.packageName, v?.ecosystem, v?.scheme, v?.normalizedSeverity],
      ['cap-primitives', 'crates.io', 'semver', 'Low'],
    );
    assert.equal(
      v?.severity,
      'CVSS:4.0/AV:N/AC:L/AT:P/PR:L/UI:N/VC:L/VI:L/VA:L/SC:N/SI:N/SA:N',
    );
    assert.deepEqual(v?.ranges, [
      { events: [{ introduced: '0.0.0-0' }, { fixed: '3.4.1' }] },
    ]);
    assert.equal('versions' in (v ?? {}), false);
  });

  it('reads a Rocky record under did rocky and its major release', () => {
    const data = fromTree('osv-rocky', 'rocky-samples/RLSA-2021_3891.json');
    const [v] = data.vulnerabilities;
    assert.deepEqual(
      [v?.name, v?.packageName, v?.distribution, v?.fixedInVersion],
      [
        'RLSA-2021:3891',
        'java-11-openjdk',
        { did: 'rocky', versionId: '8' },
        '1:11.0.13.0.8-1.el8_4',
      ],
    );
    assert.equal(v?.normalizedSeverity, 'Medium');
  });
});

describe('parseOsvFeed', () => {
  const pypi = osvEcosystem('osv-pypi');
  const yaml = (id: string, extra = '') =>
    `id: ${id}\nmodified: '2024-01-01T00:00:00Z'\n${extra}affected:\n` +
    '- package: {name: x, ecosystem: PyPI}\n' +
    '  ranges:\n  - type: ECOSYSTEM\n' +
    "    events: [{introduced: '0'}, {fixed: '1.0'}]\n";

  it('skips what it cannot use with a warning and counts it', () => {
    const { log: capture, lines } = capturingLogger();
    const feed = feedOf([
      ['a/PYSEC-1.yaml', yaml('PYSEC-1')],
      ['a/PYSEC-2.yaml', yaml('PYSEC-2', "withdrawn: '2024-02-01'\n")],
      ['a/PYSEC-3.yaml', 'id: [unclosed'],
      [
        'a/PYSEC-4.json',
        JSON.stringify({
          id: 'PYSEC-4',
          modified: 'm',
          affected: [{ package: { name: 'x', ecosystem: 'PyPI' } }],
        }),
      ],
      ['a/README', 'not a record'],
    ]);
    const data = parseOsvFeed(feed, pypi, capture);

    assert.deepEqual(
      data.vulnerabilities.map((v) => v.name),
      ['PYSEC-1'],
    );
    const warnings = lines.filter((l) => l['level'] === 40);
    assert.deepEqual(
      warnings.map((l) => [l['msg'], l['document'] ?? l['id']]),
      [
        ['skipped OSV document', 'a/PYSEC-3.yaml'],
        ['skipped OSV record without usable ranges', 'PYSEC-4'],
      ],
    );
    const summary = lines.find((l) => l['msg'] === 'read OSV records');
    assert.deepEqual(
      { ...summary, time: undefined },
      {
        level: 30,
        time: undefined,
        msg: 'read OSV records',
        converted: 1,
        withdrawn: 1,
        notSecurity: 0,
        unusable: 1,
        otherEcosystem: 0,
        gitRanges: 0,
        badRanges: 0,
        invalid: 1,
        records: 1,
      },
    );
  });

  it('covers the empty release even without records', () => {
    const data = parseOsvFeed(feedOf([]), pypi, log);
    assert.deepEqual(data, {
      vulnerabilities: [],
      coverage: [{ did: '', versionId: '' }],
    });
  });
});

describe('osvUpdaterSet', () => {
  const noNetwork = () => Promise.reject(new Error('no network in tests'));

  it('lists every ecosystem upstream, those present in a mirror', async () => {
    const upstream = await osvUpdaterSet.updaters({ fetch: noNetwork, log });
    assert.deepEqual(
      upstream.map((u) => u.name),
      OSV_ECOSYSTEMS.map((e: OsvEcosystem) => osvUpdater(e).name),
    );
    const ctx = { mirror: '../shared/data/feeds', fetch: noNetwork, log };
    const mirrored = await osvUpdaterSet.updaters(ctx);
    assert.deepEqual(
      mirrored.map((u) => u.name),
      [
        'osv-pypi',
        'osv-npm',
        'osv-go',
        'osv-crates.io',
        'osv-almalinux',
        'osv-rocky',
      ],
    );
  });

  describe('run on the shared mirror', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'claro-osv-run-'));
    after(() => rmSync(tmp, { recursive: true, force: true }));
    const ctx: FetchContext = {
      mirror: '../shared/data/feeds',
      fetch: noNetwork,
      log,
    };

    it('stores every ecosystem once, then finds each unchanged', async () => {
      const store = SqliteStore.open(join(tmp, 'osv.db'));
      try {
        const counts = [
          ['osv-pypi', 2651],
          ['osv-npm', 14],
          ['osv-go', 6041],
          ['osv-crates.io', 1193],
          ['osv-almalinux', 56665],
          ['osv-rocky', 5],
        ] as const;
        const first = await runUpdaterSet(store, osvUpdaterSet, ctx);
        assert.deepEqual(
          first,
          counts.map(([updater, count]) => ({
            updater,
            status: 'updated',
            count,
          })),
        );
        const again = await runUpdaterSet(store, osvUpdaterSet, ctx);
        assert.deepEqual(
          again.map((o) => o.status),
          counts.map(() => 'unchanged'),
        );

        const pygments = await store.vulnerabilities({
          updaters: ['osv-pypi'],
          distribution: { did: '', versionId: '' },
          packageName: 'pygments',
        });
        assert.deepEqual(pygments.map((v) => v.name).sort(), [
          'PYSEC-2016-32',
          'PYSEC-2021-140',
          'PYSEC-2021-141',
          'PYSEC-2023-117',
        ]);
        const language = { did: '', versionId: '' };
        assert.equal(await store.covers(language, ['osv-go']), true);
        assert.equal(await store.covers(language, ['osv-maven']), false);
        const alma9 = { did: 'almalinux', versionId: '9' };
        assert.equal(await store.covers(alma9, ['osv-almalinux']), true);
      } finally {
        await store.close();
      }
    });
  });
});
