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

function lang(
  ecosystem: string,
  scheme: string,
  name: string,
  version: string,
): PackageRecord {
  return { ...pkg(scheme, name, version), ecosystem };
}

const SIX_OWNER = {
  name: 'python3-six',
  listedIn: 'var/lib/dpkg/info/python3-six.list',
};

describe('DEFAULT_MATCHERS', () => {
  it('has unique names', () => {
    assert.deepEqual(
      DEFAULT_MATCHERS.map((m) => m.name),
      [
        'debian',
        'alpine',
        'almalinux',
        'rocky',
        'pypi',
        'npm',
        'go',
        'crates.io',
        'maven',
        'rubygems',
      ],
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
    [
      pkg('rpm', 'openssl-libs', '1:3.0.7-24.el9'),
      dist('almalinux', '9'),
      ['almalinux'],
    ],
    [
      pkg('rpm', 'openssl-libs', '1:3.0.7-24.el9'),
      dist('rocky', '9'),
      ['rocky'],
    ],
    [pkg('rpm', 'openssl-libs', '1:3.0.7-24.el9'), dist('rhel', '9'), []],
    [lang('PyPI', 'pep440', 'pygments', '2.6.1'), undefined, ['pypi']],
    [
      lang('PyPI', 'pep440', 'pygments', '2.6.1'),
      dist('debian', '12'),
      ['pypi'],
    ],
    [
      { ...lang('PyPI', 'pep440', 'six', '1.16.0'), ownedBy: SIX_OWNER },
      dist('debian', '12'),
      [],
    ],
    [
      lang('npm', 'semver', 'lodash', '4.17.15'),
      dist('alpine', '3.20'),
      ['npm'],
    ],
    [lang('Go', 'go', 'stdlib', 'go1.22.3'), undefined, ['go']],
    [
      lang('crates.io', 'semver', 'smallvec', '1.6.0'),
      undefined,
      ['crates.io'],
    ],
    [
      lang('Maven', 'maven', 'org.apache.logging.log4j:log4j-core', '2.14.1'),
      undefined,
      ['maven'],
    ],
    [lang('RubyGems', 'gem', 'rack', '2.2.3'), undefined, ['rubygems']],
    [lang('NuGet', 'nuget', 'Newtonsoft.Json', '12.0.1'), undefined, []],
    [
      lang('PyPI', 'rpm', 'python3-six', '1.16.0-1.el9'),
      dist('almalinux', '9'),
      ['pypi'],
    ],
  ];
  for (const [p, d, expected] of cases) {
    const what = p.ecosystem ?? p.scheme;
    const owned = p.ownedBy ? ' (owned)' : '';
    it(`gives ${what} ${p.name}${owned} in ${d?.did ?? 'no distribution'} to [${expected}]`, () => {
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

  it('queries language records by ecosystem updater and normalised name', () => {
    const byName = new Map(DEFAULT_MATCHERS.map((m) => [m.name, m]));
    const q = (name: string, p: PackageRecord, d = dist('debian', '12')) =>
      byName.get(name)!.query(p, d);
    const noDist = { did: '', versionId: '' };
    assert.deepEqual(q('pypi', lang('PyPI', 'pep440', 'Zope.Interface', '5')), {
      updaters: ['osv-pypi'],
      distribution: noDist,
      packageName: 'zope-interface',
    });
    assert.deepEqual(q('npm', lang('npm', 'semver', '@babel/core', '7.0.0')), {
      updaters: ['osv-npm'],
      distribution: noDist,
      packageName: '@babel/core',
    });
    assert.deepEqual(q('go', lang('Go', 'go', 'stdlib', 'go1.22.3')), {
      updaters: ['osv-go'],
      distribution: noDist,
      packageName: 'stdlib',
    });
    assert.deepEqual(
      q('almalinux', pkg('rpm', 'openssl-libs', '1:3.0.7-24.el9'), {
        ...dist('almalinux', '9'),
        version: '9.3 (Shamrock Pampas Cat)',
      }),
      {
        updaters: ['osv-almalinux'],
        distribution: { did: 'almalinux', versionId: '9' },
        packageName: 'openssl-libs',
      },
    );
    assert.deepEqual(
      q('rocky', pkg('rpm', 'ruby', '3.0.4-160.el9_0'), dist('rocky', '9')),
      {
        updaters: ['osv-rocky'],
        distribution: { did: 'rocky', versionId: '9' },
        packageName: 'ruby',
      },
    );
  });
});
