import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

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
  formatMavenVersion,
  mavenScheme,
  parseMavenVersion,
  tryParseMavenVersion,
} from './version.js';

/** Real artifact versions; see testdata/README.md. */
const VERSIONS = 'src/maven/testdata/versions.txt';

/**
 * The reference: Maven's `ComparableVersion` from maven-artifact 3.8.7
 * (Debian 12's `maven` package), whose `main` prints each argument's
 * canonical form and compares each with the next.
 */
const ARTIFACT_JAR = '/usr/share/maven/lib/maven-artifact-3.x.jar';
const MAIN = 'org.apache.maven.artifact.versioning.ComparableVersion';

/** Ascending qualifiers, as Maven documents and orders them. */
const QUALIFIER_ORDER = [
  '1-alpha2snapshot',
  '1-alpha2',
  '1-alpha-123',
  '1-beta-2',
  '1-beta123',
  '1-m2',
  '1-m11',
  '1-rc',
  '1-cr2',
  '1-rc123',
  '1-SNAPSHOT',
  '1',
  '1-sp',
  '1-sp2',
  '1-sp123',
  '1-abc',
  '1-def',
  '1-pom-1',
  '1-1-snapshot',
  '1-1',
  '1-2',
  '1-123',
];

/** Ascending numbers and mixed items, as maven-artifact 3.8.7 orders them. */
const NUMBER_ORDER = [
  '2.0',
  '2.0.a',
  '2-1',
  '2.0.2',
  '2.0.123',
  '2.1.0',
  '2.1-a',
  '2.1b',
  '2.1-c',
  '2.1-1',
  '2.1.0.1',
  '2.2',
  '2.123',
  '11.a2',
  '11.a11',
  '11.b2',
  '11.b11',
  '11.m2',
  '11.m11',
  '11',
  '11.a',
  '11b',
  '11c',
  '11m',
];

/** Real versions (see testdata/README.md) and equal spellings. */
const REAL_CASES: readonly [string, string, Verdict][] = [
  ['31.1-jre', '32.0.0-jre', '<'], // guava
  ['31.1-jre', '31.1-android', '>'],
  ['2.0.0-M12', '2.0.0-M19', '<'],
  ['2.0.0-M19', '2.0.0', '<'],
  ['1.0-alpha-10', '1.0-alpha-7', '>'],
  ['1.0-beta-10', '1.0-alpha-30', '>'],
  ['15.2.4.Final', '15.2.4', '='],
  ['3.24.0-GA', '3.24.0', '='],
  ['5.3.0.RELEASE', '5.3.0', '='],
  ['1.0-SNAPSHOT', '1.0', '<'],
  ['1.0.3.Final', '1.0.3.1', '<'],
  ['9.4.54.v20240208', '9.4.54', '>'],
  ['5.13.1.202206130422-r', '6.7.0.202309050840-r', '<'],
  ['1.18.8-jdk5', '1.18.8', '>'],
  ['1.0.b2', '1.0-beta-2', '='],
  ['2.0.a', '2.0.0.a', '='],
  ['1.0-b2', '1.0-beta-2', '='],
  ['1.0.0', '1', '='],
  ['1.0-cr1', '1.0-rc1', '='],
  ['1.0-ga', '1.0-final', '='],
  ['1-0.0', '1', '='],
  ['01.002', '1.2', '='],
  ['1..2', '1.0.2', '='],
  ['12345678901234567890', '12345678901234567889', '>'],
  ['1.0-Alpha-1', '1.0-ALPHA1', '='],
];

const INVALID = ['', ' ', '1.0 beta', '1.0\t', 'ü1.0', '1.0\u00a0', '\x01'];

describe('mavenScheme', () => {
  it('orders qualifiers and numbers as Maven does', () => {
    for (const order of [QUALIFIER_ORDER, NUMBER_ORDER]) {
      for (let i = 1; i < order.length; i++) {
        const [a, b] = [order[i - 1]!, order[i]!];
        assert.equal(verdict(mavenScheme, a, b), '<', `${a} < ${b}`);
        assert.equal(verdict(mavenScheme, b, a), '>', `${b} > ${a}`);
      }
    }
  });

  it('orders real versions and equal spellings as Maven does', () => {
    const got = REAL_CASES.map(([a, b]) => [a, b, verdict(mavenScheme, a, b)]);
    assert.deepEqual(got, REAL_CASES);
  });

  it('derives the canonical form Maven prints', () => {
    const cases = [
      ['1.0-RC1', '1-rc-1'],
      ['1.0.0.Final', '1'],
      ['2.0.0-M12', '2-milestone-12'],
      ['1-1.0-sp-0', '1-1-sp'],
      ['31.1-jre', '31.1-jre'],
    ];
    for (const [version, canonical] of cases) {
      assert.equal(formatMavenVersion(parseMavenVersion(version!)), canonical);
    }
  });

  it('rejects empty, blank and non-ASCII versions with INVALID_VERSION', () => {
    for (const version of INVALID) {
      assert.equal(tryParseMavenVersion(version), undefined, version);
      assert.throws(
        () => mavenScheme.compare('1.0', version),
        (err) =>
          isClaroError(err, 'INVALID_VERSION') &&
          err.message.startsWith(`Cannot parse maven version "${version}":`),
      );
    }
  });

  it('agrees with Maven on the tables above', (t) => {
    if (!referenceReady(t, mavenProblem(), { requiredOnCi: false })) return;
    const pairs: Pair[] = [
      ...REAL_CASES.map(([a, b]) => [a, b] as const),
      ...neighbours(QUALIFIER_ORDER),
      ...neighbours(NUMBER_ORDER),
    ];
    const maven = runMaven(pairs);
    assert.deepEqual(mismatches(mavenScheme, pairs, maven.verdicts), []);
  });

  it('agrees with Maven on thousands of pairs', (t) => {
    if (!referenceReady(t, mavenProblem(), { requiredOnCi: false })) return;
    const pairs = [...realPairs(), ...generated()];
    assert.ok(pairs.length >= 10000, `only ${pairs.length} pairs`);

    t.diagnostic(`${pairs.length} pairs checked against ComparableVersion`);
    const maven = runMaven(pairs);
    assert.deepEqual(mismatches(mavenScheme, pairs, maven.verdicts), []);
    assert.ok(maven.canonical.size > 1000, 'canonical forms read');
    const forms = [...maven.canonical].filter(
      ([v, canonical]) =>
        formatMavenVersion(parseMavenVersion(v)) !== canonical,
    );
    assert.deepEqual(forms, []);
  });
});

