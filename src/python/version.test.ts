import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

import { isClaroError } from '../errors.js';
import {
  addVersion,
  generatedPairs,
  mismatches,
  referenceReady,
  samplePairs,
  slot,
  verdict,
  type Pair,
  type Verdict,
  type VersionsByPackage,
} from '../versions/testdata/pairs.js';
import {
  formatPep440,
  parsePep440,
  pep440Scheme,
  tryParsePep440,
} from './version.js';

/** OSV's PyPI records (PYSEC), one folder per package. */
const PYPI = '../shared/data/feeds/osv/pypi/vulns';

/**
 * The reference: Debian's python3-packaging (23.0 in Debian 12), which
 * only Debian's own interpreter sees.
 */
const PYTHON = '/usr/bin/python3';

/** PEP 440, "Summary of permitted suffixes and relative ordering". */
const PEP440_ORDER = [
  '1.dev0',
  '1.0.dev456',
  '1.0a1',
  '1.0a2.dev456',
  '1.0a12.dev456',
  '1.0a12',
  '1.0b1.dev456',
  '1.0b2',
  '1.0b2.post345.dev456',
  '1.0b2.post345',
  '1.0rc1.dev456',
  '1.0rc1',
  '1.0',
  '1.0+abc.5',
  '1.0+abc.7',
  '1.0+5',
  '1.0.post456.dev34',
  '1.0.post456',
  '1.0.15',
  '1.1.dev1',
];

/** Real versions (OSV PyPI records, installed metadata) and their order. */
const REAL_CASES: readonly [string, string, Verdict][] = [
  ['2.6.1', '2.7.4', '<'], // Pygments, PYSEC-2021-140's fix
  ['2.22.0', '2.31.0', '<'], // requests, PYSEC-2023-74's fix
  ['2.22.0', '2.3.0', '>'],
  ['3.0.0b7.dev4', '3.0.0b7', '<'],
  ['3.0.0rc10', '3.0.0rc9', '>'],
  ['0.98a1', '0.98', '<'],
  ['0.22.0a0', '0.22.0', '<'],
  ['1.5', '1.5.0', '='],
  ['2012.4', '2013.1', '<'],
  ['1!0.1', '2.0', '>'],
  ['1.0.0-1', '1.0.0.post1', '='],
  ['1.0-alpha.1', '1.0a1', '='],
  ['1.0.RC1', '1.0rc1', '='],
  ['1.0c1', '1.0rc1', '='],
  ['1.0pre', '1.0rc0', '='],
  ['1.0-r4', '1.0.post4', '='],
  ['1.0.dev', '1.0.dev0', '='],
  ['v1.0', '1.0', '='],
  ['1.0+ubuntu-1', '1.0+ubuntu.1', '='],
  ['1.0+1', '1.0+01', '='],
  ['1.0+abc', '1.0+ABC', '='],
  ['1.0+abc', '1.0+1', '<'],
  ['1.0+abc', '1.0+abc.0', '<'],
  ['1.0', '1.0+0', '<'],
  ['1.0a1.post1', '1.0a1', '>'],
  ['1.0a1.post1.dev1', '1.0a1.post1', '<'],
  ['1.0.post1.dev1', '1.0', '>'],
  ['1.0.dev1', '1.0a0', '<'],
  ['00.01', '0.1', '='],
  ['99999999999999999999.1', '99999999999999999999.0', '>'],
  [' 1.0\t', '1.0', '='],
];

const INVALID = [
  '',
  '1.0-',
  '1.0+',
  '1.0+a..b',
  '1.0+a_',
  'abc',
  '1_0',
  '1.0.',
  '.1',
  '1.0a1a2',
  '1.0-dev-post',
  '1.0 1',
  '1!',
  '-1',
  'é1.0',
  '1.0+ſ',
];

describe('pep440Scheme', () => {
  it("orders PEP 440's own example list", () => {
    for (let i = 1; i < PEP440_ORDER.length; i++) {
      const [a, b] = [PEP440_ORDER[i - 1]!, PEP440_ORDER[i]!];
      assert.equal(verdict(pep440Scheme, a, b), '<', `${a} < ${b}`);
      assert.equal(verdict(pep440Scheme, b, a), '>', `${b} > ${a}`);
    }
  });

  it('orders real versions and equal spellings as PEP 440 says', () => {
    const got = REAL_CASES.map(([a, b]) => [a, b, verdict(pep440Scheme, a, b)]);
    assert.deepEqual(got, REAL_CASES);
  });

  it('normalises as PEP 440 does', () => {
    const cases = [
      ['1.0-ALPHA.1', '1.0a1'],
      ['v2!01.02-r3.DEV', '2!1.2.post3.dev0'],
      ['1.0-1', '1.0.post1'],
      ['0!1.0preview_2', '1.0rc2'],
      ['1.0+Ubuntu_1-x', '1.0+ubuntu.1.x'],
    ];
    for (const [version, normal] of cases) {
      assert.equal(formatPep440(parsePep440(version!)), normal);
    }
  });

  it('splits a version into its parts', () => {
    assert.deepEqual(parsePep440('1!2.0b3.post4.dev5+a.06'), {
      epoch: 1n,
      release: [2n, 0n],
      pre: { phase: 'b', number: 3n },
      post: 4n,
      dev: 5n,
      local: ['a', 6n],
    });
  });

  it('rejects invalid versions with INVALID_VERSION naming them', () => {
    for (const version of INVALID) {
      assert.equal(tryParsePep440(version), undefined, version);
      assert.throws(
        () => pep440Scheme.compare(version, '1.0'),
        (err) =>
          isClaroError(err, 'INVALID_VERSION') &&
          err.message.startsWith(`Cannot parse pep440 version "${version}":`),
      );
    }
  });

  it('agrees with packaging on the tables above', (t) => {
    if (!referenceReady(t, packagingProblem(), { requiredOnCi: true })) return;
    const pairs: Pair[] = [
      ...REAL_CASES.map(([a, b]) => [a, b] as const),
      ...PEP440_ORDER.slice(1).map((b, i) => [PEP440_ORDER[i]!, b] as const),
      ...INVALID.map((v) => [v, '1.0'] as const),
    ];
    const reference = runPackaging(pairs);
    assert.deepEqual(
      mismatches(pep440Scheme, pairs, reference.verdicts),
      // Known difference: packaging lets ſ stand for s.
      [{ a: '1.0+ſ', b: '1.0', claro: 'invalid', reference: '>' }],
    );
  });

  it('agrees with packaging on thousands of pairs', (t) => {
    if (!referenceReady(t, packagingProblem(), { requiredOnCi: true })) return;
    const pairs = [...realPairs(), ...generated()];
    assert.ok(pairs.length >= 10000, `only ${pairs.length} pairs`);

    const reference = runPackaging(pairs);
    t.diagnostic(`${pairs.length} pairs checked against packaging`);
    assert.deepEqual(mismatches(pep440Scheme, pairs, reference.verdicts), []);
    const forms = [...reference.normal].filter(
      ([v, normal]) => formatPep440(parsePep440(v)) !== normal,
    );
    assert.deepEqual(forms, []);
  });
});

