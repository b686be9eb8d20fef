import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import semver from 'semver';

import { isClaroError } from '../errors.js';
import {
  addVersion,
  mismatches,
  samplePairs,
  seededRandom,
  verdict,
  type Pair,
  type Verdict,
  type VersionsByPackage,
} from '../versions/testdata/pairs.js';
import { osvVersions, zipTexts } from '../versions/testdata/osv.js';
import {
  formatGoVersion,
  goScheme,
  isPseudoVersion,
  parseGoVersion,
  tryParseGoVersion,
} from './version.js';

/** The Go vulnerability database as OSV publishes it. */
const GO_VULNDB = '../shared/data/feeds/osv/go/all.zip';

/**
 * golang.org/x/mod/semver's own test list: valid versions in ascending
 * order, each with the canonical form `semver.Canonical` gives (build
 * metadata dropped); versions with the same form compare equal.
 */
const XMOD_ORDER: readonly [string, string][] = [
  ['v1.0.0-alpha', 'v1.0.0-alpha'],
  ['v1.0.0-alpha.1', 'v1.0.0-alpha.1'],
  ['v1.0.0-alpha.beta', 'v1.0.0-alpha.beta'],
  ['v1.0.0-beta', 'v1.0.0-beta'],
  ['v1.0.0-beta.2', 'v1.0.0-beta.2'],
  ['v1.0.0-beta.11', 'v1.0.0-beta.11'],
  ['v1.0.0-rc.1', 'v1.0.0-rc.1'],
  ['v1', 'v1.0.0'],
  ['v1.0', 'v1.0.0'],
  ['v1.0.0', 'v1.0.0'],
  ['v1.2', 'v1.2.0'],
  ['v1.2.0', 'v1.2.0'],
  ['v1.2.3-456', 'v1.2.3-456'],
  ['v1.2.3-456.789', 'v1.2.3-456.789'],
  ['v1.2.3-456-789', 'v1.2.3-456-789'],
  ['v1.2.3-456a', 'v1.2.3-456a'],
  ['v1.2.3-pre', 'v1.2.3-pre'],
  ['v1.2.3-pre+meta', 'v1.2.3-pre'],
  ['v1.2.3-pre.1', 'v1.2.3-pre.1'],
  ['v1.2.3-zzz', 'v1.2.3-zzz'],
  ['v1.2.3', 'v1.2.3'],
  ['v1.2.3+meta', 'v1.2.3'],
  ['v1.2.3+meta-pre', 'v1.2.3'],
  ['v1.2.3+meta-pre.sha.256a', 'v1.2.3'],
];

/** Module versions as go.mod, build information and OSV write them. */
const MODULE_CASES: readonly [string, string, Verdict][] = [
  ['v1.6.0', '1.6.0', '='], // OSV's Go records drop the v
  ['v1.5.0', '1.6.0', '<'], // github.com/gin-gonic/gin, GO-2020-0001
  ['0.0.0-20200622213623-75b288015ac9', 'v0.0.0', '<'], // a pre-release
  [
    'v0.0.0-20190308221718-c2843e01d9a2',
    '0.0.0-20200622213623-75b288015ac9',
    '<',
  ],
  ['v0.0.0-20200622213623-75b288015ac9', 'v0.1.0', '<'],
  ['v1.2.4-0.20191109021931-daa7c04131f5', 'v1.2.3', '>'],
  ['v1.2.4-0.20191109021931-daa7c04131f5', 'v1.2.4', '<'],
  ['v1.2.4-0.20191109021931-daa7c04131f5', 'v1.2.4-0', '>'],
  ['v1.2.3-pre.0.20191109021931-daa7c04131f5', 'v1.2.3-pre', '>'],
  ['v1.2.3-pre.0.20191109021931-daa7c04131f5', 'v1.2.3-pre.1', '<'],
  ['v2.0.0+incompatible', 'v2.0.0', '='],
  ['v3.2.1+incompatible', 'v3.3.0', '<'],
  ['v1.999999999999999999999.0', 'v1.999999999999999999998.0', '>'],
  ['v0', '0.0.0', '='],
];

/** Go toolchain versions, as the `stdlib` package carries them. */
const TOOLCHAIN_CASES: readonly [string, string][] = [
  ['go1.21.0', 'v1.21.0'],
  ['go1.21', 'v1.21.0'],
  ['go1.21rc2', 'v1.21.0-rc.2'],
  ['1.21rc2', 'v1.21.0-rc.2'],
  ['go1.9beta1', 'v1.9.0-beta.1'],
  ['go1.9.2rc2', 'v1.9.2-rc.2'],
  ['go1.9.2-pre1', 'v1.9.2-pre.1'],
  ['go1', 'v1.0.0'],
  ['go1.22.3 X:boringcrypto', 'v1.22.3'],
  ['1.21.0-rc.2', 'v1.21.0-rc.2'],
  ['1.22.3', 'v1.22.3'],
];

/** The Go vulnerability database's stdlib ranges against toolchains. */
const STDLIB_CASES: readonly [string, string, Verdict][] = [
  ['go1.16beta1', '1.16.0-0', '>'], // GO-2021-0067: introduced 1.16.0-0
  ['go1.15.14', '1.16.0-0', '<'],
  ['go1.21rc2', 'go1.21.0', '<'],
  ['go1.20.14', 'go1.21rc1', '<'],
  ['go1.9beta1', 'go1.9rc1', '<'],
  ['go1.21', 'go1.21.0', '='],
  ['go1.22.3', '1.22.4', '<'],
  ['go1.22.3', 'v1.22.3', '='],
];

