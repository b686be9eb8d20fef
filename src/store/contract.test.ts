/**
 * The behaviour every Store engine shares, run against each: SQLite on a
 * temporary file and PostgreSQL on the local test server (a fresh schema
 * per store, dropped after).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';

import { isClaroError, type ErrorCode } from '../errors.js';
import type { IndexReport } from '../indexer/report.js';
import type { ScanResult } from '../indexer/types.js';
import type { DistributionKey, Vulnerability } from '../vuln/types.js';
import { PostgresStore } from './postgres.js';
import { SqliteStore } from './sqlite.js';
import type { Store } from './store.js';
import {
  dropSchemas,
  freshSchema,
  postgresSuiteOptions,
  TEST_POSTGRES,
} from './testdata/postgres.js';
import {
  alpineReport,
  debianReport,
  debPackage,
  failedReport,
} from './testdata/reports.js';
import { ALMA_RECORD, LANGUAGE, PYPI_RECORD } from './testdata/osv.js';
import { SECDB, secdbPackages, secdbRecords } from './testdata/secdb.js';

const UPDATER = 'alpine-secdb';
const { file: FEED, dist: DIST } = SECDB.v320;
const ALL = secdbRecords(FEED, DIST, { updater: UPDATER });
const PACKAGES = [...new Set(secdbPackages(FEED))];

/** Opens a store on a new, empty database of one engine. */
type OpenStore = () => Promise<Store>;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'claro-contract-'));
let files = 0;
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
after(dropSchemas);

storeContract('SQLite', async () => {
  files += 1;
  return SqliteStore.open(path.join(tmp, `store-${files}.db`));
});

storeContract(
  'PostgreSQL',
  () => PostgresStore.open(TEST_POSTGRES, { schema: freshSchema() }),
  await postgresSuiteOptions(),
);

/** Every behaviour of the Store interface, for one engine. */
function storeContract(
  engine: string,
  open: OpenStore,
  opts: { skip?: string } = {},
): void {
  describe(`${engine} store contract`, opts, () => {
    const using = async (fn: (store: Store) => Promise<void>) => {
      const store = await open();
      try {
        await fn(store);
      } finally {
        await store.close();
      }
    };
    cacheContract(using);
    reportContract(using);
    manifestSearchContract(using);
    updateContract(using);
    osvContract(using);
    diffAndCollectContract(using);
    versionContract(using);
    statusContract(using);
    lockContract(using);
    closeContract(open);
  });
}

type Using = (fn: (store: Store) => Promise<void>) => Promise<void>;

function cacheContract(using: Using): void {
  it('returns a layer record by digest and reader, replaced whole', () =>
    using(async (store) => {
      const rec = {
        whiteouts: ['etc/ssl/openssl.cnf'],
        opaqueDirs: ['usr/share/doc'],
        replaced: ['usr/lib/ssl'],
        paths: ['var/lib/dpkg/status', 'etc/os-release'],
        notices: [{ code: 'skipped-entry' as const, message: 'unsafe' }],
      };
      await store.putLayerRecord('sha256:aa', 'reader/1', rec);
      assert.deepEqual(
        await store.getLayerRecord('sha256:aa', 'reader/1'),
        rec,
      );
      assert.equal(
        await store.getLayerRecord('sha256:aa', 'reader/2'),
        undefined,
      );
      assert.equal(
        await store.getLayerRecord('sha256:bb', 'reader/1'),
        undefined,
      );

      const next = { ...rec, paths: [], notices: [] };
      await store.putLayerRecord('sha256:aa', 'reader/1', next);
      assert.deepEqual(
        await store.getLayerRecord('sha256:aa', 'reader/1'),
        next,
      );
    }));

  it('keeps scan results apart by scanner version', () =>
    using(async (store) => {
      const v1: ScanResult = {
        packages: [
          {
            path: 'var/lib/dpkg/status',
            packages: [debPackage('1', 'a', 'b')],
          },
        ],
        distributions: [],
        notices: [{ code: 'skipped-file', message: 'odd', path: 'x' }],
      };
      const v2: ScanResult = { packages: [], distributions: [], notices: [] };
      await store.putScanResult(
        'sha256:aa',
        { name: 'dpkg', version: '1' },
        v1,
      );
      await store.putScanResult(
        'sha256:aa',
        { name: 'dpkg', version: '2' },
        v2,
      );

      const get = (version: string) =>
        store.getScanResult('sha256:aa', { name: 'dpkg', version });
      assert.deepEqual(await get('1'), v1);
      assert.deepEqual(await get('2'), v2);
      assert.equal(await get('3'), undefined);
    }));
}

