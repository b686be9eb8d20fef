import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import type { Vulnerability } from '../vuln/types.js';
import {
  convertRange,
  convertRecord,
  CVE_RECORD_URL,
  emptyTally,
  type OsvTally,
} from './convert.js';
import { OSV_ECOSYSTEMS, type OsvEcosystem } from './ecosystems.js';
import type { OsvAffected, OsvRecord } from './record.js';

function ecosystem(folder: string): OsvEcosystem {
  const eco = OSV_ECOSYSTEMS.find((e) => e.folder === folder);
  assert.ok(eco, folder);
  return eco;
}

const PYPI = ecosystem('pypi');
const ALMA = ecosystem('almalinux');

function record(fields: Partial<OsvRecord>): OsvRecord {
  return { id: 'PYSEC-2099-1', modified: '2099-01-01T00:00:00Z', ...fields };
}

function entry(
  name: string,
  fields: Partial<OsvAffected> = {},
  osvEcosystem = 'PyPI',
): OsvAffected {
  return {
    package: { ecosystem: osvEcosystem, name },
    ranges: [
      { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.0' }] },
    ],
    ...fields,
  };
}

function convert(
  r: OsvRecord,
  eco: OsvEcosystem = PYPI,
): { out: Vulnerability[]; tally: OsvTally } {
  const tally = emptyTally();
  return { out: convertRecord(r, eco, tally), tally };
}

describe('convertRange', () => {
  it('keeps the four event kinds in the order given', () => {
    const range = convertRange({
      type: 'SEMVER',
      events: [
        { introduced: '0' },
        { fixed: '1.2.0' },
        { introduced: '1.5.0' },
        { last_affected: '1.5.3' },
        { introduced: '2.0.0' },
        { limit: '3.0.0' },
      ],
    });
    assert.deepEqual(range, {
      events: [
        { introduced: '0' },
        { fixed: '1.2.0' },
        { introduced: '1.5.0' },
        { lastAffected: '1.5.3' },
        { introduced: '2.0.0' },
        { limit: '3.0.0' },
      ],
    });
  });

  it('refuses GIT and unknown types, malformed events, no introduced', () => {
    const bad = [
      { type: 'GIT', events: [{ introduced: '0' }, { fixed: 'abc123' }] },
      { type: 'OTHER', events: [{ introduced: '0' }] },
      { type: 'ECOSYSTEM', events: [{ introduced: '0', fixed: '1.0' }] },
      { type: 'ECOSYSTEM', events: [{ introduced: '0' }, {}] },
      { type: 'ECOSYSTEM', events: [{ fixed: '1.0' }] },
      { type: 'ECOSYSTEM', events: [] },
    ];
    for (const r of bad) assert.equal(convertRange(r), undefined);
  });
});

describe('convertRecord', () => {
  it('writes one language record per package, name normalised', () => {
    const r = record({
      summary: 'A summary',
      details: 'The details',
      published: '2021-03-23T17:15:00Z',
      aliases: ['CVE-2021-1', 'GHSA-aaaa-bbbb-cccc'],
      references: [{ type: 'WEB', url: 'https://example.org/a' }],
      affected: [
        entry('Foo_Bar.baz', { versions: ['1.0', '1.1'] }),
        entry('other'),
      ],
    });
    const { out, tally } = convert(r);
    const expected: Vulnerability = {
      updater: 'osv-pypi',
      name: 'PYSEC-2099-1',
      description: 'The details',
      issued: '2021-03-23T17:15:00Z',
      links: `https://example.org/a ${CVE_RECORD_URL}CVE-2021-1`,
      severity: '',
      normalizedSeverity: 'Unknown',
      packageName: 'foo-bar-baz',
      packageKind: 'binary',
      distribution: { did: '', versionId: '' },
      fixedInVersion: '2.0',
      scheme: 'pep440',
      ecosystem: 'PyPI',
      ranges: [{ events: [{ introduced: '0' }, { fixed: '2.0' }] }],
      versions: ['1.0', '1.1'],
    };
    const { versions: listed, ...unlisted } = expected;
    assert.deepEqual(listed, ['1.0', '1.1']);
    assert.deepEqual(out, [expected, { ...unlisted, packageName: 'other' }]);
    assert.equal(tally.converted, 1);
  });

  it('merges the entries of one package and release', () => {
    const range = (fixed: string) => ({
      type: 'ECOSYSTEM',
      events: [{ introduced: '0' }, { fixed }],
    });
    const r = record({
      id: 'ALSA-2099:1',
      summary: 'Moderate: container-tools security update',
      related: ['CVE-2099-1'],
      affected: [
        entry(
          'podman',
          { ranges: [range('2:4.0-1.module_el8.5')] },
          'AlmaLinux:8',
        ),
        entry(
          'podman',
          { ranges: [range('2:4.0-1.module_el8.4')] },
          'AlmaLinux:8',
        ),
        entry('podman', { ranges: [range('2:4.1-1.el9')] }, 'AlmaLinux:9'),
      ],
    });
    const { out } = convert(r, ALMA);
    assert.deepEqual(
      out.map((v) => [v.distribution, v.fixedInVersion, v.ranges?.length]),
      [
        [{ did: 'almalinux', versionId: '8' }, '2:4.0-1.module_el8.5', 2],
        [{ did: 'almalinux', versionId: '9' }, '2:4.1-1.el9', 1],
      ],
    );
    const [first] = out;
    assert.equal(first?.ecosystem, undefined);
    assert.equal(first?.scheme, 'rpm');
    assert.equal(first?.severity, 'Moderate');
    assert.equal(first?.normalizedSeverity, 'Medium');
    assert.equal(first?.links, `${CVE_RECORD_URL}CVE-2099-1`);
  });

  it('joins the versions of merged entries once each', () => {
    const r = record({
      affected: [
        entry('x', { ranges: [], versions: ['1.0', '1.1'] }),
        entry('X', { ranges: [], versions: ['1.1', '1.2'] }),
      ],
    });
    const [v] = convert(r).out;
    assert.deepEqual(v?.versions, ['1.0', '1.1', '1.2']);
    assert.equal(v?.ranges, undefined);
    assert.equal(v?.fixedInVersion, '');
  });

  it('takes the first fixed event of any range for display', () => {
    const r = record({
      affected: [
        entry('x', {
          ranges: [
            { type: 'ECOSYSTEM', events: [{ introduced: '1.0' }] },
            {
              type: 'ECOSYSTEM',
              events: [{ introduced: '0' }, { fixed: '0.9' }],
            },
          ],
        }),
      ],
    });
    assert.equal(convert(r).out[0]?.fixedInVersion, '0.9');
  });

  it('counts GIT ranges and keeps the record by its other ranges', () => {
    const r = record({
      affected: [
        entry('x', {
          ranges: [
            { type: 'GIT', repo: 'https://x', events: [{ introduced: '0' }] },
            { type: 'ECOSYSTEM', events: [{ introduced: '1.0' }] },
            { type: 'ECOSYSTEM', events: [{ fixed: '1.0' }] },
          ],
        }),
      ],
    });
    const { out, tally } = convert(r);
    assert.deepEqual(out[0]?.ranges, [{ events: [{ introduced: '1.0' }] }]);
    assert.equal(tally.gitRanges, 1);
    assert.equal(tally.badRanges, 1);
  });

  it('skips and counts a record without usable ranges or versions', () => {
    const r = record({
      affected: [
        entry('x', {
          ranges: [{ type: 'GIT', events: [{ introduced: '0' }] }],
          versions: [],
        }),
      ],
    });
    const { out, tally } = convert(r);
    assert.deepEqual(out, []);
    assert.deepEqual(tally, { ...emptyTally(), unusable: 1, gitRanges: 1 });
  });

  it('skips withdrawn records', () => {
    const r = record({
      withdrawn: '2024-01-01T00:00:00Z',
      affected: [entry('x')],
    });
    const { out, tally } = convert(r);
    assert.deepEqual(out, []);
    assert.deepEqual(tally, { ...emptyTally(), withdrawn: 1 });
  });

  it('skips bug fix and enhancement advisories of distributions', () => {
    for (const id of ['ALBA-2019:0973', 'ALEA-2021:1907', 'RLBA-2022:1']) {
      const r = record({ id, affected: [entry('x', {}, 'AlmaLinux:8')] });
      const { out, tally } = convert(r, ALMA);
      assert.deepEqual(out, []);
      assert.deepEqual(tally, { ...emptyTally(), notSecurity: 1 });
    }
  });

  it('leaves entries of other ecosystems and releases without a major', () => {
    const r = record({
      affected: [
        entry('x', {}, 'npm'),
        entry('x', {}, 'PyPI:extra'),
        entry('x', {}, 'AlmaLinux'),
        { ranges: [] },
      ],
    });
    const { out, tally } = convert(r);
    assert.deepEqual(out, []);
    assert.deepEqual(tally, { ...emptyTally(), otherEcosystem: 1 });
    assert.deepEqual(convert(r, ALMA).out, []);
  });

  it('writes no issued date for the zero time', () => {
    const r = record({
      published: '0001-01-01T00:00:00Z',
      affected: [entry('x')],
    });
    assert.equal(convert(r).out[0]?.issued, '');
  });

  it('lists each link once, without text that is not a URL', () => {
    const r = record({
      aliases: ['CVE-2021-1', 'CVE-2021-1'],
      related: ['CVE-2021-2'],
      references: [
        { type: 'WEB', url: 'https://a' },
        { type: 'WEB', url: 'https://a' },
        { type: 'WEB', url: '' },
        { type: 'WEB', url: 'https://b c' },
      ],
      affected: [entry('x')],
    });
    assert.equal(
      convert(r).out[0]?.links,
      `https://a ${CVE_RECORD_URL}CVE-2021-1`,
    );
  });
});
