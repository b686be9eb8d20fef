import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import semver from 'semver';

import { isClaroError } from '../errors.js';
import {
  addVersion,
  generatedPairs,
  mismatches,
  samplePairs,
  slot,
  verdict,
  type Pair,
  type Verdict,
  type VersionsByPackage,
} from '../versions/testdata/pairs.js';
import { osvVersions, zipTexts } from '../versions/testdata/osv.js';
import {
  formatSemver,
  parseSemver,
  semverScheme,
  tryParseSemver,
} from './version.js';

const OSV_NPM = '../shared/data/feeds/osv/npm/advisories/github-reviewed';
const SECURITY_WG = '../shared/data/feeds/nodejs-security-wg/vuln/npm';
const LOCK_FILE = 'package-lock.json';
/** RustSec's records: crates.io versions are SemVer 2.0.0 too. */
const OSV_CRATES = '../shared/data/feeds/osv/crates.io/all.zip';

/** semver.org 2.0.0, section 11's example of ascending precedence. */
const SPEC_ORDER = [
  '1.0.0-alpha',
  '1.0.0-alpha.1',
  '1.0.0-alpha.beta',
  '1.0.0-beta',
  '1.0.0-beta.2',
  '1.0.0-beta.11',
  '1.0.0-rc.1',
  '1.0.0',
  '2.0.0',
  '2.1.0',
  '2.1.1',
];

/** Real versions from OSV's npm records and installed packages. */
const REAL_CASES: readonly [string, string, Verdict][] = [
  ['4.17.15', '4.17.21', '<'], // lodash, GHSA-35jh-r3h4-6jhm's fix
  ['1.2.5', '1.2.6', '<'], // minimist, GHSA-xvch-5gv4-984h's fix
  ['5.0.0-alpha.1', '5.0.0', '<'], // express, GHSA-qw6h-vgh9-j6wx
  ['4.20.0', '4.9.0', '>'],
  ['7.5.10', '7.5.2', '>'],
  ['16.8.6', '16.8.6', '='],
  ['1.0.0+20130313144700', '1.0.0', '='],
  ['1.0.0-beta+exp.sha.5114f85', '1.0.0-beta', '='],
  ['1.0.0-0.3.7', '1.0.0-x.7.z.92', '<'],
  ['1.0.0-x-y-z.--', '1.0.0-x-y-z.-', '>'],
  ['1.0.0-1', '1.0.0-a', '<'],
  ['1.0.0-a10', '1.0.0-a9', '<'],
  ['1.0.0-9', '1.0.0-10', '<'],
  ['v1.2.3', '1.2.3', '='],
  [' 1.2.3\n', '1.2.3', '='],
  ['9007199254740991.0.0', '1.0.0', '>'],
];

const INVALID = [
  '',
  '0',
  '1',
  '1.2',
  '1.2.x',
  '=1.2.3',
  'vv1.2.3',
  'V1.2.3',
  '01.2.3',
  '1.02.3',
  '1.2.3-01',
  '1.2.3-',
  '1.2.3+',
  '1.2.3-a..b',
  '1.2.3+a..b',
  '1.2.3beta',
  '1.2.3 beta',
  '1.2.3-beta_1',
  '9007199254740992.0.0',
  `1.2.3-${'a'.repeat(251)}`,
];

describe('semverScheme', () => {
  it("orders SemVer 2.0.0's own example list", () => {
    for (let i = 1; i < SPEC_ORDER.length; i++) {
      const [a, b] = [SPEC_ORDER[i - 1]!, SPEC_ORDER[i]!];
      assert.equal(verdict(semverScheme, a, b), '<', `${a} < ${b}`);
      assert.equal(verdict(semverScheme, b, a), '>', `${b} > ${a}`);
    }
  });

  it('orders real versions, ignoring build metadata', () => {
    const got = REAL_CASES.map(([a, b]) => [a, b, verdict(semverScheme, a, b)]);
    assert.deepEqual(got, REAL_CASES);
  });

  it('splits a version and prints it without the v', () => {
    const v = parseSemver('v1.0.0-rc.1+build.5');
    assert.deepEqual(v, {
      major: 1,
      minor: 0,
      patch: 0,
      prerelease: ['rc', '1'],
      build: ['build', '5'],
    });
    assert.equal(formatSemver(v), '1.0.0-rc.1+build.5');
  });

  it('rejects invalid and loose versions with INVALID_VERSION', () => {
    for (const version of INVALID) {
      assert.equal(tryParseSemver(version), undefined, version);
      assert.throws(
        () => semverScheme.compare('1.0.0', version),
        (err) =>
          isClaroError(err, 'INVALID_VERSION') &&
          err.message.startsWith(`Cannot parse semver version "${version}":`),
      );
    }
  });

  it('agrees with npm semver on the tables above', () => {
    const pairs: Pair[] = [
      ...REAL_CASES.map(([a, b]) => [a, b] as const),
      ...SPEC_ORDER.slice(1).map((b, i) => [SPEC_ORDER[i]!, b] as const),
      ...INVALID.map((v) => [v, '1.0.0'] as const),
    ];
    assert.deepEqual(mismatches(semverScheme, pairs, npmVerdicts(pairs)), []);
  });

  it('compares huge numeric pre-release identifiers exactly', () => {
    const [a, b] = ['1.0.0-9007199254740993', '1.0.0-9007199254740992'];
    assert.equal(verdict(semverScheme, a, b), '>');
    // Known difference: npm reads both as the same JavaScript number.
    assert.deepEqual(npmVerdicts([[a, b]]), ['=']);
  });

  it('agrees with npm semver on thousands of pairs', (t) => {
    const pairs = [...realPairs(), ...generated()];
    assert.ok(pairs.length >= 10000, `only ${pairs.length} pairs`);

    t.diagnostic(`${pairs.length} pairs checked against npm semver`);
    assert.deepEqual(mismatches(semverScheme, pairs, npmVerdicts(pairs)), []);
  });
});