function neighbours(order: readonly string[]): Pair[] {
  return order.slice(1).map((b, i) => [order[i]!, b] as const);
}

/**
 * Maven is not part of CI's setup (a Java runtime is a large install),
 * so a missing one skips these checks, naming what is missing.
 */
function mavenProblem(): string | undefined {
  const missing = 'Cannot compare with Maven ComparableVersion';
  if (!existsSync(ARTIFACT_JAR)) {
    return `${missing}: ${ARTIFACT_JAR} is missing (Debian package maven)`;
  }
  const probe = spawnSync('java', ['-version']);
  if (probe.status !== 0) return `${missing}: java is not installed`;
  return undefined;
}

/** What Maven answered: a verdict per pair, canonical forms. */
interface MavenAnswers {
  readonly verdicts: Verdict[];
  readonly canonical: Map<string, string>;
}

/**
 * Passes the pairs as one argument list `a1 b1 a2 b2 …` (in chunks) and
 * reads the lines `N. a1 -> canonical; tokens: …` and `   a1 < b1`;
 * every other comparison line compares a pair. Maven has no invalid
 * versions, so every pair must be one claro accepts too.
 */
function runMaven(pairs: readonly Pair[]): MavenAnswers {
  for (const [a, b] of pairs) {
    assert.ok(mavenScheme.valid(a) && mavenScheme.valid(b), `${a} ${b}`);
  }
  const answers: MavenAnswers = { verdicts: [], canonical: new Map() };
  for (let i = 0; i < pairs.length; i += 4000) {
    runMavenChunk(pairs.slice(i, i + 4000), answers);
  }
  return answers;
}

function runMavenChunk(pairs: readonly Pair[], answers: MavenAnswers): void {
  const args = ['-cp', ARTIFACT_JAR, MAIN, ...pairs.flat()];
  const run = spawnSync('java', args, {
    encoding: 'utf8',
    maxBuffer: 256 << 20,
  });
  assert.equal(run.status, 0, run.stderr);

  const symbols: Record<string, Verdict> = { '<': '<', '==': '=', '>': '>' };
  const comparisons: Verdict[] = [];
  for (const line of run.stdout.split('\n')) {
    const parsed = /^[0-9]+\. (\S*) -> (\S*); tokens: /.exec(line);
    if (parsed) answers.canonical.set(parsed[1]!, parsed[2]!);
    const compared = /^ {3}\S* (<|==|>) \S*$/.exec(line);
    if (compared) comparisons.push(symbols[compared[1]!]!);
  }
  answers.verdicts.push(...pairs.map((_, i) => comparisons[2 * i]!));
}

/** Neighbours and random pairs of real artifact versions. */
function realPairs(): [string, string][] {
  const byPackage: VersionsByPackage = new Map();
  for (const line of readFileSync(VERSIONS, 'utf8').split('\n')) {
    const [artifact, version] = line.split(' ');
    if (artifact && version) addVersion(byPackage, artifact, version);
  }
  return samplePairs(byPackage, { seed: 20240923, crossPairs: 4000 });
}

/** Versions built from Maven's items, separators and qualifiers. */
function generated(): [string, string][] {
  const slots = [
    slot('1|1.0|1.0.0|2.0|1.2.3|0|10|1.10|2.1.0.1|1.0.00', '01|1234567890'),
    slot(
      '|||||-alpha|-alpha-1|-alpha1|-a1|-beta-2|-b2|.beta|-milestone-1|-m1|' +
        '-M2|-rc|-rc1|-RC2|-cr|-cr1|.CR1|-snapshot|-SNAPSHOT|-ga|-GA|' +
        '.final|.Final|-release|.RELEASE|-sp|-sp1|-jre|-android|-abc|' +
        '-def|.v20140518|-1|-0|.a|b|c|m|a|-pom',
      '-|.|--|..|_|+1|~1|-a-|.0-|-0.0|12345678901234567890',
    ),
    slot('||||.1|-1|.0|-0|-SNAPSHOT|1|a|-jdk5|.202206130422-r', '-|.|_x'),
    slot('', '-1|.1|-a|.a'),
  ];
  return generatedPairs({ seed: 3800, count: 8000, slots, oddRate: 0.15 });
}
