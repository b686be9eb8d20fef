import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isClaroError } from '../errors.js';
import { versionScheme } from '../versions/registry.js';
import {
  affectsVersion,
  fixedVersionFor,
  isAffected,
  type AffectedVersions,
} from './affected.js';
import { fileRecord, rangesOf, zipRecord } from './testdata/osv.js';
import type { AffectedRange, Vulnerability } from './types.js';

/** `true`/`false`, or `invalid` for an INVALID_VERSION error. */
type Answer = boolean | 'invalid';

function answer(
  version: string,
  record: AffectedVersions,
  scheme: string,
): Answer {
  try {
    return isAffected(version, record, versionScheme(scheme));
  } catch (err) {
    if (isClaroError(err, 'INVALID_VERSION')) return 'invalid';
    throw err;
  }
}

function record(
  found: { ranges?: AffectedRange[]; versions?: string[] },
  fixedInVersion = '',
): AffectedVersions {
  return { ...found, fixedInVersion };
}

interface Case {
  readonly title: string;
  readonly record: () => AffectedVersions;
  readonly scheme: string;
  readonly answers: readonly (readonly [string, Answer])[];
}

const PYGMENTS = 'pypi/vulns/pygments/PYSEC-2021-140.yaml';
const PY = 'pypi/vulns/py/PYSEC-2022-42969.yaml';
const MINIMIST =
  'npm/advisories/github-reviewed/2022/03/GHSA-xvch-5gv4-984h/' +
  'GHSA-xvch-5gv4-984h.json';

