import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { arch, tmpdir } from 'node:os';
import { join } from 'node:path';

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
import { apkScheme, parseApkVersion, tryParseApkVersion } from './version.js';

/**
 * The reference implementation: apk-tools 2.14.4 as shipped in Alpine
 * 3.20's minirootfs, run through its own musl loader. Debian 12 has no
 * apk-tools package.
 */
const MINIROOTFS =
  '../shared/fixtures/alpine-minirootfs/alpine-minirootfs-3.20.3-x86_64.tar.gz';
const SECDB = '../shared/data/feeds/alpine/secdb';
const INSTALLED_DBS = [
  '../shared/fixtures/clair-v2/apk-installed',
  '../shared/fixtures/osv-scalibr-apk/installed',
  '../shared/fixtures/apko-apk/wolfi-base/installed',
  '../shared/fixtures/apko-apk/redis-operator-compat/installed',
  '../shared/fixtures/apko-apk/usr-lib-apk-db/usr/lib/apk/db/installed',
  '../shared/fixtures/trivy-apk/installed-alpine-3.4-edited',
];

/** Expected results, each checked against apk-tools 2.14.4 as well. */
const EDGE_CASES: readonly [string, string, Verdict][] = [
  ['1.2.3-r0', '1.2.4-r1', '<'],
  ['1.2', '1.10', '<'],
  ['1.0_rc1', '1.0', '<'],
  ['1.0_rc1', '1.0_rc', '>'],
  ['1.0_alpha', '1.0_beta', '<'],
  ['1.0_beta', '1.0_pre', '<'],
  ['1.0_pre', '1.0_rc', '<'],
  ['1.0_cvs', '1.0_svn', '<'],
  ['1.0_git', '1.0_hg', '<'],
  ['1.0_hg', '1.0_p', '<'],
  ['1.0_p', '1.0', '>'],
  ['1.0_p0', '1.0_p', '>'],
  ['1.0_p1', '1.0.1', '<'],
  ['1.0_p1', '1.0-r1', '>'],
  ['1.0_alpha', '1.0a', '<'],
  ['1.0a', '1.0', '>'],
  ['1.0a', '1.0.1', '<'],
  ['1.2a', '1.2.0', '<'],
  ['1.0a1', '1.0a', '>'],
  ['1.0a1', '1.0b', '<'],
  ['1.0', '1.0-r0', '<'],
  ['1.0-r', '1.0-r0', '='],
  ['1.0', '1.0.0', '<'],
  ['1.0', '1.00', '>'],
  ['1.01', '1.1', '<'],
  ['1.01', '1.001', '>'],
  ['1.010', '1.01', '>'],
  ['1.05', '1.4', '<'],
  ['1.50', '1.05', '>'],
  ['0.1', '00.1', '='],
  ['2', '02', '='],
  ['1.0-r1-r2', '1.0-r1', '>'],
  ['4294967296', '4294967297', '<'],
  ['v1.0', '0v1.0', '='],
  ['1.', '1', '>'],
  ['1.', '1.0', '<'],
  ['1_p', '1_p0', '<'],
  ['1.0_pa', '1.0', 'invalid'],
  ['1.0_alphabet', '1.0', 'invalid'],
  ['1.0_pr', '1.0', 'invalid'],
  ['1.0a.1', '1.0', 'invalid'],
  ['1.0A', '1.0', 'invalid'],
  ['1.0-r1_p1', '1.0', 'invalid'],
  ['1.0-1', '1.0', 'invalid'],
  ['abc', '1.0', 'invalid'],
];

/** apk-tools 3 commit hashes, which apk-tools 2.14 rejects. */
const COMMIT_HASH_CASES: readonly [string, string, Verdict][] = [
  ['1.0~abc', '1.0', '>'],
  ['1.0~abc', '1.0~abd', '<'],
  ['1.0_rc1~ab', '1.0_rc1', '>'],
  ['1.0~ab', '1.0_p1', '<'],
  ['1.0~ab-r1', '1.0~ab-r0', '>'],
  ['1.0~', '1.0', 'invalid'],
  ['1.0~xyz', '1.0', 'invalid'],
  ['1.0-r1~ab', '1.0', 'invalid'],
  ['1.0~ab_p1', '1.0', 'invalid'],
];

let apkRoot: string | undefined;
after(() => {
  if (apkRoot) rmSync(apkRoot, { recursive: true, force: true });
});

describe('apkScheme', () => {
  it('orders hand-picked edge cases as apk-tools does', () => {
    const got = EDGE_CASES.map(([a, b]) => [a, b, verdict(a, b)]);
    assert.deepEqual(got, EDGE_CASES);
  });

  it('orders apk-tools 3 commit hashes before the revision', () => {
    const got = COMMIT_HASH_CASES.map(([a, b]) => [a, b, verdict(a, b)]);
    assert.deepEqual(got, COMMIT_HASH_CASES);
  });

  it('rejects the empty string, which apk-tools 2 accepts', () => {
    assert.equal(apkScheme.valid(''), false);
    assert.equal(tryParseApkVersion(''), undefined);
    assert.throws(() => parseApkVersion(''), isInvalidVersion);
  });

  it('agrees with apk version -t on the edge cases', async (t) => {
    const apk = apkTool(t);
    if (!apk) return;
    const pairs = EDGE_CASES.map(([a, b]) => [a, b] as const);
    const expected = EDGE_CASES.map(([, , v]) => v);
    assert.deepEqual(await runApk(apk, pairs), expected);
  });

  it('agrees with apk version -t on real version pairs', async (t) => {
    const apk = apkTool(t);
    if (!apk) return;
    const pairs = realPairs();
    assert.ok(pairs.length >= 2000, `only ${pairs.length} pairs`);

    const expected = await runApk(apk, pairs);
    assert.deepEqual(mismatches(apkScheme, pairs, expected), []);
  });
});

