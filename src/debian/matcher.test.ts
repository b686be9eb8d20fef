import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { isClaroError } from '../errors.js';
import type { DistributionRecord, PackageRecord } from '../indexer/types.js';
import { silentLogger } from '../log.js';
import type { Vulnerability } from '../vuln/types.js';
import { debianMatcher, debianQueryKey } from './matcher.js';
import { securityListUpdater } from './security-list.js';

const log = silentLogger();

function debian(
  versionId: string,
  versionCodeName: string,
): DistributionRecord {
  return {
    did: 'debian',
    name: 'Debian GNU/Linux',
    versionId,
    version: '',
    versionCodeName,
    prettyName: '',
  };
}

function deb(
  name: string,
  version: string,
  source?: [string, string],
): PackageRecord {
  const pkg: PackageRecord = {
    name,
    version,
    kind: 'binary',
    packageDb: 'dpkg:var/lib/dpkg/status',
    scheme: 'dpkg',
  };
  return source
    ? { ...pkg, source: { name: source[0], version: source[1] } }
    : pkg;
}

describe('debianMatcher on the real DSA and DLA records', async () => {
  const feed = await securityListUpdater.fetch({
    mirror: '../shared/data/feeds',
    fetch: () => Promise.reject(new Error('no network in tests')),
    log,
  });
  const records = securityListUpdater.parse(feed!, log).vulnerabilities;

  /** Names of the records an engine would report for one package. */
  function matches(pkg: PackageRecord, dist: DistributionRecord): string[] {
    assert.ok(debianMatcher.accepts(pkg, dist));
    const q = debianMatcher.query(pkg, dist);
    return records
      .filter(
        (v) =>
          q.updaters.some((u) => v.updater.startsWith(u)) &&
          v.distribution.versionId === q.distribution.versionId &&
          v.packageName === q.packageName &&
          debianMatcher.vulnerable(pkg, v),
      )
      .map((v) => v.name)
      .sort();
  }

  const bullseye = debian('11', 'bullseye');
  const cases: readonly [
    string,
    PackageRecord,
    DistributionRecord,
    string[],
  ][] = [
    [
      'a binary older than its source fix (DSA-5380-1)',
      deb('xserver-xorg-core', '2:1.20.11-1+deb11u5', [
        'xorg-server',
        '2:1.20.11-1+deb11u5',
      ]),
      bullseye,
      ['CVE-2023-1393'],
    ],
    [
      'a binNMU of the fixed source',
      deb('xserver-xorg-core', '2:1.20.11-1+deb11u6+b1', [
        'xorg-server',
        '2:1.20.11-1+deb11u6',
      ]),
      bullseye,
      [],
    ],
    [
      'curl one security upload before DSA-5365-1',
      deb('libcurl4', '7.74.0-1.3+deb11u6', ['curl', '7.74.0-1.3+deb11u6']),
      bullseye,
      ['CVE-2023-23916'],
    ],
    [
      'the same curl in buster, fixed by other DLAs',
      deb('curl', '7.64.0-4+deb10u5'),
      debian('10', 'buster'),
      [],
    ],
    [
      'an openssh source version without its epoch (epoch 0 < 1)',
      deb('openssh-client', '7.4p1-10+deb9u7', ['openssh', '7.4p1-10+deb9u7']),
      debian('9', 'stretch'),
      ['CVE-2018-15473', 'CVE-2018-20685', 'CVE-2019-6109', 'CVE-2019-6111'],
    ],
    [
      'the same openssh with its epoch, past every stretch fix',
      deb('openssh-client', '1:7.4p1-10+deb9u7', [
        'openssh',
        '1:7.4p1-10+deb9u7',
      ]),
      debian('9', 'stretch'),
      [],
    ],
  ];
  for (const [what, pkg, dist, expected] of cases) {
    it(`matches ${what}`, () => {
      assert.deepEqual(matches(pkg, dist), expected);
    });
  }
});

describe('debianMatcher.vulnerable', () => {
  const record = (fixedInVersion: string): Vulnerability => ({
    updater: 'debian-tracker',
    name: 'CVE-2025-53603',
    description: '',
    issued: '',
    links: '',
    severity: 'not yet assigned',
    normalizedSeverity: 'Unknown',
    packageName: 'sope',
    packageKind: 'source',
    distribution: {
      did: 'debian',
      versionId: '12',
      versionCodeName: 'bookworm',
    },
    fixedInVersion,
    scheme: 'dpkg',
  });

  const cases: readonly [string, string, boolean][] = [
    ['5.8.0-1', '5.8.0-1+deb12u1', true],
    ['5.8.0-1+deb12u1', '5.8.0-1+deb12u1', false],
    ['5.8.0-1+deb12u2', '5.8.0-1+deb12u1', false],
    ['5.8.0-1~bpo11+1', '5.8.0-1', true],
    ['5.8.0-1', '', true],
  ];
  for (const [installed, fixed, expected] of cases) {
    it(`says ${installed} against fix "${fixed}" is ${expected}`, () => {
      const pkg = deb('libsope1', installed, ['sope', installed]);
      assert.equal(debianMatcher.vulnerable(pkg, record(fixed)), expected);
    });
  }

  it('throws INVALID_VERSION rather than guess on a bad version', () => {
    assert.throws(
      () => debianMatcher.vulnerable(deb('sope', '5.8 0'), record('5.8.0-1')),
      (err) => isClaroError(err, 'INVALID_VERSION'),
    );
  });
});

describe('debianMatcher.accepts and query', () => {
  it('accepts dpkg packages of Debian only', () => {
    assert.equal(
      debianMatcher.accepts(
        deb('zlib1g', '1:1.2.13'),
        debian('12', 'bookworm'),
      ),
      true,
    );
    assert.equal(
      debianMatcher.accepts(deb('zlib1g', '1:1.2.13'), undefined),
      false,
    );
    assert.equal(
      debianMatcher.accepts(deb('zlib1g', '1:1.2.13'), {
        ...debian('22.04', 'jammy'),
        did: 'ubuntu',
      }),
      false,
    );
    assert.equal(
      debianMatcher.accepts(
        { ...deb('zlib', '1.3.1-r1'), scheme: 'apk' },
        debian('12', 'bookworm'),
      ),
      false,
    );
  });

  it('queries the source package in the release', () => {
    const pkg = deb('libssl3', '3.0.11-1~deb12u2', [
      'openssl',
      '3.0.11-1~deb12u2',
    ]);
    assert.deepEqual(debianMatcher.query(pkg, debian('12', 'bookworm')), {
      updaters: ['debian-'],
      distribution: { did: 'debian', versionId: '12' },
      packageName: 'openssl',
    });
  });

  const keys: readonly [string, DistributionRecord, string][] = [
    ['a numbered release by its number', debian('12', 'bookworm'), '12'],
    ['testing by its code name', debian('', 'trixie'), '13'],
    ['unstable by sid', debian('', 'sid'), ''],
    ['an unknown testing name by sid', debian('', 'zebra'), ''],
  ];
  for (const [what, dist, versionId] of keys) {
    it(`keys ${what}`, () => {
      assert.deepEqual(debianQueryKey(dist), { did: 'debian', versionId });
    });
  }
});
