import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

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
  gemScheme,
  isGemPrerelease,
  parseGemVersion,
  tryParseGemVersion,
} from './version.js';

/**
 * Real versions published on RubyGems.org, by gem. No RubyGems feed is in
 * the offline mirror, so these are listed here.
 */
const REAL_VERSIONS: Readonly<Record<string, readonly string[]>> = {
  rails: [
    '4.2.11.3',
    '5.2.8.1',
    '6.0.0.beta1',
    '6.0.0.rc1',
    '6.0.0',
    '6.1.7.3',
    '6.1.7.7',
    '7.0.0.alpha2',
    '7.0.0.rc1',
    '7.0.0',
    '7.0.8.1',
    '7.1.0.beta1',
    '7.1.0.rc1',
    '7.1.0.rc2',
    '7.1.0',
  ],
  nokogiri: ['1.13.10', '1.14.0.rc1', '1.15.5', '1.16.0.rc1', '1.16.0'],
  rack: ['2.2.8.1', '3.0.0.beta1', '3.0.0.rc1', '3.0.0', '3.0.9.1'],
  rubygems: ['3.3.15', '3.5.0.dev', '3.5.0'],
  bundler: ['2.4.22', '2.5.0.dev', '2.5.0'],
  json: ['2.6.1', '2.7.0', '2.7.0.rc1'],
};

/** Ordering rules of `Gem::Version`, on real and documented versions. */
const CASES: readonly [string, string, Verdict][] = [
  ['7.0.0.rc1', '7.0.0', '<'], // rails
  ['7.1.0.beta1', '7.1.0.rc1', '<'],
  ['7.1.0.rc2', '7.1.0.rc1', '>'],
  ['7.0.8.1', '7.0.8', '>'],
  ['3.5.0.dev', '3.5.0', '<'], // rubygems
  ['1.16.0.rc1', '1.15.5', '>'], // nokogiri
  ['1.0.a.2', '1.0.b1', '<'],
  ['1.0.b1', '1.0', '<'],
  ['1.0.a', '1.0.0', '<'],
  ['1.0', '1.0.0', '='],
  ['1.0.a', '1.0.a.0', '='],
  ['1.0a', '1.0.a', '='],
  ['1.0-1', '1.0.pre.1', '='],
  ['1.0-pre', '1.0', '<'],
  ['1.0.a10', '1.0.a9', '>'],
  ['1.0.0.A', '1.0.0.a', '<'],
  ['1.01', '1.1', '='],
  ['007', '7', '='],
  ['1.0.b', '1.0.beta', '<'],
  ['1.0.rc1', '1.0.rc', '>'],
  ['2.0.0.rc1', '2.0.0.b2', '>'],
  ['99999999999999999999.1', '99999999999999999999', '>'],
  [' 1.0\n', '1.0', '='],
];

const INVALID = ['', ' ', '.1', 'a1', '1..0', '1.0.', '1.0-', '1.0+x', '1 0'];

describe('gemScheme', () => {
  it('orders versions as Gem::Version does', () => {
    const got = CASES.map(([a, b]) => [a, b, verdict(gemScheme, a, b)]);
    assert.deepEqual(got, CASES);
  });

  it('splits segments and calls versions with letters prereleases', () => {
    const v = parseGemVersion('1.0-rc2');
    assert.deepEqual(v.segments, [
      { kind: 'number', digits: '1' },
      { kind: 'number', digits: '0' },
      { kind: 'letters', text: 'pre' },
      { kind: 'letters', text: 'rc' },
      { kind: 'number', digits: '2' },
    ]);
    assert.equal(isGemPrerelease(v), true);
    assert.equal(isGemPrerelease(parseGemVersion('7.0.8.1')), false);
  });

  it('rejects invalid versions with INVALID_VERSION naming them', () => {
    for (const version of INVALID) {
      assert.equal(tryParseGemVersion(version), undefined, version);
      assert.throws(
        () => gemScheme.compare('1.0', version),
        (err) =>
          isClaroError(err, 'INVALID_VERSION') &&
          err.message.startsWith(`Cannot parse gem version "${version}":`),
      );
    }
  });

  it('agrees with RubyGems on the tables above', (t) => {
    if (!referenceReady(t, rubyProblem(), { requiredOnCi: true })) return;
    const pairs: Pair[] = [
      ...CASES.map(([a, b]) => [a, b] as const),
      ...INVALID.map((v) => [v, '1.0'] as const),
    ];
    const ruby = runRuby(pairs);
    // Decision: RubyGems reads a blank version as 0; claro rejects it.
    assert.deepEqual(mismatches(gemScheme, pairs, ruby.verdicts), [
      { a: '', b: '1.0', claro: 'invalid', reference: '<' },
      { a: ' ', b: '1.0', claro: 'invalid', reference: '<' },
    ]);
  });

  it('agrees with RubyGems on thousands of pairs', (t) => {
    if (!referenceReady(t, rubyProblem(), { requiredOnCi: true })) return;
    const pairs = [...realPairs(), ...generated()];
    assert.ok(pairs.length >= 10000, `only ${pairs.length} pairs`);

    const ruby = runRuby(pairs);
    t.diagnostic(`${pairs.length} pairs checked against Gem::Version`);
    assert.deepEqual(mismatches(gemScheme, pairs, ruby.verdicts), []);
    const labels = [...ruby.prerelease].filter(
      ([v, pre]) => isGemPrerelease(parseGemVersion(v)) !== pre,
    );
    assert.deepEqual(labels, []);
  });
});