function reportContract(using: Using): void {
  it('gives back the index report that was put, ids and all', () =>
    using(async (store) => {
      const report = debianReport('sha256:m1');
      await store.putIndexReport(report);
      assert.deepEqual(await store.getIndexReport('sha256:m1'), report);
      assert.equal(await store.getIndexReport('sha256:m2'), undefined);
    }));

  it('keeps a failed index with its error', () =>
    using(async (store) => {
      const report = failedReport('sha256:m1');
      await store.putIndexReport(report);
      assert.deepEqual(await store.getIndexReport('sha256:m1'), report);
    }));

  it('keeps text with quotes, braces, backslashes and NULL words', () =>
    using(async (store) => {
      const odd = "a\"b\\c{d},e NULL 'f' ü 漢";
      const base = debianReport('sha256:m1');
      const report: IndexReport = {
        ...base,
        packages: {
          '1': debPackage('1', odd, odd, { arch: 'NULL', packageDb: odd }),
          '2': debPackage('2', 'NULL', undefined),
        },
        environments: {
          '1': [{ packageDb: odd, introducedIn: odd, distributionId: '1' }],
          '2': [],
        },
        layers: [odd, 'NULL'],
        notices: [{ code: 'skipped-file', message: odd, path: odd }],
        err: odd,
      };
      await store.putIndexReport(report);
      assert.deepEqual(await store.getIndexReport('sha256:m1'), report);
      assert.deepEqual(await store.manifestsWithPackage({ packageName: odd }), [
        'sha256:m1',
      ]);
      await store.putLayerRecord(odd, odd, {
        whiteouts: [odd],
        opaqueDirs: [],
        replaced: [],
        paths: [],
        notices: [],
      });
      assert.deepEqual((await store.getLayerRecord(odd, odd))?.whiteouts, [
        odd,
      ]);
    }));

  it('keeps environments of an id without a package and the reverse', () =>
    using(async (store) => {
      const base = alpineReport('sha256:m1');
      const odd: IndexReport = {
        ...base,
        environments: {},
        lowerLayersOnly: {
          packages: {},
          environments: { '7': base.environments['1']! },
        },
      };
      await store.putIndexReport(odd);
      assert.deepEqual(await store.getIndexReport('sha256:m1'), odd);
    }));

  it('replaces a report whole and deletes it', () =>
    using(async (store) => {
      await store.putIndexReport(debianReport('sha256:m1'));
      const next = alpineReport('sha256:m1');
      await store.putIndexReport(next);
      assert.deepEqual(await store.getIndexReport('sha256:m1'), next);
      assert.deepEqual(
        await store.manifestsWithPackage({ packageName: 'libssl3' }),
        ['sha256:m1'],
      );
      assert.deepEqual(
        await store.manifestsWithPackage({ packageName: 'openssl' }),
        ['sha256:m1'],
      );
      assert.deepEqual(
        await store.manifestsWithPackage({ packageName: 'tzdata' }),
        [],
      );

      assert.equal(await store.deleteIndexReport('sha256:m1'), true);
      assert.equal(await store.deleteIndexReport('sha256:m1'), false);
      assert.equal(await store.getIndexReport('sha256:m1'), undefined);
    }));

  it('stores concurrent puts of one manifest, the last one whole', () =>
    using(async (store) => {
      const reports = [
        debianReport('sha256:m1'),
        alpineReport('sha256:m1'),
        failedReport('sha256:m1'),
      ];
      await Promise.all(reports.map((r) => store.putIndexReport(r)));
      const got = await store.getIndexReport('sha256:m1');
      assert.ok(reports.some((r) => deepEqual(r, got)));
    }));
}

