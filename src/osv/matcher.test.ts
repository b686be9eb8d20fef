import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { almalinuxMatcher } from '../almalinux/matcher.js';
import { isClaroError } from '../errors.js';
import type { DistributionRecord, PackageRecord } from '../indexer/types.js';
import { DEFAULT_MATCHERS } from '../matcher/registry.js';
import { rockyMatcher } from '../rocky/matcher.js';
import {
  fileRecord,
  rangesOf,
  zipRecord,
  type OsvRecord,
} from '../vuln/testdata/osv.js';
import type { Vulnerability } from '../vuln/types.js';
import { LANGUAGE_RELEASE } from './ecosystems.js';

const byName = new Map(DEFAULT_MATCHERS.map((m) => [m.name, m]));
const pypi = byName.get('pypi')!;
const go = byName.get('go')!;
const npm = byName.get('npm')!;

/** A stored record as the OSV updater keys it, for one package. */
function vuln(
  updater: string,
  rec: OsvRecord,
  pkg: string,
  scheme: string,
  distribution = LANGUAGE_RELEASE,
): Vulnerability {
  return {
    updater,
    name: rec.id,
    description: '',
    issued: '',
    links: '',
    severity: '',
    normalizedSeverity: 'Unknown',
    packageName: pkg,
    packageKind: 'binary',
    distribution,
    fixedInVersion: '',
    scheme,
    ...rangesOf(rec, pkg),
  };
}

function lang(
  ecosystem: string,
  scheme: string,
  name: string,
  version: string,
): PackageRecord {
  return { name, version, kind: 'binary', packageDb: '', scheme, ecosystem };
}

function rpm(name: string, version: string): PackageRecord {
  return { name, version, kind: 'binary', packageDb: '', scheme: 'rpm' };
}

function dist(did: string, versionId: string): DistributionRecord {
  return {
    did,
    name: did,
    versionId,
    version: `${versionId}.4`,
    versionCodeName: '',
    prettyName: did,
  };
}

const PYSEC = (pkg: string, ids: readonly string[]) =>
  ids.map((id) =>
    vuln('osv-pypi', fileRecord(`pypi/vulns/${pkg}/${id}.yaml`), pkg, 'pep440'),
  );

/** Names of the records `m` calls vulnerable for `pkg`. */
function decided(
  m: typeof pypi,
  pkg: PackageRecord,
  records: readonly Vulnerability[],
): string[] {
  return records.filter((v) => m.vulnerable(pkg, v)).map((v) => v.name);
}

describe('the PyPI matcher', () => {
  const pygments = PYSEC('pygments', [
    'PYSEC-2016-32',
    'PYSEC-2021-140',
    'PYSEC-2021-141',
    'PYSEC-2023-117',
  ]);
  const requests = PYSEC('requests', [
    'PYSEC-2014-13',
    'PYSEC-2014-14',
    'PYSEC-2015-17',
    'PYSEC-2018-28',
    'PYSEC-2023-74',
  ]);

  it('finds the PYSEC records covering Pygments 2.6.1', () => {
    const pkg = lang('PyPI', 'pep440', 'pygments', '2.6.1');
    assert.deepEqual(decided(pypi, pkg, pygments), [
      'PYSEC-2021-140',
      'PYSEC-2021-141',
      'PYSEC-2023-117',
    ]);
  });

  it('finds the PYSEC records covering requests 2.22.0', () => {
    const pkg = lang('PyPI', 'pep440', 'requests', '2.22.0');
    assert.deepEqual(decided(pypi, pkg, requests), ['PYSEC-2023-74']);
  });

  it('finds none for fixed releases', () => {
    const fixed = lang('PyPI', 'pep440', 'pygments', '2.15.1');
    assert.deepEqual(decided(pypi, fixed, pygments), []);
    const latest = lang('PyPI', 'pep440', 'requests', '2.32.3');
    assert.deepEqual(decided(pypi, latest, requests), []);
  });

  it('queries by the PEP 503 name whatever the metadata spelled', () => {
    const pkg = lang('PyPI', 'pep440', 'Pygments', '2.6.1');
    assert.equal(pypi.query(pkg, dist('debian', '12')).packageName, 'pygments');
  });
});

