import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';

import { apkScheme } from '../apk/version.js';
import { readApkInstalled } from '../apk/installed.js';
import { isClaroError } from '../errors.js';
import type { DistributionRecord, PackageRecord } from '../indexer/types.js';
import { silentLogger } from '../log.js';
import type { Vulnerability } from '../vuln/types.js';
import { alpineMatcher } from './matcher.js';
import { secdbUpdater } from './secdb.js';

const log = silentLogger();
const MINIROOTFS =
  '../shared/fixtures/alpine-minirootfs/alpine-minirootfs-3.20.3-x86_64.tar.gz';

const alpine320: DistributionRecord = {
  did: 'alpine',
  name: 'Alpine Linux',
  versionId: '3.20',
  version: '3.20.3',
  versionCodeName: '',
  prettyName: 'Alpine Linux v3.20',
};

function apk(name: string, version: string, origin = name): PackageRecord {
  return {
    name,
    version,
    kind: 'binary',
    source: { name: origin, version },
    packageDb: 'apk:lib/apk/db/installed',
    scheme: 'apk',
  };
}

function secfix(name: string, fixedInVersion: string): Vulnerability {
  return {
    updater: 'alpine-secdb-v3.20-main',
    name,
    description: '',
    issued: '',
    links: '',
    severity: '',
    normalizedSeverity: 'Unknown',
    packageName: 'openssl',
    packageKind: 'source',
    distribution: { did: 'alpine', versionId: '3.20' },
    fixedInVersion,
    scheme: 'apk',
  };
}

describe('alpineMatcher.vulnerable', () => {
  const cases: readonly [string, string, boolean][] = [
    ['3.3.2-r0', '3.3.2-r0', false], // CVE-2024-6119
    ['3.3.2-r0', '3.3.2-r1', true], // CVE-2024-9143
    ['3.3.2-r0', '3.3.0-r2', false], // CVE-2024-4603
    ['3.3.2-r0', '3.3.3-r0', true], // CVE-2024-12797
    ['1.36.1-r29', '1.36.1-r31', true],
    ['1.36.1-r29', '1.36.1-r2', false],
    ['1.1.1k-r0', '1.1.1j-r0', false],
    ['1.1.1a-r0', '1.1.1b-r1', true],
  ];
  for (const [installed, fixed, expected] of cases) {
    it(`says ${installed} < ${fixed} is ${expected}`, () => {
      const pkg = apk('libcrypto3', installed, 'openssl');
      assert.equal(
        alpineMatcher.vulnerable(pkg, secfix('CVE', fixed)),
        expected,
      );
    });
  }

  it('throws INVALID_VERSION rather than guess on a bad version', () => {
    assert.throws(
      () => alpineMatcher.vulnerable(apk('x', 'abc'), secfix('CVE', '1.0-r0')),
      (err) => isClaroError(err, 'INVALID_VERSION'),
    );
  });
});

describe('alpineMatcher.accepts and query', () => {
  it('accepts apk packages of Alpine only', () => {
    const deb = { ...apk('zlib', '1.3.1-r1'), scheme: 'dpkg' };
    assert.equal(
      alpineMatcher.accepts(apk('zlib', '1.3.1-r1'), alpine320),
      true,
    );
    assert.equal(alpineMatcher.accepts(deb, alpine320), false);
    assert.equal(
      alpineMatcher.accepts(apk('zlib', '1.3.1-r1'), undefined),
      false,
    );
    assert.equal(
      alpineMatcher.accepts(apk('zlib', '1.3.1-r1'), {
        ...alpine320,
        did: 'wolfi',
      }),
      false,
    );
  });

  it('queries the origin in the release', () => {
    assert.deepEqual(
      alpineMatcher.query(
        apk('ssl_client', '1.36.1-r29', 'busybox'),
        alpine320,
      ),
      {
        updaters: ['alpine-'],
        distribution: { did: 'alpine', versionId: '3.20' },
        packageName: 'busybox',
      },
    );
  });
});

describe('alpine matching of the 3.20.3 minirootfs against the v3.20 secdb', async () => {
  const installed = execFileSync('tar', [
    '-xzOf',
    MINIROOTFS,
    './lib/apk/db/installed',
  ]);
  const { packages } = readApkInstalled(installed.toString('utf8'), {
    path: 'lib/apk/db/installed',
    validVersion: apkScheme.valid,
  });
  const updater = secdbUpdater('v3.20', 'main');
  const feed = await updater.fetch({
    mirror: '../shared/data/feeds',
    fetch: () => Promise.reject(new Error('no network in tests')),
    log,
  });
  const records = updater.parse(feed!, log).vulnerabilities;

  /** What an engine would report per package: store query, then decision. */
  function findings(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const pkg of packages.filter((p) =>
      alpineMatcher.accepts(p, alpine320),
    )) {
      const q = alpineMatcher.query(pkg, alpine320);
      const hits = records.filter(
        (v) =>
          q.updaters.some((u) => v.updater.startsWith(u)) &&
          v.distribution.versionId === q.distribution.versionId &&
          v.packageName === q.packageName &&
          alpineMatcher.vulnerable(pkg, v),
      );
      if (hits.length > 0) out.set(pkg.name, hits.map((v) => v.name).sort());
    }
    return out;
  }

  it('reports exactly the fixes newer than each installed package', () => {
    const libcrypto = [
      'CVE-2024-12797',
      'CVE-2024-13176',
      'CVE-2024-9143',
      'CVE-2025-15467',
      'CVE-2025-15468',
      'CVE-2025-66199',
      'CVE-2025-68160',
      'CVE-2025-69418',
      'CVE-2025-69419',
      'CVE-2025-69420',
      'CVE-2025-69421',
      'CVE-2025-9230',
      'CVE-2025-9231',
      'CVE-2025-9232',
      'CVE-2026-22795',
      'CVE-2026-22796',
      'CVE-2026-28387',
      'CVE-2026-28388',
      'CVE-2026-28389',
      'CVE-2026-28390',
      'CVE-2026-31789',
      'CVE-2026-31790',
    ];
    const busybox = ['CVE-2024-58251', 'CVE-2025-46394'];
    const musl = ['CVE-2025-26519', 'CVE-2026-40200', 'CVE-2026-6042'];
    const found = findings();
    assert.deepEqual(Object.fromEntries(found), {
      busybox,
      'busybox-binsh': busybox,
      libcrypto3: libcrypto,
      libssl3: libcrypto,
      musl,
      'musl-utils': musl,
      ssl_client: busybox,
    });
  });
});