const CASES: readonly Case[] = [
  {
    title: 'PYSEC-2021-140 (pygments, introduced 1.5, fixed 2.7.4, versions)',
    record: () => record(rangesOf(fileRecord(PYGMENTS), 'pygments')),
    scheme: 'pep440',
    answers: [
      ['1.4', false],
      ['1.5', true],
      ['1.6rc1', true],
      ['2.6.1', true],
      ['2.7.3', true],
      ['2.7.4', false],
      ['2.19.1', false],
      ['2.6.1-foo!', 'invalid'],
    ],
  },
  {
    title: 'PYSEC-2021-140 by its versions list alone',
    record: () =>
      record({ versions: rangesOf(fileRecord(PYGMENTS), 'pygments').versions }),
    scheme: 'pep440',
    answers: [
      ['2.6.1', true],
      ['2.0', true],
      ['2.0.0', true], // PEP 440 equality: 2.0 == 2.0.0
      ['2.5.0', false], // never released, not listed
      ['2.7.4', false],
      ['2.6.1-foo!', 'invalid'],
    ],
  },
  {
    title: 'PYSEC-2022-42969 (py, introduced 0, last_affected 1.11.0)',
    record: () => record(rangesOf(fileRecord(PY), 'py')),
    scheme: 'pep440',
    answers: [
      ['0.8.0-alpha2', true],
      ['0.1', true],
      ['1.11.0', true],
      ['1.11.0.post1', false],
      ['1.11.1', false],
    ],
  },
  {
    title: 'GHSA-xvch-5gv4-984h (minimist, two entries: <0.2.4, 1.0.0-1.2.6)',
    record: () => record(rangesOf(fileRecord(MINIMIST), 'minimist')),
    scheme: 'semver',
    answers: [
      ['0.0.1', true],
      ['0.2.3', true],
      ['0.2.4', false],
      ['0.2.4-beta.1', true],
      ['0.3.0', false],
      ['1.0.0', true],
      ['1.2.5', true],
      ['1.2.6', false],
      ['v1.2.5', true], // npm's strict mode allows one leading v
      ['1.2', 'invalid'],
    ],
  },
  {
    title: 'GO-2024-2687 (stdlib: 0 to 1.21.9, 1.22.0-0 to 1.22.2)',
    record: () => record(rangesOf(zipRecord('go', 'GO-2024-2687'), 'stdlib')),
    scheme: 'go',
    answers: [
      ['go1.12', true],
      ['go1.21.8', true],
      ['go1.21.9', false],
      ['go1.21.12', false],
      ['go1.22rc1', true],
      ['go1.22.0', true],
      ['go1.22.1 X:boringcrypto', true],
      ['go1.22.2', false],
      ['go1.23.0', false],
      ['devel go1.23-abcdef', 'invalid'],
    ],
  },
  {
    title: 'GO-2020-0009 (go-jose, 0 to a pseudo-version)',
    record: () =>
      record(
        rangesOf(zipRecord('go', 'GO-2020-0009'), 'github.com/square/go-jose'),
      ),
    scheme: 'go',
    answers: [
      // Below v0.0.0: only `introduced: "0"` read as "before all" holds it.
      ['v0.0.0-20160101000000-abcdefabcdef', true],
      ['v0.0.0-20160903044734-789a4c4bd4c1', false],
      ['v0.0.0-20170101000000-abcdefabcdef', false],
      ['v1.1.2', false],
      ['(devel)', 'invalid'],
    ],
  },
  {
    title: 'ALSA-2022:6224 (openssl-libs, AlmaLinux 9, fixed 1:3.0.1-41.el9_0)',
    record: () =>
      record(
        rangesOf(zipRecord('almalinux', 'ALSA-2022:6224'), 'openssl-libs'),
      ),
    scheme: 'rpm',
    answers: [
      ['1:3.0.1-40.el9', true],
      ['1:3.0.1-41.el9_0', false],
      ['1:3.0.7-24.el9', false],
      ['3.0.7-24.el9', true], // epoch 0 sorts below epoch 1
    ],
  },
  {
    title: 'events out of order (GO-2024-2687 reversed)',
    record: () => {
      const { ranges } = rangesOf(zipRecord('go', 'GO-2024-2687'), 'stdlib');
      return record({
        ranges: ranges.map((r) => ({ events: [...r.events].reverse() })),
      });
    },
    scheme: 'go',
    answers: [
      ['go1.21.8', true],
      ['go1.21.9', false],
      ['go1.22.1', true],
      ['go1.22.2', false],
    ],
  },
  {
    title: 'limit events: below one of them, or "*" for no bound',
    record: () =>
      record({
        ranges: [
          { events: [{ introduced: '1.0.0' }, { limit: '1.5.0' }] },
          { events: [{ introduced: '3.0.0' }, { limit: '*' }] },
          {
            events: [
              { introduced: '0.5.0' },
              { fixed: '0.7.0' },
              { limit: '0.6.0' },
            ],
          },
        ],
      }),
    scheme: 'semver',
    answers: [
      ['0.4.0', false],
      ['0.5.9', true],
      ['0.6.0', false],
      ['0.9.0', false],
      ['1.0.0', true],
      ['1.4.9', true],
      ['1.5.0', false],
      ['2.0.0', false],
      ['3.0.0', true],
      ['99.0.0', true],
    ],
  },
  {
    title: 'only an introduced "0": every version, even one not parsed',
    record: () => record({ ranges: [{ events: [{ introduced: '0' }] }] }),
    scheme: 'semver',
    answers: [
      ['0.0.0-alpha', true],
      ['1.2.3', true],
      ['not a version', true],
    ],
  },
  {
    title: 'an introduced event above every fixed event',
    record: () =>
      record({
        ranges: [
          {
            events: [
              { introduced: '0' },
              { fixed: '1.0.0' },
              { introduced: '2.0.0' },
            ],
          },
        ],
      }),
    scheme: 'semver',
    answers: [
      ['0.5.0', true],
      ['1.0.0', false],
      ['1.9.9', false],
      ['2.0.0', true],
      ['3.0.0', true],
    ],
  },
  {
    title: 'no ranges and no versions: keyed on the fix',
    record: () => record({}, '1:3.0.1-41.el9_0'),
    scheme: 'rpm',
    answers: [
      ['1:3.0.1-40.el9', true],
      ['1:3.0.1-41.el9_0', false],
    ],
  },
  {
    title: 'no ranges, no versions and no fix: every version',
    record: () => record({}),
    scheme: 'rpm',
    answers: [['1:3.0.7-24.el9', true]],
  },
  {
    title: 'empty ranges and versions: no version',
    record: () => record({ ranges: [], versions: [] }, '1.0.0'),
    scheme: 'semver',
    answers: [['0.1.0', false]],
  },
];