function packagingProblem(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import packaging.version']);
  if (probe.status === 0) return undefined;
  return (
    `Cannot compare with Python's packaging: ${PYTHON} cannot import it ` +
    '(Debian package python3-packaging)'
  );
}

/**
 * Sends every pair through one Python process as JSON lines; it answers
 * a verdict per pair and the normalised form of each valid version.
 */
function runPackaging(pairs: readonly Pair[]): {
  verdicts: Verdict[];
  normal: Map<string, string>;
} {
  const script = [
    'import json, sys',
    'from packaging.version import InvalidVersion, Version',
    'for line in sys.stdin:',
    '    a, b = json.loads(line)',
    '    try:',
    '        x, y = Version(a), Version(b)',
    '    except InvalidVersion:',
    '        print(json.dumps(["invalid"])); continue',
    '    v = "<" if x < y else ">" if x > y else "="',
    '    print(json.dumps([v, str(x), str(y)]))',
  ].join('\n');
  const input = pairs.map((p) => JSON.stringify(p)).join('\n') + '\n';
  const run = spawnSync(PYTHON, ['-c', script], {
    input,
    encoding: 'utf8',
    maxBuffer: 256 << 20,
  });
  assert.equal(run.status, 0, run.stderr);

  const normal = new Map<string, string>();
  const lines = run.stdout.trim().split('\n');
  const verdicts = lines.map((line, i) => {
    const [v, x, y] = JSON.parse(line) as [Verdict, string?, string?];
    if (x !== undefined) normal.set(pairs[i]![0], x);
    if (y !== undefined) normal.set(pairs[i]![1], y);
    return v;
  });
  return { verdicts, normal };
}

/** Neighbours and random pairs of the versions OSV's PyPI records name. */
function realPairs(): [string, string][] {
  const byPackage: VersionsByPackage = new Map();
  for (const pkg of readdirSync(PYPI)) {
    for (const name of readdirSync(`${PYPI}/${pkg}`)) {
      const text = readFileSync(`${PYPI}/${pkg}/${name}`, 'utf8');
      for (const v of recordVersions(text)) addVersion(byPackage, pkg, v);
    }
  }
  return samplePairs(byPackage, {
    seed: 20240923,
    neighbourRate: 0.15,
    crossPairs: 3000,
  });
}

/**
 * The `versions:` list items and range event values of an OSV YAML
 * record, read line by line (a YAML parser takes seconds on 2,600 files).
 */
function recordVersions(text: string): string[] {
  const versions: string[] = [];
  let inList = false;
  for (const line of text.split('\n')) {
    const event = /^\s+- (?:introduced|fixed|last_affected): (.+)$/.exec(line);
    const item = inList ? /^ {2}- (.+)$/.exec(line) : null;
    const value = event?.[1] ?? item?.[1];
    if (value !== undefined)
      versions.push(value.replace(/^(['"])(.*)\1$/, '$2'));
    if (!item) inList = /^ {2}versions:$/.test(line);
  }
  return versions;
}

/**
 * Versions built from PEP 440's grammar in every spelling the
 * normalisation section allows, with some malformed parts.
 */
function generated(): [string, string][] {
  const slots = [
    slot('||||v|V| ', 'vv|=|\t'),
    slot('||||1!|0!|2!|01!', '!|a!|1!!'),
    slot('1|1.0|1.0.0|0.9|2.1|1.10|01.2|1.2.3.4|10|2012.4', '1.|.1|1..2|'),
    slot(
      '||||a1|a|alpha2|-alpha.2|b0|.beta1|B2|c1|rc1|-RC_1|pre|preview3|rc10',
      'a1b2|-a-|.|alpha-beta',
    ),
    slot('||||.post1|post|-1|_rev2|r3|.post0|-post-1|.POST', '-|.post.|p1'),
    slot('||||.dev0|dev|-dev_3|.DEV1', 'dev-|.dev.1|devel'),
    slot('||||+1|+abc|+abc.5|+ubuntu-1|+0|+ABC_1|+01', '+a..b|+|+a_|+é'),
    slot('', ' |x|_|\n'),
  ];
  return generatedPairs({ seed: 440, count: 8000, slots });
}
