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
