/**
 * Issue 5's acceptance: language packages and AlmaLinux packages matched
 * against the OSV records of the shared mirror, loaded by the OSV
 * updaters. Each expected list is computed here from the mirror's files
 * with a plain loop and reference comparators (npm's semver, Debian's
 * rpm), not with claro's range evaluation.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import semver from 'semver';
import { parse as parseYaml } from 'yaml';
import type { PackageRecord } from '../src/indexer/types.js';
import type { VulnerabilityReport } from '../src/matcher/report.js';
import { osvUpdaterSet } from '../src/osv/updater.js';
import { buildRpmDatabase } from '../src/rpm/testdata/rpm-tool.js';
import { openStore } from '../src/store/open.js';
import type { Store } from '../src/store/store.js';
import { runUpdaterSet } from '../src/updater/run.js';
import type { UpdaterSet } from '../src/updater/updater.js';
import {
  zipRecords,
  type OsvAffected,
  type OsvRecord,
} from '../src/vuln/testdata/osv.js';
import {
  FEEDS,
  SHARED,
  log,
  noNetwork,
  scanImage,
  tempDir,
  vulnsByPackage,
} from './helpers.js';

const OSV = `${FEEDS}/osv`;
const GO_BINARIES = `${SHARED}/fixtures/osv-scalibr-gobinary`;
const PY = `${SHARED}/fixtures/syft-python/site-packages`;
const SITE = 'usr/local/lib/python3.11/site-packages';
/** Made by scripts/prepare-npm-tree.sh, which `.ci/run` runs first. */
const NPM_TREE = 'test/.npm-tree';

/** Only the OSV updaters these tests need (in the set's order). */
const NEEDED = ['osv-pypi', 'osv-npm', 'osv-go', 'osv-almalinux'];

const tmp = tempDir('claro-osv-');
let store: Store;
before(async () => {
  store = await openStore(join(tmp.dir, 'claro.db'));
  const set: UpdaterSet = {
    name: osvUpdaterSet.name,
    updaters: async (ctx) =>
      (await osvUpdaterSet.updaters(ctx)).filter((u) =>
        NEEDED.includes(u.name),
      ),
  };
  const ctx = { fetch: noNetwork, log, mirror: FEEDS };
  const outcomes = await runUpdaterSet(store, set, ctx);
  assert.deepEqual(
    outcomes.map((o) => [o.updater, o.status]),
    NEEDED.map((u) => [u, 'updated']),
  );
});
after(async () => {
  await store.close();
  tmp.remove();
});

/** Writes files into a new root filesystem folder under the temp dir. */
function rootfs(name: string, files: Record<string, string | Buffer>) {
  const root = join(tmp.dir, name);
  for (const [path, body] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), body);
  }
  return root;
}

/** Language (or all) packages of a report: name → version. */
function versions(
  r: VulnerabilityReport,
  keep: (p: PackageRecord) => boolean = (p) => p.ecosystem !== undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of Object.values(r.index.packages)) {
    if (keep(p)) out[p.name] = p.version;
  }
  return out;
}

/** Notices of the codes that mean "something could not be decided". */
function undecided(r: VulnerabilityReport): string[] {
  const codes = ['unknown-version', 'no-vulnerability-data'];
  return r.notices.filter((n) => codes.includes(n.code)).map((n) => n.message);
}

/**
 * The ids of records whose affected entries for `name` hold `version`,
 * as the OSV schema's evaluation reads events already in order (the
 * databases here write them so): each range's events in turn, with
 * `includes(version, event)` answering "version >= event", and `versions`
 * lists by string. Withdrawn records are left out.
 */
function expectedIds(
  records: readonly OsvRecord[],
  name: string,
  holds: (entry: OsvAffected) => boolean,
): string[] {
  const ids = records
    .filter((r) => r.withdrawn === undefined)
    .filter((r) =>
      (r.affected ?? []).some((a) => a.package?.name === name && holds(a)),
    )
    .map((r) => r.id);
  return [...new Set(ids)].sort();
}