function manifestSearchContract(using: Using): void {
  const alpine320: DistributionKey = { did: 'alpine', versionId: '3.20' };
  const bookworm: DistributionKey = {
    did: 'debian',
    versionId: '12',
    versionCodeName: 'bookworm',
  };

  it('finds manifests by binary or source name, installed or lower only', () =>
    using(async (store) => {
      await store.putIndexReport(alpineReport('sha256:m2', '3.19'));
      await store.putIndexReport(alpineReport('sha256:m1'));
      await store.putIndexReport(debianReport('sha256:m3'));
      await store.putIndexReport(failedReport('sha256:m4'));
      const find = (packageName: string, distribution?: DistributionKey) =>
        store.manifestsWithPackage(
          distribution ? { packageName, distribution } : { packageName },
        );

      assert.deepEqual(await find('ssl_client'), ['sha256:m1', 'sha256:m2']);
      assert.deepEqual(await find('busybox'), ['sha256:m1', 'sha256:m2']);
      assert.deepEqual(await find('libssl3'), [
        'sha256:m1',
        'sha256:m2',
        'sha256:m3',
      ]);
      assert.deepEqual(await find('openssl', alpine320), ['sha256:m1']);
      assert.deepEqual(await find('curl'), ['sha256:m3']);
      assert.deepEqual(await find('libcurl4', bookworm), ['sha256:m3']);
      assert.deepEqual(
        await find('glibc', { did: 'debian', versionId: '12' }),
        ['sha256:m3'],
      );
      assert.deepEqual(
        await find('glibc', { ...bookworm, versionCodeName: 'trixie' }),
        [],
      );
      assert.deepEqual(
        await find('busybox', { ...alpine320, versionCodeName: '' }),
        ['sha256:m1'],
      );
      assert.deepEqual(await find('busybox', { ...bookworm }), []);
      assert.deepEqual(await find('musl'), []);
      assert.deepEqual(await find('ssl'), []);

      await store.deleteIndexReport('sha256:m1');
      assert.deepEqual(await find('busybox'), ['sha256:m2']);
    }));
}