function rubyProblem(): string | undefined {
  const probe = spawnSync('ruby', ['-e', 'Gem::Version.new("1")']);
  if (probe.status === 0) return undefined;
  return (
    'Cannot compare with RubyGems: ruby is not installed ' +
    '(Debian package ruby)'
  );
}

/**
 * Sends every pair through one Ruby process as JSON lines; it answers a
 * verdict per pair and whether each valid version is a prerelease.
 */
function runRuby(pairs: readonly Pair[]): {
  verdicts: Verdict[];
  prerelease: Map<string, boolean>;
} {
  const script = [
    'require "json"',
    '$stdin.each_line do |line|',
    '  a, b = JSON.parse(line)',
    '  unless Gem::Version.correct?(a) && Gem::Version.correct?(b)',
    '    puts \'["invalid"]\'; next',
    '  end',
    '  x, y = Gem::Version.new(a), Gem::Version.new(b)',
    '  v = %w[< = >][(x <=> y) + 1]',
    '  puts JSON.generate([v, x.prerelease?, y.prerelease?])',
    'end',
  ].join('\n');
  const input = pairs.map((p) => JSON.stringify(p)).join('\n') + '\n';
  const run = spawnSync('ruby', ['-e', script], {
    input,
    encoding: 'utf8',
    maxBuffer: 256 << 20,
  });
  assert.equal(run.status, 0, run.stderr);

  const prerelease = new Map<string, boolean>();
  const lines = run.stdout.trim().split('\n');
  const verdicts = lines.map((line, i) => {
    const [v, x, y] = JSON.parse(line) as [Verdict, boolean?, boolean?];
    if (x !== undefined) prerelease.set(pairs[i]![0], x);
    if (y !== undefined) prerelease.set(pairs[i]![1], y);
    return v;
  });
  return { verdicts, prerelease };
}

function realPairs(): [string, string][] {
  const byPackage: VersionsByPackage = new Map();
  for (const [gem, versions] of Object.entries(REAL_VERSIONS)) {
    for (const v of versions) addVersion(byPackage, gem, v);
  }
  return samplePairs(byPackage, { seed: 20240923, crossPairs: 600 });
}

/** Versions built from Gem::Version's pattern, with malformed parts. */
function generated(): [string, string][] {
  const slots = [
    slot('||||| |\n', '\t|\v'),
    slot('0|1|2|10|007|1|1', 'a|.|-'),
    slot('||.0|.1|.2.3|.0.0|.10|.01|.0.1', '..|.|.-|._'),
    slot(
      '||||.a|.b|.pre|.rc1|.beta2|a|b1|.alpha.1|.pre.1|-1|-pre|-beta.2|' +
        '.A|.Z|.dev|-rc-1|.a.0|.0.a',
      '-|.-|_1|+1|-a..b',
    ),
    slot('||||.0|.1|1|.a|-x|.0.0|0', ' x|~|.é'),
  ];
  return generatedPairs({ seed: 1500, count: 10000, slots, oddRate: 0.06 });
}