/** npm's `semver` package, strict mode, as npm itself calls it. */
function npmVerdicts(pairs: readonly Pair[]): Verdict[] {
  return pairs.map(([a, b]) => {
    if (semver.valid(a) === null || semver.valid(b) === null) {
      return 'invalid';
    }
    return (['<', '=', '>'] as const)[semver.compare(a, b) + 1]!;
  });
}

/**
 * Neighbours and random pairs of real versions: OSV's npm sample, the
 * Node.js security working group's npm advisories (versions named in
 * their ranges), this project's own lock file, and OSV's crates.io
 * records.
 */
function realPairs(): [string, string][] {
  const byPackage: VersionsByPackage = new Map();
  for (const path of walk(OSV_NPM)) {
    for (const { name, version } of osvVersions(readFileSync(path, 'utf8'))) {
      addVersion(byPackage, name, version);
    }
  }
  for (const name of readdirSync(SECURITY_WG)) {
    addSecurityWg(byPackage, `${SECURITY_WG}/${name}`);
  }
  addLockFile(byPackage, LOCK_FILE);
  for (const text of zipTexts(OSV_CRATES)) {
    for (const { name, version } of osvVersions(text)) {
      addVersion(byPackage, `crates.io/${name}`, version);
    }
  }
  return samplePairs(byPackage, { seed: 20240923, crossPairs: 4000 });
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    return entry.isDirectory() ? walk(path) : [path];
  });
}

/** Versions written in an advisory's ranges: `<=1.5.1`, `>= 2.0.0-rc.1`. */
function addSecurityWg(byPackage: VersionsByPackage, path: string): void {
  const advisory = JSON.parse(readFileSync(path, 'utf8')) as {
    module_name: string;
    vulnerable_versions?: string | null;
    patched_versions?: string | null;
  };
  const ranges = `${advisory.vulnerable_versions} ${advisory.patched_versions}`;
  const version = /v?[0-9]+\.[0-9]+\.[0-9]+[-+.0-9A-Za-z]*/g;
  for (const v of ranges.match(version) ?? []) {
    addVersion(byPackage, advisory.module_name, v);
  }
}

function addLockFile(byPackage: VersionsByPackage, path: string): void {
  const lock = JSON.parse(readFileSync(path, 'utf8')) as {
    packages: Record<string, { version?: string }>;
  };
  for (const [key, { version }] of Object.entries(lock.packages)) {
    const name = key.slice(key.lastIndexOf('node_modules/') + 13);
    if (version !== undefined) addVersion(byPackage, name, version);
  }
}

/** Versions built from SemVer's grammar, with npm's loose spellings. */
function generated(): [string, string][] {
  const slots = [
    slot('||||v', '=|V|vv| |v ||=v'),
    slot('0|1|2|10|9007199254740991', '01|9007199254740992|x|'),
    slot('.0|.1|.10|.2', '.01|.x|'),
    slot('.0|.1|.2|.11', '.00|.*|.1.1|'),
    slot(
      '||||-0|-1|-alpha|-alpha.1|-alpha.beta|-beta|-beta.2|-beta.11|-rc.1|' +
        '-0.3.7|-x.7.z.92|-x-y-z.--|-alpha.0a|-1a|-a-1|-RC.1|-rc.0',
      '-rc.01|-alpha..1|-|alpha|-a_b|-9007199254740993',
    ),
    slot(
      '||||+001|+20130313144700|+exp.sha.5114f85|+21AF26D3--117B34',
      '+|+a..b|+a_b|+a+b',
    ),
    slot('', ' |.|_|-|\t'),
  ];
  return generatedPairs({ seed: 2000, count: 10000, slots });
}
