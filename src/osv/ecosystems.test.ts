import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { versionScheme } from '../versions/registry.js';
import {
  LANGUAGE_RELEASE,
  OSV_ECOSYSTEMS,
  releaseOf,
  updaterName,
  type OsvEcosystem,
} from './ecosystems.js';

function ecosystem(osvName: string): OsvEcosystem {
  const eco = OSV_ECOSYSTEMS.find((e) => e.osvName === osvName);
  assert.ok(eco, osvName);
  return eco;
}

describe('OSV_ECOSYSTEMS', () => {
  it('names each updater after its mirror folder', () => {
    assert.deepEqual(OSV_ECOSYSTEMS.map(updaterName), [
      'osv-pypi',
      'osv-npm',
      'osv-go',
      'osv-crates.io',
      'osv-maven',
      'osv-rubygems',
      'osv-almalinux',
      'osv-rocky',
    ]);
  });

  it('uses registered version schemes only', () => {
    for (const eco of OSV_ECOSYSTEMS) {
      assert.equal(versionScheme(eco.scheme).id, eco.scheme);
    }
  });

  it('normalises names as each package manager compares them', () => {
    const cases: [string, string, string][] = [
      ['PyPI', 'Foo_Bar.baz', 'foo-bar-baz'],
      ['PyPI', 'Pygments', 'pygments'],
      ['npm', '@Scope/Name', '@Scope/Name'],
      ['Go', 'golang.org/x/net', 'golang.org/x/net'],
      ['Maven', 'org.apache:commons-text', 'org.apache:commons-text'],
    ];
    for (const [osvName, name, want] of cases) {
      assert.equal(ecosystem(osvName).normalizeName(name), want);
    }
  });
});

describe('releaseOf', () => {
  it('keys language records on the empty release, by exact name', () => {
    const pypi = ecosystem('PyPI');
    assert.equal(releaseOf(pypi, 'PyPI'), LANGUAGE_RELEASE);
    for (const other of ['pypi', 'PyPI:3', 'npm', '']) {
      assert.equal(releaseOf(pypi, other), undefined, other);
    }
  });

  it('keys distribution records on the major release', () => {
    const alma = ecosystem('AlmaLinux');
    const rocky = ecosystem('Rocky Linux');
    const cases: [OsvEcosystem, string, string | undefined][] = [
      [alma, 'AlmaLinux:9', '9'],
      [alma, 'AlmaLinux:10', '10'],
      [alma, 'AlmaLinux:8.6', '8'],
      [alma, 'AlmaLinux', undefined],
      [alma, 'AlmaLinux:', undefined],
      [alma, 'AlmaLinux:nine', undefined],
      [alma, 'Rocky Linux:9', undefined],
      [rocky, 'Rocky Linux:9', '9'],
    ];
    for (const [eco, name, major] of cases) {
      const release = releaseOf(eco, name);
      const want =
        major === undefined ? undefined : { did: eco.did, versionId: major };
      assert.deepEqual(release, want, name);
    }
  });
});
