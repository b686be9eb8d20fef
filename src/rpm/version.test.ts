import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { inflateRawSync } from 'node:zlib';

import { isClaroError } from '../errors.js';
import { compareVersions } from '../versions/compare-command.js';
import { haveRpm, rpmQueryAll } from './testdata/rpm-tool.js';
import {
  compareRpmVersions,
  parseRpmVersion,
  rpmScheme,
  rpmvercmp,
  tryParseRpmVersion,
} from './version.js';

const FEEDS = '../shared/data/feeds/osv';
const ALMALINUX_ZIP = `${FEEDS}/almalinux/all.zip`;
const ROCKY_SAMPLES = `${FEEDS}/rocky-samples`;
const FIXTURES = '../shared/fixtures';

/** Databases Debian's rpm 4.18 reads (Berkeley DB hash and SQLite). */
const RPM_DBS: readonly [string, string][] = [
  [`${FIXTURES}/rpmdb-go-rpmdb/rhel8-libuuid/Packages`, 'Packages'],
  [`${FIXTURES}/rpmdb-go-rpmdb/cbl-mariner-2.0/rpmdb.sqlite`, 'rpmdb.sqlite'],
  [
    `${FIXTURES}/rpmdb-openshift-preflight/bdb/var/lib/rpm/Packages`,
    'Packages',
  ],
  [
    `${FIXTURES}/rpmdb-openshift-preflight/sqlite/var/lib/rpm/rpmdb.sqlite`,
    'rpmdb.sqlite',
  ],
  [`${FIXTURES}/syft-rpm/Packages-bdb-dive-0.9.2`, 'Packages'],
];

type Verdict = '<' | '=' | '>' | 'invalid';

/** Expected results, each checked against Debian's rpm 4.18 as well. */
const EDGE_CASES: readonly [string, string, Verdict][] = [
  ['1.0', '1.0', '='],
  ['1.0', '2.0', '<'],
  ['2.0.1', '2.0', '>'],
  ['1.0a', '1.0', '>'],
  ['1.0a', '1.0b', '<'],
  ['1.0', '1.0.0', '<'],
  ['1.01', '1.1', '='],
  ['1.001', '1.1', '='],
  ['10', '9', '>'],
  ['99999999999999999999', '99999999999999999998', '>'],
  ['1.0', '1_0', '='],
  ['1.0', '1..0', '='],
  ['a', '1', '<'],
  ['A', 'a', '<'],
  ['1.0~rc1', '1.0', '<'],
  ['1.0~rc1', '1.0~rc2', '<'],
  ['1.0~~', '1.0~', '<'],
  ['1.0~', '1.0', '<'],
  ['1.0~rc1', '1.0~rc1^git1', '<'],
  ['1.0^', '1.0', '>'],
  ['1.0^git1', '1.0', '>'],
  ['1.0^git1', '1.0.1', '<'],
  ['1.0^git1', '1.0^git2', '<'],
  ['1.0^git1~pre', '1.0^git1', '<'],
  ['1.0^', '1.0~', '>'],
  ['1.0^a', '1.0a', '<'],
  ['1.0+git', '1.0', '>'],
  ['fc30', 'fc4', '>'],
  ['1.0', '1.0-1', '<'],
  ['1.0-1', '1.0-1.el9', '<'],
  ['1.0-1.el9', '1.0-1.el9_1', '<'],
  ['1.0-1.el9_1', '1.0-1.el9.1', '='],
  ['0:1.0-1', '1.0-1', '='],
  ['1:1.0-1', '2.0-1', '>'],
  [':1.0', '1.0', '='],
  ['0001:1.0', '1:1.0', '='],
  ['1.0-', '1.0', '>'],
  ['1.0-', '1.0-0', '<'],
  ['a:1.0', '1.0', '<'],
  ['1.0-1-2', '1.0-1', '>'],
  ['1.é', '1.z', '<'],
  ['é1', '1', '='],
  [
    '2.4.37-43.module+el8.5.0+13806+b30d9eec',
    '2.4.37-43.module+el8.5.0+13806+b30d9eec.1',
    '<',
  ],
  ['1:', '1', 'invalid'],
  ['-1', '1', 'invalid'],
  ['2:-1', '1', 'invalid'],
  ['', '1', 'invalid'],
];

