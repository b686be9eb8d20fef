import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import type { DistributionRecord, PackageRecord } from '../indexer/types.js';
import { DEFAULT_MATCHERS } from './registry.js';

function dist(did: string, versionId: string): DistributionRecord {
  return {
    did,
    name: did,
    versionId,
    version: versionId,
    versionCodeName: '',
    prettyName: did,
  };
}

function pkg(scheme: string, name: string, version: string): PackageRecord {
  return { name, version, kind: 'binary', packageDb: '', scheme };
}

describe('DEFAULT_MATCHERS', () => {
  it('has unique names', () => {
    assert.deepEqual(
      DEFAULT_MATCHERS.map((m) => m.name),
      ['debian', 'alpine'],
    );
  });

  const cases: readonly [
    PackageRecord,
    DistributionRecord | undefined,
    string[],
  ][] = [
    [
      pkg('dpkg', 'libssl3', '3.0.11-1~deb12u2'),
      dist('debian', '12'),
      ['debian'],
    ],
    [pkg('apk', 'musl', '1.2.5-r0'), dist('alpine', '3.20'), ['alpine']],
    [pkg('dpkg', 'libssl3', '3.0.2-0ubuntu1'), dist('ubuntu', '22.04'), []],
    [pkg('apk', 'musl', '1.2.5-r0'), dist('debian', '12'), []],
    [pkg('dpkg', 'libssl3', '3.0.11-1~deb12u2'), undefined, []],
  ];
  for (const [p, d, expected] of cases) {
    it(`gives ${p.scheme} ${p.name} in ${d?.did ?? 'no distribution'} to [${expected}]`, () => {
      const names = DEFAULT_MATCHERS.filter((m) => m.accepts(p, d)).map(
        (m) => m.name,
      );
      assert.deepEqual(names, expected);
    });
  }

  it('queries only the updaters of its own family', () => {
    const debian = DEFAULT_MATCHERS.find((m) => m.name === 'debian')!;
    const alpine = DEFAULT_MATCHERS.find((m) => m.name === 'alpine')!;
    assert.deepEqual(
      debian.query(pkg('dpkg', 'zlib1g', '1:1.2.13'), dist('debian', '12'))
        .updaters,
      ['debian-'],
    );
    assert.deepEqual(
      alpine.query(pkg('apk', 'zlib', '1.3.1-r1'), dist('alpine', '3.20'))
        .updaters,
      ['alpine-'],
    );
  });
});