describe('isAffected', () => {
  for (const c of CASES) {
    it(`answers ${c.title}`, () => {
      const r = c.record();
      const got = c.answers.map(([v]) => [v, answer(v, r, c.scheme)]);
      assert.deepEqual(got, c.answers);
    });
  }

  it('names the version it cannot parse', () => {
    const r = record({ ranges: [{ events: [{ introduced: '1.0.0' }] }] });
    assert.throws(
      () => isAffected('1.0', r, versionScheme('semver')),
      (err) =>
        isClaroError(err, 'INVALID_VERSION') && err.message.includes('"1.0"'),
    );
  });

  it('reports a record event the scheme rejects', () => {
    const r = record({ ranges: [{ events: [{ introduced: 'x.y' }] }] });
    assert.equal(answer('1.0.0', r, 'semver'), 'invalid');
  });
});

describe('affectsVersion', () => {
  const base: Vulnerability = {
    updater: 'osv-npm',
    name: 'GHSA-xvch-5gv4-984h',
    description: '',
    issued: '',
    links: '',
    severity: '',
    normalizedSeverity: 'Unknown',
    packageName: 'minimist',
    packageKind: 'binary',
    distribution: { did: '', versionId: '' },
    fixedInVersion: '1.2.6',
    scheme: 'semver',
    ecosystem: 'npm',
    ranges: [{ events: [{ introduced: '1.0.0' }, { fixed: '1.2.6' }] }],
  };

  it('compares by the scheme the record names', () => {
    assert.equal(affectsVersion('1.2.5', base), true);
    assert.equal(affectsVersion('1.2.6', base), false);
  });

  it('cannot decide by a scheme claro does not know', () => {
    assert.throws(
      () => affectsVersion('1.2.5', { ...base, scheme: 'nuget' }),
      (err) =>
        isClaroError(err, 'INVALID_VERSION') &&
        err.message ===
          'Cannot compare "1.2.5": record GHSA-xvch-5gv4-984h uses an ' +
            'unknown version scheme "nuget"',
    );
  });
});

describe('fixedVersionFor', () => {
  function stored(
    found: { ranges?: AffectedRange[]; versions?: string[] },
    scheme: string,
    fixedInVersion: string,
  ): Vulnerability {
    return {
      updater: 'osv-test',
      name: 'TEST-1',
      description: '',
      issued: '',
      links: '',
      severity: '',
      normalizedSeverity: 'Unknown',
      packageName: 'p',
      packageKind: 'binary',
      distribution: { did: '', versionId: '' },
      fixedInVersion,
      scheme,
      ...found,
    };
  }

  it('gives the fix of the span holding the version (GO-2024-2687)', () => {
    const go = zipRecord('go', 'GO-2024-2687');
    const v = stored(rangesOf(go, 'stdlib'), 'go', '1.21.9');
    const got = ['go1.21.0', 'go1.22.0', 'go1.22.1'].map((x) =>
      fixedVersionFor(x, v),
    );
    assert.deepEqual(got, ['1.21.9', '1.22.2', '1.22.2']);
  });

  it('gives the fix of the entry holding the version (minimist)', () => {
    const v = stored(
      rangesOf(fileRecord(MINIMIST), 'minimist'),
      'semver',
      '1.2.6',
    );
    assert.deepEqual(
      ['0.2.3', '1.2.5'].map((x) => fixedVersionFor(x, v)),
      ['0.2.4', '1.2.6'],
    );
  });

  it('gives no fix for a span ending at last_affected', () => {
    const v = stored(rangesOf(fileRecord(PY), 'py'), 'pep440', '');
    assert.equal(fixedVersionFor('1.10.0', v), '');
  });

  it("keeps the record's fix without ranges or with odd versions", () => {
    const v = stored({}, 'rpm', '1:3.0.1-41.el9_0');
    assert.equal(fixedVersionFor('1:3.0.1-40.el9', v), '1:3.0.1-41.el9_0');
    const odd = stored(
      { ranges: [{ events: [{ introduced: '0' }, { fixed: '1.0.0' }] }] },
      'semver',
      '1.0.0',
    );
    assert.equal(fixedVersionFor('not a version', odd), '1.0.0');
  });
});