function updateContract(using: Using): void {
  it('serves every record of a run exactly as given', () =>
    using(async (store) => {
      assert.equal(await store.hasVulnerabilityData(), false);
      const { operation, changed } = await store.applyUpdate(UPDATER, 'f1', {
        vulnerabilities: ALL,
        coverage: [DIST],
      });
      assert.equal(changed, true);
      assert.equal(operation.count, dedupe(ALL).length);
      assert.equal(operation.updater, UPDATER);
      assert.equal(operation.fingerprint, 'f1');
      assert.equal(await store.hasVulnerabilityData(), true);

      const served: Vulnerability[] = [];
      for (const packageName of PACKAGES) {
        const q = { updaters: ['alpine-'], distribution: DIST, packageName };
        served.push(...(await store.vulnerabilities(q)));
      }
      assert.deepEqual(sorted(served), sorted(dedupe(ALL)));
    }));

  it('answers many packages at once as it answers each alone', () =>
    using(async (store) => {
      const v319 = secdbRecords(SECDB.v319.file, SECDB.v319.dist, {
        updater: 'alpine-secdb-v319',
      });
      await store.applyUpdate(UPDATER, 'f1', {
        vulnerabilities: ALL,
        coverage: [DIST],
      });
      await store.applyUpdate('alpine-secdb-v319', 'f1', {
        vulnerabilities: v319,
        coverage: [SECDB.v319.dist],
      });
      await store.applyUpdate('debian-other', 'f1', {
        vulnerabilities: ALL.slice(0, 30).map((v) => ({
          ...v,
          updater: 'debian-other',
        })),
        coverage: [],
      });

      const names = [...PACKAGES.slice(0, 25), 'no-such-package'];
      for (const [updaters, distribution] of [
        [['alpine-'], DIST],
        [['alpine-secdb-v319'], SECDB.v319.dist],
        [['debian-', 'alpine-secdb-v319'], DIST],
        [[], DIST],
      ] as const) {
        const got = await store.vulnerabilitiesOf({
          updaters,
          distribution,
          packageNames: names,
        });
        assert.deepEqual([...got.keys()], names);
        for (const packageName of names) {
          const q = { updaters, distribution, packageName };
          const alone = await store.vulnerabilities(q);
          assert.deepEqual(got.get(packageName), alone, packageName);
        }
      }
      const none = await store.vulnerabilitiesOf({
        updaters: ['alpine-'],
        distribution: DIST,
        packageNames: [],
      });
      assert.equal(none.size, 0);
    }));

  it('keeps an absent, an empty and a named code name apart, in order', () =>
    using(async (store) => {
      const base = ALL[0]!;
      const dist = (versionCodeName?: string) => ({
        ...base,
        distribution:
          versionCodeName === undefined
            ? { did: 'alpine', versionId: '3.20' }
            : { did: 'alpine', versionId: '3.20', versionCodeName },
      });
      const variants = [dist('x'), dist(), dist('')];
      await store.applyUpdate(UPDATER, 'f1', {
        vulnerabilities: variants,
        coverage: [],
      });

      const got = await store.vulnerabilities({
        updaters: [UPDATER],
        distribution: DIST,
        packageName: base.packageName,
      });
      assert.deepEqual(got, variants);
    }));

  it('matches updater names by exact prefix only', () =>
    using(async (store) => {
      const rec = ALL[0]!;
      await store.applyUpdate(UPDATER, 'f1', {
        vulnerabilities: [rec],
        coverage: [DIST],
      });
      const cases: [readonly string[], number][] = [
        [['alpine-'], 1],
        [['alpine-secdb'], 1],
        [['debian-', 'alpine'], 1],
        [['ALPINE-'], 0],
        [['alpine_'], 0],
        [['alpine-%'], 0],
        [['alpine-secdb-x'], 0],
        [[], 0],
      ];
      for (const [updaters, n] of cases) {
        const q = {
          updaters,
          distribution: DIST,
          packageName: rec.packageName,
        };
        assert.equal((await store.vulnerabilities(q)).length, n, `${updaters}`);
        assert.equal(
          await store.covers(DIST, updaters),
          n === 1,
          `${updaters}`,
        );
      }
    }));

  it('matches on distribution and package name', () =>
    using(async (store) => {
      const rec = ALL[0]!;
      await store.applyUpdate(UPDATER, 'f1', {
        vulnerabilities: [rec],
        coverage: [],
      });
      const cases: [string, string, string, number][] = [
        ['alpine', '3.20', rec.packageName, 1],
        ['alpine', '3.19', rec.packageName, 0],
        ['wolfi', '3.20', rec.packageName, 0],
        ['alpine', '3.20', `${rec.packageName}-doc`, 0],
      ];
      for (const [did, versionId, packageName, n] of cases) {
        const distribution = { did, versionId };
        const q = { updaters: ['alpine-'], distribution, packageName };
        assert.equal((await store.vulnerabilities(q)).length, n);
      }
    }));

  it('changes nothing when the fingerprint equals the latest', () =>
    using(async (store) => {
      const data = { vulnerabilities: ALL.slice(0, 20), coverage: [DIST] };
      const first = await store.applyUpdate(UPDATER, 'f1', data);
      const again = await store.applyUpdate(UPDATER, 'f1', {
        vulnerabilities: [],
        coverage: [],
      });

      assert.equal(again.changed, false);
      assert.deepEqual(again.operation, first.operation);
      assert.deepEqual(await store.updateOperations(UPDATER), [
        first.operation,
      ]);
    }));

  it('stores one operation when one run is applied concurrently', () =>
    using(async (store) => {
      const data = { vulnerabilities: ALL.slice(0, 50), coverage: [DIST] };
      const runs = await Promise.all(
        [1, 2, 3].map(() => store.applyUpdate(UPDATER, 'f1', data)),
      );
      assert.equal(runs.filter((r) => r.changed).length, 1);
      assert.equal((await store.updateOperations(UPDATER)).length, 1);
    }));

  it('serves the latest run and lists runs grouped, newest first', () =>
    using(async (store) => {
      const pkg = ALL[0]!.packageName;
      const q = { updaters: ['alpine-'], distribution: DIST, packageName: pkg };
      const old = recordsOf([pkg]);
      const a = await store.applyUpdate(UPDATER, 'f1', {
        vulnerabilities: old,
        coverage: [DIST],
      });
      const other = await store.applyUpdate('alpine-other', 'f1', {
        vulnerabilities: [],
        coverage: [],
      });
      const b = await store.applyUpdate(UPDATER, 'f2', {
        vulnerabilities: old.slice(1),
        coverage: [DIST],
      });

      assert.equal(b.changed, true);
      assert.deepEqual(
        sorted(await store.vulnerabilities(q)),
        sorted(old.slice(1)),
      );
      assert.deepEqual(await store.updateOperations(UPDATER), [
        b.operation,
        a.operation,
      ]);
      assert.deepEqual(await store.updateOperations(), [
        other.operation,
        b.operation,
        a.operation,
      ]);
      assert.deepEqual(await store.updateOperations('none'), []);
    }));

  it('answers coverage from the latest run of matching updaters', () =>
    using(async (store) => {
      const v319 = SECDB.v319.dist;
      await store.applyUpdate(UPDATER, 'f1', {
        vulnerabilities: [],
        coverage: [DIST, v319, DIST],
      });
      assert.equal(await store.covers(DIST, ['alpine-']), true);
      assert.equal(await store.covers(v319, ['alpine-']), true);
      const v318 = { did: 'alpine', versionId: '3.18' };
      assert.equal(await store.covers(v318, ['alpine-']), false);
      assert.equal(await store.covers(DIST, ['debian-']), false);

      await store.applyUpdate(UPDATER, 'f2', {
        vulnerabilities: [],
        coverage: [DIST],
      });
      assert.equal(await store.covers(DIST, ['alpine-']), true);
      assert.equal(await store.covers(v319, ['alpine-']), false);
    }));

  it('keeps the previous run whole when storing a run fails', () =>
    using(async (store) => {
      const pkg = ALL[0]!.packageName;
      const q = { updaters: ['alpine-'], distribution: DIST, packageName: pkg };
      const good = await store.applyUpdate(UPDATER, 'f1', {
        vulnerabilities: recordsOf([pkg]),
        coverage: [DIST],
      });
      const bad = {
        ...ALL[0]!,
        name: 'CVE-0000-0000',
        normalizedSeverity: 'Severe',
      } as unknown as Vulnerability;

      await assert.rejects(
        store.applyUpdate(UPDATER, 'f2', {
          vulnerabilities: [...ALL.slice(0, 100), bad],
          coverage: [SECDB.v319.dist],
        }),
        isStoreError('STORE_FAILED'),
      );

      assert.deepEqual(await store.updateOperations(), [good.operation]);
      assert.deepEqual(
        sorted(await store.vulnerabilities(q)),
        sorted(recordsOf([pkg])),
      );
      assert.equal(await store.covers(SECDB.v319.dist, ['alpine-']), false);
      assert.deepEqual(await store.gcUpdateOperations(1), {
        operations: 0,
        vulnerabilities: 0,
      });
    }));
}

