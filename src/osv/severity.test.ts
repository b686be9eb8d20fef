import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import type { OsvAffected, OsvRecord } from './record.js';
import {
  cvssBand,
  cvssScore,
  recordSeverity,
  wordSeverity,
} from './severity.js';

const V31_CRITICAL = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';
const V30_CRITICAL = 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';
/** lodash's GHSA-35jh-r3h4-6jhm. */
const V31_HIGH = 'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H';
const V40_HIGH =
  'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N';
const V40_CRITICAL =
  'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N';
const V31_NONE = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N';

describe('cvssScore', () => {
  it('scores v3.0, v3.1 and v4.0 vectors', () => {
    const cases: [string, number][] = [
      [V31_CRITICAL, 9.8],
      [V30_CRITICAL, 9.8],
      [V31_HIGH, 7.2],
      ['CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:H/I:N/A:N', 6.8],
      [V40_HIGH, 8.7],
      [V40_CRITICAL, 9.3],
      [V31_NONE, 0],
    ];
    for (const [vector, score] of cases) {
      assert.equal(cvssScore(vector), score, vector);
    }
  });

  it('gives v3 vectors their base score, temporal metrics aside', () => {
    assert.equal(cvssScore(`${V31_CRITICAL}/E:U/RL:O/RC:U`), 9.8);
  });

  it('scores v4 vectors with the threat metrics they state', () => {
    assert.equal(cvssScore(`${V40_CRITICAL}/E:U`), 8.1);
  });

  it('refuses vectors it cannot score', () => {
    const bad = [
      'CVSS:3.1/AV:N',
      'CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      `${V31_CRITICAL}/XX:Y`,
      'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H',
      'CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P',
      'AV:N/AC:L/Au:N/C:P/I:P/A:P',
      'CVSS:3.2/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      '',
      'garbage',
    ];
    for (const vector of bad) assert.equal(cvssScore(vector), undefined);
  });
});

describe('cvssBand', () => {
  it("uses the specification's rating bounds, 0.0 as Negligible", () => {
    const cases: [number, string][] = [
      [0, 'Negligible'],
      [0.1, 'Low'],
      [3.9, 'Low'],
      [4, 'Medium'],
      [6.9, 'Medium'],
      [7, 'High'],
      [8.9, 'High'],
      [9, 'Critical'],
      [10, 'Critical'],
    ];
    for (const [score, band] of cases) assert.equal(cvssBand(score), band);
  });
});

describe('wordSeverity', () => {
  it('maps the words of GitHub, Red Hat, Ubuntu and Debian', () => {
    const cases: [string, string][] = [
      ['CRITICAL', 'Critical'],
      ['HIGH', 'High'],
      ['Important', 'High'],
      ['MODERATE', 'Medium'],
      ['medium', 'Medium'],
      ['LOW', 'Low'],
      ['negligible', 'Negligible'],
      ['unimportant', 'Negligible'],
      ['severe', 'Unknown'],
    ];
    for (const [word, band] of cases) {
      assert.deepEqual(wordSeverity([word]), {
        severity: word,
        normalizedSeverity: band,
      });
    }
  });

  it('takes the first non-empty string', () => {
    assert.deepEqual(wordSeverity([undefined, 3, ' ', 'LOW', 'HIGH']), {
      severity: 'LOW',
      normalizedSeverity: 'Low',
    });
    assert.equal(wordSeverity([undefined, null, {}]), undefined);
  });
});

describe('recordSeverity', () => {
  const record = (fields: Partial<OsvRecord>): OsvRecord => ({
    id: 'X-1',
    modified: '2024-01-01T00:00:00Z',
    ...fields,
  });
  const entry = (fields: Partial<OsvAffected> = {}): OsvAffected => fields;
  const language = { distribution: false };

  it('prefers a v4 vector to a v3 one, whatever the order', () => {
    const r = record({
      severity: [
        { type: 'CVSS_V3', score: V31_HIGH },
        { type: 'CVSS_V4', score: V40_CRITICAL },
      ],
    });
    assert.deepEqual(recordSeverity(r, entry(), language), {
      severity: V40_CRITICAL,
      normalizedSeverity: 'Critical',
    });
  });

  it("prefers the affected entry's vector to the record's", () => {
    const r = record({ severity: [{ type: 'CVSS_V3', score: V31_CRITICAL }] });
    const e = entry({ severity: [{ type: 'CVSS_V3', score: V31_HIGH }] });
    assert.equal(recordSeverity(r, e, language).severity, V31_HIGH);
  });

  it('skips a vector it cannot score for the next source', () => {
    const r = record({
      severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N' }],
      database_specific: { severity: 'MODERATE' },
    });
    assert.deepEqual(recordSeverity(r, entry(), language), {
      severity: 'MODERATE',
      normalizedSeverity: 'Medium',
    });
  });

  it('reads the severity words of the affected entry', () => {
    const e = entry({ ecosystem_specific: { severity: 'high' } });
    assert.deepEqual(recordSeverity(record({}), e, language), {
      severity: 'high',
      normalizedSeverity: 'High',
    });
  });

  it('reads the rating of a distribution advisory summary', () => {
    const r = record({ summary: 'Important: grafana-pcp security update' });
    assert.deepEqual(recordSeverity(r, entry(), { distribution: true }), {
      severity: 'Important',
      normalizedSeverity: 'High',
    });
    assert.deepEqual(recordSeverity(r, entry(), language), {
      severity: '',
      normalizedSeverity: 'Unknown',
    });
  });
});