function verdict(a: string, b: string): Verdict {
  return schemeVerdict(apkScheme, a, b);
}

function isInvalidVersion(err: unknown): boolean {
  return isClaroError(err, 'INVALID_VERSION');
}

/**
 * Unpacks apk-tools from the minirootfs once. Missing on CI is a failure;
 * elsewhere (another architecture, no shared data) the test is skipped
 * with the reason.
 */
function apkTool(t: { skip(message: string): void }): string[] | undefined {
  const reason = unpackApk();
  const problem =
    reason === undefined
      ? undefined
      : `Cannot compare with real apk-tools: ${reason}`;
  if (!referenceReady(t, problem, { requiredOnCi: true })) return undefined;
  return apkCommand();
}

function unpackApk(): string | undefined {
  if (arch() !== 'x64') return `needs x86_64, this is ${arch()}`;
  if (apkRoot) return undefined;

  const dir = mkdtempSync(join(tmpdir(), 'claro-apk-'));
  const args = ['-xzf', MINIROOTFS, '-C', dir, './lib', './usr/lib'];
  const untar = spawnSync('tar', [...args, './sbin/apk'], { encoding: 'utf8' });
  if (untar.status !== 0) return `cannot unpack ${MINIROOTFS}: ${untar.stderr}`;

  apkRoot = dir;
  const probe = spawnSync(apkCommand()[0]!, [
    ...apkCommand().slice(1),
    '--version',
  ]);
  if (probe.status !== 0) return `apk does not run: ${String(probe.stderr)}`;
  return undefined;
}

function apkCommand(): string[] {
  const root = apkRoot ?? '';
  return [
    `${root}/lib/ld-musl-x86_64.so.1`,
    '--library-path',
    `${root}/lib:${root}/usr/lib`,
    `${root}/sbin/apk`,
  ];
}

/**
 * Compares all pairs with `apk version -t`, in two shell loops run side by
 * side. apk-tools 2 compares even invalid versions, so validity comes from
 * one `apk version -c` over all distinct versions.
 */
async function runApk(
  apk: readonly string[],
  pairs: readonly Pair[],
): Promise<Verdict[]> {
  const invalid = invalidVersions(apk, pairs.flat());
  const half = Math.ceil(pairs.length / 2);
  const shards = await Promise.all([
    compareShard(apk, pairs.slice(0, half)),
    compareShard(apk, pairs.slice(half)),
  ]);
  const results = shards.flat();
  return pairs.map(([a, b], i) =>
    invalid.has(a) || invalid.has(b) ? 'invalid' : (results[i] as Verdict),
  );
}

function invalidVersions(apk: readonly string[], versions: string[]) {
  const unique = [...new Set(versions)];
  const run = spawnSync(
    apk[0]!,
    [...apk.slice(1), 'version', '-c', ...unique],
    {
      encoding: 'utf8',
    },
  );
  return new Set(run.stdout.split('\n').filter((line) => line !== ''));
}

function compareShard(
  apk: readonly string[],
  pairs: readonly Pair[],
): Promise<string[]> {
  const quoted = apk.map((arg) => `'${arg}'`).join(' ');
  const script = [
    'while IFS= read -r a && IFS= read -r b; do',
    `  ${quoted} version -t "$a" "$b"`,
    'done',
  ].join('\n');
  const child = spawn('sh', ['-c', script], { stdio: 'pipe' });
  child.stdin.end(pairs.map(([a, b]) => `${a}\n${b}\n`).join(''));

  let out = '';
  child.stdout
    .setEncoding('utf8')
    .on('data', (chunk: string) => (out += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', () => resolve(out.split('\n').slice(0, pairs.length)));
  });
}

/**
 * Deterministic pairs from real data: each package's versions against
 * their neighbours in sorted order, plus random cross-package pairs from
 * a fixed seed.
 */
function realPairs(): [string, string][] {
  return samplePairs(collectVersions(), { seed: 20240923, crossPairs: 700 });
}

function collectVersions(): VersionsByPackage {
  const byPackage: VersionsByPackage = new Map();
  const add = (pkg: string, version: string): void =>
    addVersion(byPackage, pkg, version);

  for (const release of readdirSync(SECDB)) {
    if (release.startsWith('v')) addSecdb(`${SECDB}/${release}/main.json`, add);
  }
  for (const path of INSTALLED_DBS) addInstalled(path, add);
  return byPackage;
}

type Add = (pkg: string, version: string) => void;

/** `packages[].pkg.secfixes` keys are the fixed versions. */
function addSecdb(path: string, add: Add): void {
  const data = JSON.parse(readFileSync(path, 'utf8')) as {
    packages: { pkg: { name: string; secfixes?: Record<string, unknown> } }[];
  };
  for (const { pkg } of data.packages) {
    for (const version of Object.keys(pkg.secfixes ?? {})) {
      add(pkg.name, version);
    }
  }
}

/** `P:` (name) and `V:` (version) lines of an apk installed database. */
function addInstalled(path: string, add: Add): void {
  let pkg = '';
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.startsWith('P:')) pkg = line.slice(2);
    if (line.startsWith('V:')) add(pkg, line.slice(2));
  }
}
