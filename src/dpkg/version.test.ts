import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

import { isClaroError } from '../errors.js';
import {
  addVersion,
  mismatches,
  referenceReady,
  samplePairs,
  verdict as schemeVerdict,
  type Pair,
  type Verdict,
  type VersionsByPackage,
} from '../versions/testdata/pairs.js';
import {
  dpkgScheme,
  parseDpkgVersion,
  tryParseDpkgVersion,
} from './version.js';

const FEEDS = '../shared/data/feeds/debian';
const FIXTURES = '../shared/fixtures';
const TRACKER_LISTS = [
  `${FEEDS}/security-tracker/data/DSA/list`,
  `${FEEDS}/security-tracker/data/DLA/list`,
];
const TRACKER_JSON = `${FEEDS}/samples/tracker-json`;
const STATUS_FILES = [
  `${FIXTURES}/clair-v2/dpkg-status-valid`,
  `${FIXTURES}/claircore-dpkg/debian-only.status`,
  `${FIXTURES}/claircore-dpkg/postgresql.status`,
  `${FIXTURES}/claircore-dpkg/texlive.status`,
  `${FIXTURES}/claircore-dpkg/vcpkg.status`,
  `${FIXTURES}/syft-dpkg/image-dpkg/var/lib/dpkg/status`,
  `${FIXTURES}/trivy-dpkg/valid.txtar`,
  `${FIXTURES}/trivy-dpkg/digest.txtar`,
  `${FIXTURES}/trivy-dpkg/third-party.txtar`,
];

const EDGE_CASES: readonly [string, string, Verdict][] = [
  ['1.0~rc1', '1.0', '<'],
  ['1.0~~', '1.0~~a', '<'],
  ['1.0~~a', '1.0~', '<'],
  ['1.0~', '1.0', '<'],
  ['1.0', '1.0a', '<'],
  ['1.0a', '1.0+', '<'],
  ['1.0+', '1.0.', '<'],
  ['1.0-1', '1.0+dfsg-1', '<'],
  ['1.0+dfsg-1', '1.0.1-1', '<'],
  ['1:1.0', '2.0', '>'],
  ['0:1.0', '1.0', '='],
  ['1.0', '1.0-0', '='],
  ['1.0-0', '1.0-0.0', '<'],
  ['1.0-1.1', '1.0-1.10', '<'],
  ['1.0-1.2', '1.0-1.10', '<'],
  ['1.0-1+deb12u1', '1.0-1', '>'],
  ['1.0-1~deb12u1', '1.0-1', '<'],
  ['2.30-1-1', '2.30-1', '>'],
  ['1.2-3-4', '1.2-3-5', '<'],
  ['1:2:3-1', '1:2:3-2', '<'],
  ['007', '7', '='],
  ['1.007', '1.7', '='],
  ['1.0001', '1.1', '='],
  ['10', '9', '>'],
  ['99999999999999999999', '99999999999999999998', '>'],
  ['1.A', '1.a', '<'],
  ['1.Z', '1.a', '<'],
  ['a1', 'b1', '<'],
  ['1_0', '1.0', '>'],
  ['1.0', '1:0.9', '<'],
  ['1.é', '1.z', '>'],
  ['1.é', '1.+', '<'],
  ['1.0-1~', '1.0-1', '<'],
  [' 1.0 ', '1.0', '='],
  ['+1:1', '1:1', '='],
  ['2147483647:1', '1', '>'],
  ['1:', '1', 'invalid'],
  [':1', '1', 'invalid'],
  ['a:1', '1', 'invalid'],
  ['1.0-a:b', '1', 'invalid'],
  ['1.0-', '1', 'invalid'],
  ['1:-1', '1', 'invalid'],
  ['1 0', '1', 'invalid'],
  ['2147483648:1', '1', 'invalid'],
  ['1', ' ', 'invalid'],
];

