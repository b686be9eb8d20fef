import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { CLAIR_ZERO_TIME, clairIndexReport, clairTime } from './clair.js';

describe('clairTime', () => {
  const cases: readonly [string, string][] = [
    ['', CLAIR_ZERO_TIME],
    ['not a date', CLAIR_ZERO_TIME],
    ['2008-02-22', '2008-02-22T00:00:00Z'],
    ['2024-05-01T10:20:30Z', '2024-05-01T10:20:30Z'],
    ['2024-05-01T10:20:30.250Z', '2024-05-01T10:20:30.250Z'],
    ['2024-05-01T12:20:30+02:00', '2024-05-01T10:20:30Z'],
  ];
  for (const [given, want] of cases) {
    it(`writes ${JSON.stringify(given)} as RFC 3339 ${want}`, () => {
      assert.equal(clairTime(given), want);
    });
  }
});

describe('clairIndexReport', () => {
  it('writes an RPM package module stream, and empty when it has none', () => {
    const base = {
      name: 'nodejs',
      version: '1:10.21.0-3.module_el8.2.0+391+8da3adc6',
      kind: 'binary' as const,
      packageDb: 'var/lib/rpm/Packages',
      scheme: 'rpm',
    };
    const empty = { packages: {}, environments: {} };
    const json = clairIndexReport({
      manifestHash: 'sha256:00',
      state: 'IndexFinished',
      packages: {
        '1': { ...base, id: '1', module: 'nodejs:10' },
        '2': { ...base, id: '2' },
      },
      environments: {},
      distributions: {},
      lowerLayersOnly: empty,
      layers: [],
      notices: [],
      success: true,
      err: '',
    });
    const packages = json['packages'] as Record<string, { module: string }>;
    assert.equal(packages['1']?.module, 'nodejs:10');
    assert.equal(packages['2']?.module, '');
  });
});