function osvContract(using: Using): void {
  it('keeps the ecosystem, ranges and versions of OSV records', () =>
    using(async (store) => {
      const noVersions = { ...PYPI_RECORD, name: 'PYSEC-0', versions: [] };
      const noRanges: Vulnerability = { ...PYPI_RECORD, name: 'PYSEC-1' };
      delete (noRanges as { ranges?: unknown }).ranges;
      const pypi = [PYPI_RECORD, noVersions, noRanges];
      await store.applyUpdate('osv-pypi', 'f1', {
        vulnerabilities: pypi,
        coverage: [LANGUAGE],
      });
      await store.applyUpdate('osv-almalinux', 'f1', {
        vulnerabilities: [ALMA_RECORD],
        coverage: [ALMA_RECORD.distribution],
      });

      const language = await store.vulnerabilities({
        updaters: ['osv-pypi'],
        distribution: LANGUAGE,
        packageName: 'pygments',
      });
      assert.deepEqual(language, pypi);
      const distribution = await store.vulnerabilities({
        updaters: ['osv-'],
        distribution: ALMA_RECORD.distribution,
        packageName: 'openssl-libs',
      });
      assert.deepEqual(distribution, [ALMA_RECORD]);
    }));

  it('finds language records only under their updater and the empty release', () =>
    using(async (store) => {
      await store.applyUpdate('osv-pypi', 'f1', {
        vulnerabilities: [PYPI_RECORD],
        coverage: [LANGUAGE],
      });
      const cases: [readonly string[], DistributionKey, number][] = [
        [['osv-pypi'], LANGUAGE, 1],
        [['osv-'], LANGUAGE, 1],
        [['osv-npm'], LANGUAGE, 0],
        [['osv-pypi'], { did: 'debian', versionId: '12' }, 0],
        [['osv-pypi'], { did: '', versionId: 'PyPI' }, 0],
      ];
      for (const [updaters, distribution, n] of cases) {
        const q = { updaters, distribution, packageName: 'pygments' };
        const found = await store.vulnerabilities(q);
        assert.equal(found.length, n, `${updaters} ${distribution.did}`);
      }
    }));

  it('covers a language ecosystem by the empty release of its updater', () =>
    using(async (store) => {
      await store.applyUpdate('osv-pypi', 'f1', {
        vulnerabilities: [],
        coverage: [LANGUAGE],
      });
      assert.equal(await store.covers(LANGUAGE, ['osv-pypi']), true);
      assert.equal(await store.covers(LANGUAGE, ['osv-npm']), false);
      assert.equal(await store.covers(LANGUAGE, ['debian-']), false);
    }));

  it('stores a record anew when only its ranges change', () =>
    using(async (store) => {
      const a = await store.applyUpdate('osv-pypi', 'f1', {
        vulnerabilities: [PYPI_RECORD],
        coverage: [LANGUAGE],
      });
      const wider: Vulnerability = {
        ...PYPI_RECORD,
        ranges: [{ events: [{ introduced: '0' }, { fixed: '2.7.4' }] }],
      };
      const b = await store.applyUpdate('osv-pypi', 'f2', {
        vulnerabilities: [wider],
        coverage: [LANGUAGE],
      });

      const diff = await store.updateDiff(a.operation.ref, b.operation.ref);
      assert.deepEqual(diff.added, [wider]);
      assert.deepEqual(diff.removed, [PYPI_RECORD]);
    }));
}