/** An empty string or version part, which claro rejects (see version.ts). */
const EMPTY_VERSION_PART = /^(\d*:)?(-[^-]*)?$/;

describe('rpmScheme', () => {
  it("orders hand-picked edge cases as rpm's rules say", () => {
    const got = EDGE_CASES.map(([a, b]) => [a, b, verdict(a, b)]);
    assert.deepEqual(got, EDGE_CASES);
  });

  it('agrees with rpm.vercmp on the edge cases', (t) => {
    if (!haveRpm(t)) return;
    const pairs = EDGE_CASES.map(([a, b]) => [a, b] as const);
    const got = runRpm(pairs);
    EDGE_CASES.forEach(([a, b, expected], i) => {
      if (expected !== 'invalid') assert.equal(got[i], expected, `${a} ${b}`);
    });
  });

  it('splits epoch, version and release at the last hyphen', () => {
    assert.deepEqual(parseRpmVersion('2:1.2-3-4.el9'), {
      epoch: '2',
      version: '1.2-3',
      release: '4.el9',
    });
    assert.deepEqual(parseRpmVersion('1.0'), { epoch: '0', version: '1.0' });
    assert.deepEqual(parseRpmVersion('007:1.0-'), {
      epoch: '7',
      version: '1.0',
      release: '',
    });
    assert.deepEqual(parseRpmVersion('a:1-2'), {
      epoch: '0',
      version: 'a:1',
      release: '2',
    });
    assert.equal(tryParseRpmVersion('1:'), undefined);
  });

  it('sorts a missing release before any release, even an empty one', () => {
    const bare = parseRpmVersion('1.0');
    assert.equal(compareRpmVersions(bare, parseRpmVersion('1.0-')), -1);
    assert.equal(compareRpmVersions(parseRpmVersion('1.0-~'), bare), 1);
  });

  it('compares one part with rpmvercmp', () => {
    assert.equal(rpmvercmp('1.0~rc1', '1.0'), -1);
    assert.equal(rpmvercmp('1.0^1', '1.0'), 1);
    assert.equal(rpmvercmp('el9_1', 'el9.1'), 0);
    assert.equal(rpmvercmp('', ''), 0);
    assert.equal(rpmvercmp('', '.'), 0);
    assert.equal(rpmvercmp('', '~'), 1);
  });

  it('rejects the empty string and empty version parts', () => {
    for (const v of ['', '1:', '-1', ':-1', '2:-']) {
      assert.equal(rpmScheme.valid(v), false, v);
      assert.throws(
        () => rpmScheme.compare(v, '1.0'),
        (err) => isClaroError(err, 'INVALID_VERSION'),
      );
    }
  });

  it('backs claro versions compare --scheme rpm', async () => {
    const input = Readable.from(['1.0~rc1 1.0\n1:1.0 2.0\n1.0^ 1.0\n1: 1\n']);
    const output = new PassThrough().setEncoding('utf8');
    const summary = await compareVersions('rpm', input, output);
    assert.equal(output.read(), '<\n>\n>\ninvalid\n');
    assert.deepEqual(summary, { invalid: 1, lines: 4 });
  });

  it('agrees with rpm.vercmp on thousands of generated pairs', (t) => {
    if (!haveRpm(t)) return;
    const pairs = generatedPairs(6000, 20250501);
    assertAgrees(pairs, runRpm(pairs));
  });

  it('agrees with rpm.vercmp on thousands of real version pairs', (t) => {
    if (!haveRpm(t)) return;
    const pairs = realPairs(collectVersions());
    assert.ok(pairs.length >= 5000, `only ${pairs.length} pairs`);
    assertAgrees(pairs, runRpm(pairs));
  });
});