const INVALID = [
  '',
  'v',
  'bad',
  'v1-pre',
  'v1+meta',
  'v1.2-pre',
  'v1.2+meta',
  'v01.2.3',
  'v1.02.3',
  'v1.2.3-01',
  'v1.2.3-',
  'v1.2.3+',
  'v1.2.3-a..b',
  'V1.2.3',
  ' v1.2.3',
  'go1.0',
  'go1.21.0.1',
  'go1.21alpha1',
  'go1.05',
  'devel go1.23-abc',
];

describe('goScheme', () => {
  it("orders golang.org/x/mod/semver's test list", () => {
    for (const [a, canonicalA] of XMOD_ORDER) {
      for (const [b, canonicalB] of XMOD_ORDER) {
        const want = canonicalA === canonicalB ? '=' : rank(a) < rank(b);
        const got = verdict(goScheme, a, b);
        assert.equal(got, want === '=' ? '=' : want ? '<' : '>', `${a} ${b}`);
      }
    }
  });

  it('gives the canonical form, keeping build metadata', () => {
    for (const [version, canonical] of XMOD_ORDER) {
      const form = formatGoVersion(parseGoVersion(version));
      assert.equal(form.replace(/\+.*/, ''), canonical);
    }
    assert.equal(
      formatGoVersion(parseGoVersion('2.0.0+incompatible')),
      'v2.0.0+incompatible',
    );
  });

  it('orders module and pseudo-versions, ignoring +incompatible', () => {
    const got = MODULE_CASES.map(([a, b]) => [a, b, verdict(goScheme, a, b)]);
    assert.deepEqual(got, MODULE_CASES);
  });

  it('maps Go toolchain versions as golang.org/x/vuln does', () => {
    const got = TOOLCHAIN_CASES.map(([v]) => [
      v,
      formatGoVersion(parseGoVersion(v)),
    ]);
    assert.deepEqual(got, TOOLCHAIN_CASES);
  });

  it('orders toolchain versions against stdlib ranges', () => {
    const got = STDLIB_CASES.map(([a, b]) => [a, b, verdict(goScheme, a, b)]);
    assert.deepEqual(got, STDLIB_CASES);
  });

  it('recognises pseudo-versions', () => {
    const pseudo = [
      'v0.0.0-20191109021931-daa7c04131f5',
      '0.0.0-20200622213623-75b288015ac9',
      'v1.2.4-0.20191109021931-daa7c04131f5',
      'v1.2.3-pre.0.20191109021931-daa7c04131f5',
      'v2.0.0-20191109021931-daa7c04131f5+incompatible',
    ];
    const not = ['v1.2.3', 'v1.2.3-pre', 'v1.2.4-0', 'v1.0.0-20191109021931'];
    for (const v of pseudo) assert.equal(isPseudo(v), true, v);
    for (const v of not) assert.equal(isPseudo(v), false, v);
  });

  it('rejects invalid versions with INVALID_VERSION naming them', () => {
    for (const version of INVALID) {
      assert.equal(tryParseGoVersion(version), undefined, version);
      assert.throws(
        () => goScheme.compare('v1.0.0', version),
        (err) =>
          isClaroError(err, 'INVALID_VERSION') &&
          err.message.startsWith(`Cannot parse go version "${version}":`),
      );
    }
  });

  it('agrees with SemVer precedence on the Go database versions', (t) => {
    const pairs = realPairs();
    assert.ok(pairs.length >= 5000, `only ${pairs.length} pairs`);

    t.diagnostic(`${pairs.length} pairs checked against npm semver`);
    assert.deepEqual(mismatches(goScheme, pairs, npmVerdicts(pairs)), []);
  });
});

function rank(version: string): number {
  return XMOD_ORDER.findIndex(([v]) => v === version);
}

function isPseudo(version: string): boolean {
  return isPseudoVersion(parseGoVersion(version));
}

/**
 * For full `X.Y.Z[-pre][+build]` versions, with or without `v`, x/mod's
 * order is SemVer 2.0.0 precedence, which npm's semver implements too:
 * an independent check of the versions the Go database names.
 */
function npmVerdicts(pairs: readonly Pair[]): Verdict[] {
  return pairs.map(([a, b]) => {
    if (semver.valid(a) === null || semver.valid(b) === null) {
      return 'invalid';
    }
    return (['<', '=', '>'] as const)[semver.compare(a, b) + 1]!;
  });
}

/**
 * Neighbours and random pairs of the versions the Go vulnerability
 * database names (pseudo-versions and stdlib pre-releases among them),
 * half of them written with `v` as modules write them.
 */
function realPairs(): Pair[] {
  const byPackage: VersionsByPackage = new Map();
  for (const text of zipTexts(GO_VULNDB)) {
    for (const { name, version } of osvVersions(text)) {
      addVersion(byPackage, name, version);
    }
  }
  const random = seededRandom(1);
  const spell = (v: string) => (random() < 0.5 ? `v${v}` : v);
  return samplePairs(byPackage, { seed: 20240923, crossPairs: 6000 }).map(
    ([a, b]) => [spell(a), spell(b)] as const,
  );
}