describe('dpkgScheme', () => {
  it('orders hand-picked edge cases as deb-version(5) says', () => {
    const got = EDGE_CASES.map(([a, b]) => [a, b, verdict(a, b)]);
    assert.deepEqual(got, EDGE_CASES);
  });

  it('agrees with dpkg --compare-versions on the edge cases', (t) => {
    if (!haveDpkg(t)) return;
    const pairs = EDGE_CASES.map(([a, b]) => [a, b] as const);
    assert.deepEqual(
      runDpkg(pairs),
      EDGE_CASES.map(([, , v]) => v),
    );
  });

  it('rejects the empty string, which dpkg reads as "no version"', () => {
    assert.equal(dpkgScheme.valid(''), false);
    assert.throws(
      () => dpkgScheme.compare('', '1.0'),
      (err) => isClaroError(err, 'INVALID_VERSION'),
    );
  });

  it('splits epoch, upstream and revision at the last hyphen', () => {
    assert.deepEqual(parseDpkgVersion('2:1.2-3-4+b1'), {
      epoch: 2,
      upstream: '1.2-3',
      revision: '4+b1',
    });
    assert.deepEqual(parseDpkgVersion('1.0'), {
      epoch: 0,
      upstream: '1.0',
      revision: '',
    });
    assert.equal(tryParseDpkgVersion('1.0-'), undefined);
  });

  it('agrees with dpkg on thousands of real version pairs', (t) => {
    if (!haveDpkg(t)) return;
    const pairs = realPairs();
    assert.ok(pairs.length >= 3000, `only ${pairs.length} pairs`);

    assert.deepEqual(mismatches(dpkgScheme, pairs, runDpkg(pairs)), []);
  });
});

function verdict(a: string, b: string): Verdict {
  return schemeVerdict(dpkgScheme, a, b);
}

/** dpkg is part of every Debian system; CI must have it. */
function haveDpkg(t: { skip(message: string): void }): boolean {
  const probe = spawnSync('dpkg', ['--version']);
  const problem =
    probe.status === 0
      ? undefined
      : 'dpkg is not installed: cannot check against real dpkg';
  return referenceReady(t, problem, { requiredOnCi: true });
}

/**
 * Runs all pairs through one shell loop: one or two dpkg processes per
 * pair, but no Node round trip. Exit status 2 is dpkg's syntax error.
 */
function runDpkg(pairs: readonly Pair[]): Verdict[] {
  const script = [
    'while IFS= read -r a && IFS= read -r b; do',
    '  dpkg --compare-versions "$a" lt "$b" 2>/dev/null; r=$?',
    '  if [ $r -eq 0 ]; then echo "<"',
    '  elif [ $r -ne 1 ]; then echo invalid',
    '  elif dpkg --compare-versions "$a" eq "$b" 2>/dev/null; then echo "="',
    '  else echo ">"; fi',
    'done',
  ].join('\n');
  const input = pairs.map(([a, b]) => `${a}\n${b}\n`).join('');
  const run = spawnSync('sh', ['-c', script], {
    input,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout.trim().split('\n') as Verdict[];
}

/**
 * Deterministic pairs from real data: each package's versions against
 * their neighbours in sorted order, plus random cross-package pairs from a
 * fixed seed.
 */
function realPairs(): [string, string][] {
  return samplePairs(collectVersions(), {
    seed: 20240923,
    neighbourRate: 0.35,
    crossPairs: 1000,
  });
}

function collectVersions(): VersionsByPackage {
  const byPackage: VersionsByPackage = new Map();
  const add = (pkg: string, version: string): void => {
    if (/^[0-9]/.test(version)) addVersion(byPackage, pkg, version);
  };

  for (const path of TRACKER_LISTS) addTrackerList(path, add);
  for (const name of readdirSync(TRACKER_JSON)) {
    addTrackerJson(`${TRACKER_JSON}/${name}`, add);
  }
  for (const path of STATUS_FILES) addStatusFile(path, add);
  return byPackage;
}

type Add = (pkg: string, version: string) => void;

/** `\t[release] - package version` lines of DSA/list and DLA/list. */
function addTrackerList(path: string, add: Add): void {
  const line = /^\s+\[[a-z-]+\] - (\S+) (\S+)/;
  for (const text of readFileSync(path, 'utf8').split('\n')) {
    const m = line.exec(text);
    if (m) add(m[1]!, m[2]!);
  }
}

/** package → CVE → releases → fixed_version and repositories. */
function addTrackerJson(path: string, add: Add): void {
  const data = JSON.parse(readFileSync(path, 'utf8')) as Record<
    string,
    Record<string, { releases?: Record<string, TrackerRelease> }>
  >;
  for (const [pkg, cves] of Object.entries(data)) {
    for (const cve of Object.values(cves)) {
      for (const release of Object.values(cve.releases ?? {})) {
        if (release.fixed_version) add(pkg, release.fixed_version);
        for (const v of Object.values(release.repositories ?? {})) add(pkg, v);
      }
    }
  }
}

interface TrackerRelease {
  fixed_version?: string;
  repositories?: Record<string, string>;
}

/** `Package:` and `Version:` fields of dpkg status paragraphs. */
function addStatusFile(path: string, add: Add): void {
  let pkg = '';
  for (const text of readFileSync(path, 'utf8').split('\n')) {
    if (text.startsWith('Package: ')) pkg = text.slice(9).trim();
    if (text.startsWith('Version: ')) add(pkg, text.slice(9).trim());
  }
}
