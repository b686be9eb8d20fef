import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { isClaroError } from '../errors.js';
import { VERSION_SCHEMES, versionScheme } from './registry.js';
import type { VersionScheme } from './scheme.js';

/**
 * Per scheme: real versions it must accept (taken from Debian's tracker
 * and Alpine's secdb) and strings it must reject. Adding a scheme to the
 * registry without samples here fails the contract test.
 */
const SAMPLES: Readonly<
  Record<string, { valid: readonly string[]; invalid: readonly string[] }>
> = {
  dpkg: {
    valid: [
      '2:1.20.11-1+deb11u6',
      '0.2.0-3+deb11u1',
      '1.0~rc1-1',
      '1.0-1',
      '1.0+dfsg-1',
      '1:1.0',
      '7.74.0-1.3+deb11u7',
      '3.0.8-3',
      '1.2-3-4',
      '0',
    ],
    invalid: ['', ' ', '1:', 'a:1', '1.0-', '1 0', '2147483648:1'],
  },
  apk: {
    valid: [
      '2.4.26-r0',
      '1.1.1k-r0',
      '3.0.8-r3',
      '1.2.3_rc1-r0',
      '1.2.3_p2-r1',
      '2024a-r0',
      '0.9.8_git20230101-r0',
      '1.0',
      '1.00',
      '1.0~ab12-r1',
    ],
    invalid: ['', '1.0-1', '1.0_foo', 'abc', '1.0A', '1.0a.1', '1.0~'],
  },
  rpm: {
    valid: [
      '1:0.1.15-2.git2d0b8a3.module_el8.5.0+119+9a9ec082',
      '0:2.28-251.el9_2.1',
      '2.28-251.el9_2.1',
      '3.0.7-18.el9',
      '1.0~rc1-1',
      '1.0^git1-1',
      '1.0',
      '1.0-',
      'a:1',
    ],
    invalid: ['', '1:', '-1', '2:-1'],
  },
  semver: {
    valid: [
      '4.17.15',
      '1.2.5',
      '0.0.0-0',
      '1.0.0-alpha.1',
      '1.0.0-rc.1+build.5',
      '10.0.0-beta.2',
      'v2.3.4',
    ],
    invalid: ['', '1.2', '=1.2.3', '01.2.3', '1.2.3-01', '1.2.3beta', '1'],
  },
  pep440: {
    valid: [
      '2.22.0',
      '2.6.1',
      '1!1.0',
      '1.0a1',
      '1.0.post1',
      '1.0.dev0',
      '0.9.0rc1',
      '1.0+ubuntu.1',
      '2012.4',
    ],
    invalid: ['', '1.0-', 'abc', '1.0+', '1.0+a..b', '1_0', 'é1.0'],
  },
  maven: {
    valid: [
      '31.1-jre',
      '2.17.1',
      '1.0-SNAPSHOT',
      '5.3.0.RELEASE',
      '1.0-alpha-1',
      '2.0.0-M12',
      '3.24.0-GA',
      '1.0.b2',
    ],
    invalid: ['', ' ', '1.0 beta', '1.0\n', 'ü1.0'],
  },
  gem: {
    valid: ['7.0.4', '6.1.7.3', '1.0.0.pre1', '2.0.0.rc2', '1.0-1', '3.2'],
    invalid: ['', ' ', '1..0', '.1', 'a1', '1.0+x', '1.0-'],
  },
  go: {
    valid: [
      'v1.9.1',
      '1.6.0',
      'v0.0.0-20191109021931-daa7c04131f5',
      '0.0.0-20200622213623-75b288015ac9',
      'v2.0.0+incompatible',
      'go1.22.3',
      '1.21rc2',
      '1.21.0-rc.2',
      'v1.2',
    ],
    invalid: ['', 'v', 'v01.2.3', 'v1.2-pre', 'go1.0', 'version', '1.2.3-01'],
  },
};

describe('VERSION_SCHEMES', () => {
  for (const scheme of VERSION_SCHEMES.values()) {
    describe(`scheme ${scheme.id}`, () => checkContract(scheme));
  }

  it('looks schemes up by id and names the known ones otherwise', () => {
    for (const [id, scheme] of VERSION_SCHEMES) {
      assert.equal(versionScheme(id), scheme);
      assert.equal(scheme.id, id);
    }
    assert.throws(
      () => versionScheme('nope'),
      (err) =>
        isClaroError(err, 'INVALID_ARGUMENT') &&
        err.message.includes('dpkg, apk'),
    );
  });
});

function checkContract(scheme: VersionScheme): void {
  const samples = SAMPLES[scheme.id];
  it('has samples in this test', () => assert.ok(samples));
  if (!samples) return;

  it('accepts its valid samples and compares each equal to itself', () => {
    for (const v of samples.valid) {
      assert.equal(scheme.valid(v), true, v);
      assert.equal(scheme.compare(v, v), 0, v);
    }
  });

  it('is antisymmetric over every pair of valid samples', () => {
    for (const a of samples.valid) {
      for (const b of samples.valid) {
        assert.equal(scheme.compare(a, b), -scheme.compare(b, a) || 0, a + b);
      }
    }
  });

  it('is transitive over every triple of valid samples', () => {
    const sorted = [...samples.valid].sort(scheme.compare);
    for (let i = 1; i < sorted.length; i++) {
      for (let j = 0; j < i; j++) {
        assert.notEqual(scheme.compare(sorted[j]!, sorted[i]!), 1);
      }
    }
  });

  it('throws INVALID_VERSION for invalid samples on either side', () => {
    const valid = samples.valid[0]!;
    for (const v of samples.invalid) {
      assert.equal(scheme.valid(v), false, v);
      for (const call of [
        () => scheme.compare(v, valid),
        () => scheme.compare(valid, v),
      ]) {
        assert.throws(call, (err) => isClaroError(err, 'INVALID_VERSION'), v);
      }
    }
  });
}