/** `holds` for expectedIds: one range walk with a `compare`. */
function walk(
  version: string,
  compare: (a: string, b: string) => number,
): (entry: OsvAffected) => boolean {
  return (entry) => {
    if ((entry.versions ?? []).includes(version)) return true;
    return (entry.ranges ?? [])
      .filter((r) => r.type !== 'GIT')
      .some((r) => {
        let affected = false;
        for (const e of r.events ?? []) {
          const [[kind, at] = []] = Object.entries(e);
          if (at === undefined) continue;
          const cmp = kind === 'introduced' && at === '0' ? 1 : 0;
          const c = cmp || compare(version, at);
          if (kind === 'introduced' && c >= 0) affected = true;
          if (kind === 'fixed' && c >= 0) affected = false;
          if (kind === 'last_affected' && c > 0) affected = false;
          if (kind === 'limit') throw new Error('no limit expected');
        }
        return affected;
      });
  };
}

describe('Go binaries against the Go vulnerability database', () => {
  const binaries = readdirSync(GO_BINARIES).sort();

  it('finds the fixture binaries', () => {
    assert.deepEqual(binaries, [
      'binary_with_module_replacement-linux-amd64',
      'binary_with_module_replacement-linux-arm64',
    ]);
  });

  for (const binary of binaries) {
    describe(binary, () => {
      let r: VulnerabilityReport;
      before(async () => {
        const root = rootfs(binary, {});
        mkdirSync(join(root, 'usr/local/bin'), { recursive: true });
        const app = join(root, 'usr/local/bin/app');
        copyFileSync(join(GO_BINARIES, binary), app);
        chmodSync(app, 0o755);
        r = await scanImage(root, store);
      });

      it('reports the Go version and the modules it was built with', () => {
        assert.deepEqual(versions(r), {
          stdlib: 'go1.22.0',
          binary_with_module_replacement: '(devel)',
          'github.com/golang/xerrors': 'v0.0.0-20220907171357-04be3eba64a2',
        });
      });

      it('reports the stdlib records that hold go1.22.0, and no others', () => {
        // Go's records write SEMVER versions without `v` (1.22.0-0).
        const holds = walk('1.22.0', (a, b) => semver.compare(a, b));
        const expected = expectedIds(zipRecords('go'), 'stdlib', holds);
        assert.ok(expected.length > 10, 'go1.22.0 has many fixes since');
        assert.deepEqual(vulnsByPackage(r), { stdlib: expected });
      });

      it('shows the fix of the go1.22 line, not the first fix', () => {
        const fixes = Object.values(r.vulnerabilities)
          .filter((v) => ['GO-2024-2598', 'GO-2024-2687'].includes(v.name))
          .map((v) => [v.name, v.fixedInVersion])
          .sort();
        assert.deepEqual(fixes, [
          ['GO-2024-2598', '1.22.1'],
          ['GO-2024-2687', '1.22.2'],
        ]);
      });

      it('decides every package without a notice', () => {
        assert.deepEqual(undecided(r), []);
      });
    });
  }
});

describe('Python packages where pip writes them', () => {
  let r: VulnerabilityReport;
  before(async () => {
    const root = rootfs('python', {
      [`${SITE}/Pygments-2.6.1.dist-info/METADATA`]: readFileSync(
        `${PY}/nested/dist-name/dist-info/METADATA`,
      ),
      [`${SITE}/requests-2.22.0.egg-info/PKG-INFO`]: readFileSync(
        `${PY}/nested/egg-name/egg-info/PKG-INFO`,
      ),
    });
    r = await scanImage(root, store);
  });

  it('reports both packages at their versions', () => {
    assert.deepEqual(versions(r), { pygments: '2.6.1', requests: '2.22.0' });
  });

  it('reports the PYSEC records that cover them', () => {
    const found = vulnsByPackage(r);
    for (const id of ['PYSEC-2021-140', 'PYSEC-2021-141', 'PYSEC-2023-117']) {
      assert.ok(found['pygments']?.includes(id), id);
    }
    assert.ok(found['requests']?.includes('PYSEC-2023-74'));
  });

  it('reports exactly the mirror records whose ranges hold them', () => {
    assert.deepEqual(vulnsByPackage(r), {
      pygments: pypiExpected('pygments', '2.6.1'),
      requests: pypiExpected('requests', '2.22.0'),
    });
    assert.deepEqual(undecided(r), []);
  });
});