describe('the Go matcher', () => {
  const stdlib = vuln(
    'osv-go',
    zipRecord('go', 'GO-2024-2687'),
    'stdlib',
    'go',
  );
  const jose = vuln(
    'osv-go',
    zipRecord('go', 'GO-2020-0009'),
    'github.com/square/go-jose',
    'go',
  );

  it('decides stdlib on the toolchain version', () => {
    const answers = ['go1.21.8', 'go1.21.9', 'go1.22.1', 'go1.22.3'].map((v) =>
      go.vulnerable(lang('Go', 'go', 'stdlib', v), stdlib),
    );
    assert.deepEqual(answers, [true, false, true, false]);
  });

  it('holds pseudo-versions older than v0.0.0 in "introduced 0"', () => {
    const old = 'v0.0.0-20160101000000-abcdefabcdef';
    const pkg = lang('Go', 'go', 'github.com/square/go-jose', old);
    assert.equal(go.vulnerable(pkg, jose), true);
  });

  it('cannot decide a module built from a checkout', () => {
    const pkg = lang('Go', 'go', 'github.com/square/go-jose', '(devel)');
    assert.throws(
      () => go.vulnerable(pkg, jose),
      (err) => isClaroError(err, 'INVALID_VERSION'),
    );
  });
});

describe('the npm matcher', () => {
  const minimist = vuln(
    'osv-npm',
    fileRecord(
      'npm/advisories/github-reviewed/2022/03/GHSA-xvch-5gv4-984h/' +
        'GHSA-xvch-5gv4-984h.json',
    ),
    'minimist',
    'semver',
  );

  it('reads every affected entry of a package', () => {
    const answers = ['0.2.3', '0.2.4', '1.2.5', '1.2.6'].map((v) =>
      npm.vulnerable(lang('npm', 'semver', 'minimist', v), minimist),
    );
    assert.deepEqual(answers, [true, false, true, false]);
  });

  it('keeps a scoped name as it is', () => {
    const pkg = lang('npm', 'semver', '@Babel/Core', '7.0.0');
    assert.equal(npm.query(pkg, dist('', '')).packageName, '@Babel/Core');
  });
});

describe('the AlmaLinux and Rocky matchers', () => {
  const alsa = vuln(
    'osv-almalinux',
    zipRecord('almalinux', 'ALSA-2022:6224'),
    'openssl-libs',
    'rpm',
    { did: 'almalinux', versionId: '9' },
  );
  const rlsa = vuln(
    'osv-rocky',
    fileRecord('rocky-samples/RLSA-2024_3671.json'),
    'rubygem-pg',
    'rpm',
    { did: 'rocky', versionId: '9' },
  );

  it('compare full epoch:version-release strings', () => {
    const answers = ['1:3.0.1-38.el9_0', '1:3.0.7-24.el9', '3.0.7-24.el9'].map(
      (v) => almalinuxMatcher.vulnerable(rpm('openssl-libs', v), alsa),
    );
    assert.deepEqual(answers, [true, false, true]);
  });

  it('compare module builds by their release', () => {
    const old = '1.4.1-1.module+el9.3.0+16014+fd1b27ea';
    const fixed = '1.5.4-1.module+el9.4.0+20787+4c237fd3';
    assert.equal(rockyMatcher.vulnerable(rpm('rubygem-pg', old), rlsa), true);
    assert.equal(
      rockyMatcher.vulnerable(rpm('rubygem-pg', fixed), rlsa),
      false,
    );
  });

  it('do not take language packages found in the distribution', () => {
    const wheel = lang('PyPI', 'pep440', 'six', '1.16.0');
    assert.equal(
      almalinuxMatcher.accepts(wheel, dist('almalinux', '9')),
      false,
    );
  });
});