function diffAndCollectContract(using: Using): void {
  const first = PACKAGES.slice(0, 30);
  const second = PACKAGES.slice(20);

  it('lists records added and removed between two runs', () =>
    using(async (store) => {
      const a = await store.applyUpdate(UPDATER, 'f1', {
        vulnerabilities: recordsOf(first),
        coverage: [DIST],
      });
      const b = await store.applyUpdate(UPDATER, 'f2', {
        vulnerabilities: recordsOf(second),
        coverage: [DIST],
      });

      const diff = await store.updateDiff(a.operation.ref, b.operation.ref);
      const onlyFirst = first.filter((p) => !second.includes(p));
      const onlySecond = second.filter((p) => !first.includes(p));
      assert.deepEqual(diff.prev, a.operation);
      assert.deepEqual(diff.cur, b.operation);
      assert.deepEqual(sorted(diff.added), sorted(recordsOf(onlySecond)));
      assert.deepEqual(sorted(diff.removed), sorted(recordsOf(onlyFirst)));

      const back = await store.updateDiff(b.operation.ref, a.operation.ref);
      assert.deepEqual(sorted(back.added), sorted(diff.removed));
      assert.deepEqual(sorted(back.removed), sorted(diff.added));

      const all = await store.updateDiff(undefined, a.operation.ref);
      assert.equal(all.prev, undefined);
      assert.deepEqual(sorted(all.added), sorted(recordsOf(first)));
      assert.deepEqual(all.removed, []);
    }));

  it('rejects unknown refs and runs of different updaters', () =>
    using(async (store) => {
      const data = { vulnerabilities: [], coverage: [] };
      const a = await store.applyUpdate(UPDATER, 'f1', data);
      const b = await store.applyUpdate('debian-dsa', 'f1', data);
      const ref = a.operation.ref;
      const unknown = [
        '00000000-0000-4000-8000-000000000000',
        'not-a-uuid',
        '',
      ];

      for (const u of unknown) {
        await assert.rejects(
          store.updateDiff(u, ref),
          isStoreError('NOT_FOUND'),
        );
        await assert.rejects(
          store.updateDiff(ref, u),
          isStoreError('NOT_FOUND'),
        );
      }
      await assert.rejects(
        store.updateDiff(ref, b.operation.ref),
        isStoreError('INVALID_ARGUMENT'),
      );
    }));

  it('removes old runs and their unshared records on collection', () =>
    using(async (store) => {
      const runs = [
        PACKAGES.slice(0, 10),
        PACKAGES.slice(5, 15),
        PACKAGES.slice(10, 20),
      ];
      const ops = [];
      for (const [i, run] of runs.entries()) {
        const data = { vulnerabilities: recordsOf(run), coverage: [DIST] };
        ops.push((await store.applyUpdate(UPDATER, `f${i}`, data)).operation);
      }
      const other = await store.applyUpdate('alpine-other', 'f1', {
        vulnerabilities: [],
        coverage: [],
      });
      const latest = ops[2]!;
      const dropped = recordsOf(PACKAGES.slice(0, 10)).length;

      assert.deepEqual(await store.gcUpdateOperations(2), {
        operations: 1,
        vulnerabilities: recordsOf(PACKAGES.slice(0, 5)).length,
      });
      assert.deepEqual(await store.gcUpdateOperations(1), {
        operations: 1,
        vulnerabilities: dropped - recordsOf(PACKAGES.slice(0, 5)).length,
      });
      assert.deepEqual(await store.updateOperations(), [
        other.operation,
        latest,
      ]);
      const diff = await store.updateDiff(undefined, latest.ref);
      assert.deepEqual(sorted(diff.added), sorted(recordsOf(runs[2]!)));
      for (const keep of [0, -1, 1.5]) {
        await assert.rejects(
          store.gcUpdateOperations(keep),
          isStoreError('INVALID_ARGUMENT'),
        );
      }
    }));
}