/**
 * The PYSEC records of `pkg` holding `version`, comparing the plain
 * release numbers these records use (`1.5`, `2.7.4`) number by number.
 */
function pypiExpected(pkg: string, version: string): string[] {
  const folder = `${OSV}/pypi/vulns/${pkg}`;
  const records = readdirSync(folder).map(
    (f) => parseYaml(readFileSync(join(folder, f), 'utf8')) as OsvRecord,
  );
  return expectedIds(records, pkg, walk(version, compareRelease));
}

function compareRelease(a: string, b: string): number {
  const parts = (v: string) => {
    assert.match(v, /^\d+(\.\d+)*$/, `a plain release: ${v}`);
    return v.split('.').map(Number);
  };
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

describe('a node_modules tree installed by npm', () => {
  let r: VulnerabilityReport | undefined;
  before(async () => {
    if (existsSync(join(NPM_TREE, 'node_modules'))) {
      r = await scanImage(NPM_TREE, store);
    }
  });

  /** The report, or why the test cannot run (failing on CI). */
  function report(t: { skip(message: string): void }) {
    if (r !== undefined) return r;
    const message =
      `${NPM_TREE} is missing: run scripts/prepare-npm-tree.sh ` +
      '(it installs lodash 4.17.15 and minimist 1.2.5 from the registry)';
    if (process.env['CI'] === 'true') assert.fail(message);
    t.skip(message);
    return undefined;
  }

  it('reports lodash 4.17.15 and minimist 1.2.5', (t) => {
    const got = report(t);
    if (got === undefined) return;
    assert.deepEqual(versions(got), { lodash: '4.17.15', minimist: '1.2.5' });
  });

  it('reports the advisories of the npm mirror that cover them', (t) => {
    const got = report(t);
    if (got === undefined) return;
    const records = npmRecords();
    const holds = (v: string) => walk(v, (a, b) => semver.compare(a, b));
    const expected = {
      lodash: expectedIds(records, 'lodash', holds('4.17.15')),
      minimist: expectedIds(records, 'minimist', holds('1.2.5')),
    };
    assert.deepEqual(expected, {
      lodash: ['GHSA-35jh-r3h4-6jhm', 'GHSA-p6mc-m468-83gw'],
      minimist: ['GHSA-xvch-5gv4-984h'],
    });
    assert.deepEqual(vulnsByPackage(got), expected);
    assert.deepEqual(undecided(got), []);
  });
});

/** Every advisory of the npm sample, in its upstream folder layout. */
function npmRecords(): OsvRecord[] {
  const root = `${OSV}/npm/advisories`;
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((p) => p.endsWith('.json'))
    .map((p) => JSON.parse(readFileSync(join(root, p), 'utf8')) as OsvRecord);
}

describe('an AlmaLinux 9 root filesystem', () => {
  let r: VulnerabilityReport | undefined;
  before(async () => {
    if (!haveRpmbuild()) return;
    const db = buildRpmDatabase(
      ALMA_PACKAGES.map(([name, evr]) => ({
        preamble: preamble(name, evr),
        files: [],
      })),
    );
    const root = rootfs('almalinux', {
      'etc/os-release': ALMA_OS_RELEASE,
      'etc/almalinux-release': 'AlmaLinux release 9.3 (Shamrock Pampas Cat)\n',
      'var/lib/rpm/rpmdb.sqlite': db,
    });
    r = await scanImage(root, store);
  });

  /** The report, or why the test cannot run (failing on CI). */
  function report(t: { skip(message: string): void }) {
    if (r !== undefined) return r;
    const message = 'rpmbuild is not installed (Debian package rpm)';
    if (process.env['CI'] === 'true') assert.fail(message);
    t.skip(message);
    return undefined;
  }

  it('reports AlmaLinux 9 and every package at its full version', (t) => {
    const got = report(t);
    if (got === undefined) return;
    const dists = Object.values(got.index.distributions);
    assert.deepEqual(
      dists.map((d) => [d.did, d.versionId]),
      [['almalinux', '9']],
    );
    const rpms = versions(got, (p) => p.scheme === 'rpm');
    assert.deepEqual(rpms, Object.fromEntries(ALMA_PACKAGES));
  });

  it('reports exactly the ALSA advisories that cover those versions', (t) => {
    const got = report(t);
    if (got === undefined) return;
    const expected = almaExpected();
    assert.ok(expected['openssl-libs']?.includes('ALSA-2024:0310'));
    assert.deepEqual(vulnsByPackage(got), expected);
    assert.deepEqual(undecided(got), []);
  });
});

/**
 * Packages as an AlmaLinux 9.3 image holds them (9.3's own builds, and
 * earlier builds still current then), as `[name, [epoch:]version-release]`.
 */
const ALMA_PACKAGES: readonly (readonly [string, string])[] = [
  ['almalinux-release', '9.3-1.el9'],
  ['bash', '5.1.8-6.el9_1'],
  ['curl-minimal', '7.76.1-26.el9'],
  ['dbus', '1:1.12.20-7.el9_2.1'],
  ['glib2', '2.68.4-11.el9'],
  ['krb5-libs', '1.21.1-1.el9'],
  ['less', '590-2.el9_2'],
  ['libcurl-minimal', '7.76.1-26.el9'],
  ['libxml2', '2.9.13-5.el9_3'],
  ['ncurses-libs', '6.2-10.20210508.el9'],
  ['openssl', '1:3.0.7-24.el9'],
  ['openssl-libs', '1:3.0.7-24.el9'],
  ['python3', '3.9.18-1.el9_3'],
  ['python3-libs', '3.9.18-1.el9_3'],
  ['shadow-utils', '2:4.9-8.el9'],
  ['sqlite-libs', '3.34.1-6.el9_1'],
  ['tar', '2:1.34-6.el9_1'],
  ['vim-minimal', '2:8.2.2637-20.el9_1'],
];

const ALMA_OS_RELEASE = [
  'NAME="AlmaLinux"',
  'VERSION="9.3 (Shamrock Pampas Cat)"',
  'ID="almalinux"',
  'ID_LIKE="rhel centos fedora"',
  'VERSION_ID="9.3"',
  'PLATFORM_ID="platform:el9"',
  'PRETTY_NAME="AlmaLinux 9.3 (Shamrock Pampas Cat)"',
  'CPE_NAME="cpe:/o:almalinux:almalinux:9::baseos"',
  '',
].join('\n');

/** Spec preamble lines for `[epoch:]version-release`. */
function preamble(name: string, evr: string): string[] {
  const m = /^(?:(\d+):)?(.+)-([^-]+)$/.exec(evr);
  assert.ok(m?.[2] && m[3], evr);
  const epoch = m[1] === undefined ? [] : [`Epoch: ${m[1]}`];
  return [`Name: ${name}`, ...epoch, `Version: ${m[2]}`, `Release: ${m[3]}`];
}

function haveRpmbuild(): boolean {
  return spawnSync('rpmbuild', ['--version']).status === 0;
}

/**
 * Per package, the ALSA advisories (AlmaLinux 9 entries of the mirror's
 * all.zip) holding its version, compared by Debian's rpm (`rpm.vercmp`).
 * Bug fix and enhancement advisories (ALBA, ALEA) fix no vulnerability.
 */
function almaExpected(): Record<string, string[]> {
  const records = zipRecords('almalinux')
    .filter((rec) => rec.id.startsWith('ALSA-'))
    .map((rec) => ({
      ...rec,
      affected: (rec.affected ?? []).filter(
        (a) => a.package?.ecosystem === 'AlmaLinux:9',
      ),
    }));
  const compare = rpmVercmp(records);
  const out: Record<string, string[]> = {};
  for (const [name, evr] of ALMA_PACKAGES) {
    const ids = expectedIds(records, name, walk(evr, compare));
    if (ids.length > 0) out[name] = ids;
  }
  return out;
}

/**
 * A comparator answered by one `rpm.vercmp` run over every pair of an
 * installed version and an event version of its package's entries.
 */
function rpmVercmp(
  records: readonly OsvRecord[],
): (a: string, b: string) => number {
  const pairs = new Set<string>();
  const installed = new Map(ALMA_PACKAGES);
  for (const rec of records) {
    for (const a of rec.affected ?? []) {
      const evr = installed.get(a.package?.name ?? '');
      if (evr === undefined) continue;
      for (const range of a.ranges ?? []) {
        for (const e of range.events ?? []) {
          for (const v of Object.values(e)) pairs.add(`${evr}\t${v}`);
        }
      }
    }
  }
  const list = [...pairs];
  const dir = join(tmp.dir, 'vercmp');
  mkdirSync(dir, { recursive: true });
  const input = join(dir, 'pairs.txt');
  const script = join(dir, 'vercmp.lua');
  writeFileSync(input, list.map((p) => `${p}\n`).join(''));
  writeFileSync(
    script,
    [
      'local out = {}',
      `for line in io.lines(${JSON.stringify(input)}) do`,
      "  local a, b = line:match('^(.-)\\t(.*)$')",
      '  out[#out + 1] = tostring(rpm.vercmp(a, b))',
      'end',
      "print(table.concat(out, '\\n'))",
    ].join('\n'),
  );
  const run = spawnSync('rpm', ['--eval', `%{lua: dofile("${script}")}`], {
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, run.stderr);
  const answers = run.stdout.trim().split('\n').map(Number);
  assert.equal(answers.length, list.length);
  const byPair = new Map(list.map((p, i) => [p, answers[i]!]));
  return (a, b) => {
    const c = byPair.get(`${a}\t${b}`);
    assert.ok(c !== undefined, `${a} ${b} was compared`);
    return c;
  };
}

describe('a Python package a Debian package installed', () => {
  let r: VulnerabilityReport;
  const EGG = 'usr/lib/python3/dist-packages/requests-2.28.1.egg-info';
  before(async () => {
    const root = rootfs('debian-python', {
      'etc/os-release':
        'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n',
      'var/lib/dpkg/status': [
        'Package: python3-requests',
        'Status: install ok installed',
        'Architecture: all',
        'Source: requests',
        'Version: 2.28.1+dfsg-1',
        '',
        '',
      ].join('\n'),
      'var/lib/dpkg/info/python3-requests.list': `/.\n/${EGG}\n/${EGG}/PKG-INFO\n`,
      [`${EGG}/PKG-INFO`]:
        'Metadata-Version: 2.1\nName: requests\nVersion: 2.28.1\n',
      [`${SITE}/Pygments-2.6.1.dist-info/METADATA`]: readFileSync(
        `${PY}/nested/dist-name/dist-info/METADATA`,
      ),
    });
    r = await scanImage(root, store);
  });

  it('shows it as part of its OS package', () => {
    const requests = Object.values(r.index.packages).find(
      (p) => p.name === 'requests',
    );
    assert.deepEqual(
      [requests?.version, requests?.ownedBy?.name],
      ['2.28.1', 'python3-requests'],
    );
  });

  it('does not match it against PyPI, though a record holds its version', () => {
    assert.ok(pypiExpected('requests', '2.28.1').includes('PYSEC-2023-74'));
    const found = vulnsByPackage(r);
    assert.equal(found['requests'], undefined);
    assert.deepEqual(found['pygments'], pypiExpected('pygments', '2.6.1'));
  });
});