function verdict(a: string, b: string): Verdict {
  try {
    return (['<', '=', '>'] as const)[rpmScheme.compare(a, b) + 1] ?? '=';
  } catch (err) {
    if (isClaroError(err, 'INVALID_VERSION')) return 'invalid';
    throw err;
  }
}

/**
 * Every pair gets rpm's verdict, except those claro rejects on purpose:
 * those must hold an empty string or version part.
 */
function assertAgrees(
  pairs: readonly (readonly [string, string])[],
  expected: readonly Verdict[],
): void {
  const mismatches = pairs
    .map(([a, b], i) => ({ a, b, claro: verdict(a, b), rpm: expected[i] }))
    .filter((m) => m.claro !== m.rpm)
    .filter(
      (m) =>
        m.claro !== 'invalid' ||
        !(EMPTY_VERSION_PART.test(m.a) || EMPTY_VERSION_PART.test(m.b)),
    );
  assert.deepEqual(mismatches.slice(0, 20), []);
}

let workDir: string | undefined;
after(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

function scratch(): string {
  workDir ??= mkdtempSync(join(tmpdir(), 'claro-rpm-version-'));
  return workDir;
}

/**
 * Compares every pair with `rpm.vercmp` in one Lua chunk: the pairs go
 * through a file, one `A<TAB>B` a line, so no quoting is needed; an
 * error (rpm rejects the empty string) reads as `invalid`.
 */
function runRpm(pairs: readonly (readonly [string, string])[]): Verdict[] {
  const dir = scratch();
  const input = join(dir, 'pairs.txt');
  const script = join(dir, 'compare.lua');
  writeFileSync(input, pairs.map(([a, b]) => `${a}\t${b}\n`).join(''));
  writeFileSync(
    script,
    [
      'local out = {}',
      `for line in io.lines(${JSON.stringify(input)}) do`,
      "  local a, b = line:match('^(.-)\\t(.*)$')",
      '  local ok, r = pcall(rpm.vercmp, a, b)',
      "  out[#out + 1] = ok and tostring(r) or 'invalid'",
      'end',
      "print(table.concat(out, '\\n'))",
    ].join('\n'),
  );
  const run = spawnSync(
    'rpm',
    ['--eval', `%{lua: dofile(${JSON.stringify(script)})}`],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  assert.equal(run.status, 0, run.stderr);

  const symbols: Record<string, Verdict> = { '-1': '<', '0': '=', '1': '>' };
  const lines = run.stdout.split('\n').slice(0, pairs.length);
  return lines.map((line) => symbols[line] ?? 'invalid');
}

/**
 * Pieces that exercise each rule: numbers with leading zeros and beyond
 * 2^64, letters of both cases, every separator kind, `~`, `^`, epochs,
 * release hyphens and a non-ASCII letter.
 */
const PIECES = [
  '0', '1', '2', '9', '10', '01', '007', '0010', '18446744073709551617',
  'a', 'b', 'z', 'A', 'Z', 'rc', 'el', 'git', 'alpha', 'fc',
  '.', '.', '.', '_', '+', '-', '-', ':', '~', '~', '^', '^', '%', 'é',
] as const; // prettier-ignore

/**
 * Pairs of random strings from {@link PIECES}, the second usually a small
 * edit of the first (one piece changed, added or dropped), so that most
 * pairs agree up to a late point, where the rules differ.
 */
function generatedPairs(count: number, seed: number): [string, string][] {
  const random = seededRandom(seed);
  const pick = () => PIECES[Math.floor(random() * PIECES.length)] ?? '';
  const pairs: [string, string][] = [];
  while (pairs.length < count) {
    const a = Array.from({ length: 1 + Math.floor(random() * 7) }, pick);
    const b = random() < 0.2 ? [pick(), pick(), pick()] : [...a];
    const at = Math.floor(random() * (b.length + 1));
    const edit = random();
    if (edit < 0.4) b.splice(at, 1, pick());
    else if (edit < 0.7) b.splice(at, 0, pick());
    else b.splice(at, 1);
    pairs.push([a.join(''), b.join('')]);
  }
  return pairs;
}

/**
 * Real versions by package: the fixed versions of AlmaLinux's OSV
 * records and of the Rocky samples (`epoch:version-release`), and the
 * packages of the fixture databases as rpm lists them.
 */
function collectVersions(): Map<string, Set<string>> {
  const byPackage = new Map<string, Set<string>>();
  const add = (name: string, version: string) => {
    const set = byPackage.get(name) ?? new Set<string>();
    byPackage.set(name, set.add(version));
  };

  for (const json of zipEntries(ALMALINUX_ZIP)) addOsvVersions(json, add);
  for (const file of readdirSync(ROCKY_SAMPLES)) {
    addOsvVersions(readFileSync(join(ROCKY_SAMPLES, file), 'utf8'), add);
  }
  for (const [db, dbName] of RPM_DBS) {
    for (const row of rpmQueryAll(db, dbName)) {
      const epoch = row.epoch === '(none)' ? '' : `${row.epoch}:`;
      add(row.name, `${epoch}${row.version}-${row.release}`);
    }
  }
  return byPackage;
}

function addOsvVersions(
  json: string,
  add: (name: string, version: string) => void,
): void {
  const record = JSON.parse(json) as {
    affected?: {
      package?: { name?: string };
      ranges?: { events?: Record<string, string>[] }[];
    }[];
  };
  for (const affected of record.affected ?? []) {
    const name = affected.package?.name ?? '';
    for (const range of affected.ranges ?? []) {
      for (const event of range.events ?? []) {
        const fixed = event['fixed'];
        if (fixed !== undefined) add(name, fixed);
      }
    }
  }
}

/**
 * Deterministic pairs: each package's versions against their neighbours
 * in sorted order, each version against itself without its epoch and
 * without its release, and random cross-package pairs.
 */
function realPairs(byPackage: Map<string, Set<string>>): [string, string][] {
  const random = seededRandom(20240923);
  const all = [...new Set([...byPackage.values()].flatMap((s) => [...s]))];
  const pairs: [string, string][] = [];
  for (const versions of byPackage.values()) {
    const sorted = [...versions].sort();
    for (let i = 1; i < sorted.length; i++) {
      pairs.push([sorted[i - 1]!, sorted[i]!]);
    }
  }
  for (const v of all) {
    pairs.push([v, v.replace(/^\d+:/, '')]);
    pairs.push([v, v.replace(/-[^-]*$/, '')]);
  }
  for (let i = 0; i < 3000; i++) {
    const a = all[Math.floor(random() * all.length)] ?? '';
    const b = all[Math.floor(random() * all.length)] ?? '';
    pairs.push([a, b]);
  }
  return pairs;
}

/**
 * The text of every entry of a zip archive written without data
 * descriptors (as OSV's `all.zip` is), read from the local headers
 * (APPNOTE.TXT 4.3.7): stored (0) or deflated (8) entries.
 */
function zipEntries(path: string): string[] {
  const zip = readFileSync(path);
  const texts: string[] = [];
  let at = 0;
  while (zip.readUInt32LE(at) === 0x04034b50) {
    const method = zip.readUInt16LE(at + 8);
    const size = zip.readUInt32LE(at + 18);
    const start =
      at + 30 + zip.readUInt16LE(at + 26) + zip.readUInt16LE(at + 28);
    const data = zip.subarray(start, start + size);
    texts.push((method === 8 ? inflateRawSync(data) : data).toString('utf8'));
    at = start + size;
  }
  return texts;
}

function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