function versionContract(using: Using): void {
  it('names a stored report anew on each put and never reuses a name', () =>
    using(async (store) => {
      const version = () => store.indexReportVersion('sha256:m1');
      assert.equal(await version(), undefined);

      await store.putIndexReport(debianReport('sha256:m1'));
      const first = await version();
      assert.equal(typeof first, 'string');
      assert.equal(await version(), first);

      await store.putIndexReport(debianReport('sha256:m1'));
      const second = await version();
      await store.putIndexReport(debianReport('sha256:m2'));
      assert.equal(await version(), second);
      await store.deleteIndexReport('sha256:m1');
      assert.equal(await version(), undefined);
      await store.putIndexReport(debianReport('sha256:m1'));
      const third = await version();

      const seen = [first, second, third];
      assert.equal(new Set(seen).size, 3, `versions ${seen.join(' ')}`);
      assert.ok(seen.every((v) => v !== undefined));
    }));

  it("names the vulnerability data by every updater's current run", () =>
    using(async (store) => {
      const none = await store.vulnerabilityDataVersion();
      assert.equal(none, '');
      const data = { vulnerabilities: ALL.slice(0, 5), coverage: [DIST] };
      const a1 = await store.applyUpdate(UPDATER, 'f1', data);
      const v1 = await store.vulnerabilityDataVersion();
      assert.equal(v1, a1.operation.ref);

      await store.applyUpdate(UPDATER, 'f1', data);
      assert.equal(await store.vulnerabilityDataVersion(), v1);
      const b = await store.applyUpdate('alpine-a', 'f1', data);
      const v2 = await store.vulnerabilityDataVersion();
      assert.equal(v2, `${b.operation.ref},${a1.operation.ref}`);
      const a2 = await store.applyUpdate(UPDATER, 'f2', data);
      const v3 = await store.vulnerabilityDataVersion();
      assert.equal(v3, `${b.operation.ref},${a2.operation.ref}`);

      await store.gcUpdateOperations(1);
      assert.equal(await store.vulnerabilityDataVersion(), v3);
      assert.equal(await store.hasVulnerabilityData(), true);
    }));

  it('reads both versions of a report together', () =>
    using(async (store) => {
      assert.deepEqual(await store.reportVersions('sha256:m1'), {
        index: undefined,
        data: '',
      });
      const data = { vulnerabilities: ALL.slice(0, 5), coverage: [DIST] };
      const op = await store.applyUpdate(UPDATER, 'f1', data);
      await store.putIndexReport(alpineReport('sha256:m1'));
      const index = await store.indexReportVersion('sha256:m1');
      assert.deepEqual(await store.reportVersions('sha256:m1'), {
        index,
        data: op.operation.ref,
      });
    }));
}

function statusContract(using: Using): void {
  it('keeps the last success and records through a failed attempt', () =>
    using(async (store) => {
      const alpine = 'alpine-secdb-v3.20-main';
      await store.recordUpdaterAttempt({
        updater: alpine,
        at: '2026-12-01T00:00:00.000Z',
        records: 12,
      });
      await store.recordUpdaterAttempt({
        updater: alpine,
        at: '2026-12-02T00:00:00.000Z',
        error: 'Cannot fetch feed: 503',
      });
      await store.recordUpdaterAttempt({
        updater: 'debian-dsa',
        at: '2026-12-02T00:00:00Z',
        records: 3,
      });

      assert.deepEqual(await store.updaterStatus(), [
        {
          updater: alpine,
          lastAttempt: '2026-12-02T00:00:00.000Z',
          lastSuccess: '2026-12-01T00:00:00.000Z',
          lastError: 'Cannot fetch feed: 503',
          records: 12,
        },
        {
          updater: 'debian-dsa',
          lastAttempt: '2026-12-02T00:00:00Z',
          lastSuccess: '2026-12-02T00:00:00Z',
          records: 3,
        },
      ]);

      await store.recordUpdaterAttempt({
        updater: alpine,
        at: '2026-12-03T00:00:00.000Z',
        records: 13,
      });
      const [status] = await store.updaterStatus();
      assert.deepEqual(status, {
        updater: alpine,
        lastAttempt: '2026-12-03T00:00:00.000Z',
        lastSuccess: '2026-12-03T00:00:00.000Z',
        records: 13,
      });
    }));
}

function lockContract(using: Using): void {
  it('never runs two holders of one lock at once', () =>
    using(async (store) => {
      const spans: [number, number][] = [];
      let inside = 0;
      let most = 0;
      const hold = (ms: number) =>
        store.withLock('manifest:sha256:m1', async () => {
          inside += 1;
          most = Math.max(most, inside);
          const start = performance.now();
          await sleep(ms);
          spans.push([start, performance.now()]);
          inside -= 1;
          return ms;
        });

      const done = await Promise.all([30, 5, 10, 1].map(hold));

      assert.deepEqual(done, [30, 5, 10, 1]);
      assert.equal(most, 1);
      spans.sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < spans.length; i++) {
        assert.ok(spans[i]![0] >= spans[i - 1]![1], 'spans overlap');
      }
    }));

  it('runs holders of different locks side by side, nested too', () =>
    using(async (store) => {
      let inside = 0;
      let most = 0;
      const layer = (d: string) =>
        store.withLock(`layer:${d}`, async () => {
          inside += 1;
          most = Math.max(most, inside);
          await sleep(20);
          inside -= 1;
          return d;
        });

      const got = await store.withLock('manifest:sha256:m1', () =>
        Promise.all([layer('a'), layer('b'), layer('c')]),
      );

      assert.deepEqual(got, ['a', 'b', 'c']);
      assert.equal(most, 3);
    }));

  it('reports a held lock to tryLock, and a free one runs', () =>
    using(async (store) => {
      let release = (): void => {};
      const held = store.withLock(
        'updater:alpine',
        () => new Promise<void>((r) => (release = r)),
      );
      await sleep(50);

      const busy = await store.tryLock('updater:alpine', async () => 1);
      const free = await store.tryLock('updater:debian', async () => 2);
      release();
      await held;
      const after = await store.tryLock('updater:alpine', async () => 3);

      assert.deepEqual(busy, { acquired: false });
      assert.deepEqual(free, { acquired: true, value: 2 });
      assert.deepEqual(after, { acquired: true, value: 3 });
    }));

  it('releases a lock whose holder throws', () =>
    using(async (store) => {
      await assert.rejects(
        store.withLock('layer:x', async () => {
          throw new Error('boom');
        }),
        /boom/,
      );
      await assert.rejects(
        store.tryLock('layer:x', async () => {
          throw new Error('bang');
        }),
        /bang/,
      );
      assert.equal(await store.withLock('layer:x', async () => 'next'), 'next');
    }));
}

function closeContract(open: OpenStore): void {
  it('fails with STORE_FAILED once closed', async () => {
    const store = await open();
    await store.close();
    await assert.rejects(
      store.getIndexReport('sha256:m1'),
      isStoreError('STORE_FAILED'),
    );
    await assert.rejects(
      store.applyUpdate(UPDATER, 'f1', { vulnerabilities: [], coverage: [] }),
      isStoreError('STORE_FAILED'),
    );
  });
}

/** Stable identity of a record, for comparing unordered lists. */
function key(v: Vulnerability): string {
  return JSON.stringify([
    v.name,
    v.packageName,
    v.fixedInVersion,
    v.updater,
    v.distribution,
  ]);
}

function sorted(vs: readonly Vulnerability[]): Vulnerability[] {
  return [...vs].sort((a, b) => key(a).localeCompare(key(b)));
}

function dedupe(vs: readonly Vulnerability[]): Vulnerability[] {
  return [...new Map(vs.map((v) => [key(v), v])).values()];
}

/** The distinct records of some packages of the feed. */
function recordsOf(pkgs: readonly string[]): Vulnerability[] {
  const records = secdbRecords(FEED, DIST, {
    updater: UPDATER,
    packages: pkgs,
  });
  return dedupe(records);
}

function isStoreError(code: ErrorCode) {
  return (err: unknown) => isClaroError(err, code);
}

function deepEqual(a: unknown, b: unknown): boolean {
  try {
    assert.deepEqual(a, b);
    return true;
  } catch {
    return false;
  }
}
