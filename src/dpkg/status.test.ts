import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseDeb822, readDpkgStatus } from './status.js';
import { dpkgScheme } from './version.js';

const FIXTURES = '../shared/fixtures';

function read(file: string, statusOptional = false) {
  const text = readFileSync(`${FIXTURES}/${file}`, 'utf8');
  return readDpkgStatus(text, {
    path: 'var/lib/dpkg/status',
    statusOptional,
    validVersion: (v) => dpkgScheme.valid(v),
  });
}

function find(file: string, name: string, statusOptional = false) {
  return read(file, statusOptional).packages.find((p) => p.name === name);
}

describe('parseDeb822', () => {
  it('joins continuation lines and lower-cases field names', () => {
    const text =
      'PACKAGE: a\nDescription: short\n long\n .\n\tmore\nversion: 1\n';
    const [stanza, ...rest] = parseDeb822(text);
    assert.equal(rest.length, 0);
    assert.deepEqual(
      [...(stanza?.fields ?? [])],
      [
        ['package', 'a'],
        ['description', 'short\nlong\n.\nmore'],
        ['version', '1'],
      ],
    );
  });

  it('splits on whitespace-only lines and reads CRLF files', () => {
    const text = 'Package: a\r\n \r\nPackage: b\r\n\r\n\r\n';
    const stanzas = parseDeb822(text);
    assert.deepEqual(
      stanzas.map((s) => [s.line, s.fields.get('package')]),
      [
        [1, 'a'],
        [3, 'b'],
      ],
    );
  });

  it('keeps the first of a repeated field', () => {
    const [stanza] = parseDeb822('Package: a\nPackage: b\n');
    assert.equal(stanza?.fields.get('package'), 'a');
  });

  it('returns no stanza for empty or blank text', () => {
    assert.deepEqual(parseDeb822(''), []);
    assert.deepEqual(parseDeb822('\n\n  \n'), []);
  });
});

describe('readDpkgStatus', () => {
  const counts: [string, number, number][] = [
    // file, installed packages, skipped-record notices
    ['clair-v2/dpkg-status-valid', 89, 0],
    ['claircore-dpkg/texlive.status', 357, 0],
    ['claircore-dpkg/postgresql.status', 3, 0],
    ['claircore-dpkg/debian-only.status', 1, 0],
    // vcpkg reuses the format; its "Feature:" stanzas have no Version.
    ['claircore-dpkg/vcpkg.status', 15, 9],
    ['osv-scalibr-dpkg/dpkg/valid', 7, 0],
    ['osv-scalibr-dpkg/dpkg/single', 1, 0],
    ['osv-scalibr-dpkg/dpkg/trailingnewlines', 1, 0],
    ['osv-scalibr-dpkg/dpkg/empty', 0, 0],
    ['osv-scalibr-dpkg/dpkg/invalid', 0, 2],
    ['osv-scalibr-dpkg/dpkg/nopackage', 2, 1],
    ['osv-scalibr-dpkg/dpkg/noversion', 2, 1],
    ['syft-dpkg/image-dpkg/var/lib/dpkg/status', 1, 1],
  ];
  for (const [file, packages, notices] of counts) {
    it(`reads ${packages} packages and ${notices} bad stanzas from ${file}`, () => {
      const result = read(file);
      assert.equal(result.packages.length, packages);
      assert.equal(result.notices.length, notices);
      for (const n of result.notices) assert.equal(n.code, 'skipped-record');
    });
  }

  it('takes the source name from Source and the version from Version', () => {
    assert.deepEqual(find('clair-v2/dpkg-status-valid', 'fdisk'), {
      name: 'fdisk',
      version: '2.31.1-0.4ubuntu3.1',
      kind: 'binary',
      source: { name: 'util-linux', version: '2.31.1-0.4ubuntu3.1' },
      packageDb: 'var/lib/dpkg/status',
      arch: 'amd64',
      scheme: 'dpkg',
    });
  });

  it('takes the source version from "Source: name (version)"', () => {
    const valid = 'osv-scalibr-dpkg/dpkg/valid';
    assert.deepEqual(find(valid, 'util-linux-extra')?.source, {
      name: 'util-linux',
      version: '2.38.1-5',
    });
    assert.equal(find(valid, 'util-linux-extra')?.version, '2.38.1-5+b1');
    const pg = find('claircore-dpkg/postgresql.status', 'postgresql-client');
    assert.equal(pg?.version, '11+200+deb10u5');
    assert.deepEqual(pg?.source, {
      name: 'postgresql-common',
      version: '200+deb10u5',
    });
  });

  it('makes a package without Source its own source', () => {
    const pkg = find(
      'claircore-dpkg/debian-only.status',
      'debian-archive-keyring',
    );
    assert.deepEqual(pkg?.source, {
      name: 'debian-archive-keyring',
      version: '2019.1',
    });
    assert.equal(pkg?.arch, 'all');
  });

  it('keeps epochs in versions', () => {
    assert.equal(
      find('osv-scalibr-dpkg/dpkg/valid', 'attr')?.version,
      '1:2.5.1-4',
    );
  });

  it('keeps only stanzas whose status is "ok installed"', () => {
    const result = read('osv-scalibr-dpkg/dpkg/statusfield');
    assert.deepEqual(
      result.packages.map((p) => p.name),
      ['wantinstall_installed', 'wantpurge_installed'],
    );
    assert.equal(result.notices.length, 1);
    assert.match(result.notices[0]?.message ?? '', /wantnostatus.*no Status/);
  });

  it('keeps held packages', () => {
    const text = 'Package: a\nStatus: hold ok installed\nVersion: 1.0-1\n';
    const result = readDpkgStatus(text, {
      path: 'var/lib/dpkg/status',
      statusOptional: false,
      validVersion: (v) => dpkgScheme.valid(v),
    });
    assert.deepEqual(
      result.packages.map((p) => p.name),
      ['a'],
    );
  });

  it('names the file, line and package of a skipped stanza', () => {
    const result = read('osv-scalibr-dpkg/dpkg/noversion');
    assert.deepEqual(result.notices, [
      {
        code: 'skipped-record',
        message:
          'Cannot read dpkg stanza at line 5 (Package: acl) of ' +
          'var/lib/dpkg/status: no Version field',
        path: 'var/lib/dpkg/status',
      },
    ]);
    assert.deepEqual(
      result.packages.map((p) => p.name),
      ['foo', 'bar'],
    );
  });

  it('skips a stanza with a version the scheme rejects, keeps the rest', () => {
    const text =
      'Package: bad\nStatus: install ok installed\nVersion: 1.0 beta\n\n' +
      'Package: good\nStatus: install ok installed\nVersion: 1.0-1\n';
    const result = readDpkgStatus(text, {
      path: 'var/lib/dpkg/status',
      statusOptional: false,
      validVersion: (v) => dpkgScheme.valid(v),
    });
    assert.deepEqual(
      result.packages.map((p) => p.name),
      ['good'],
    );
    assert.match(result.notices[0]?.message ?? '', /bad Version "1.0 beta"/);
  });

  it('reads distroless stanzas without Status and honours one present', () => {
    const result = read('osv-scalibr-dpkg/dpkg/status.d/foo', true);
    assert.deepEqual(
      result.packages.map((p) => [p.name, p.version]),
      [['foo', '1.2.3']],
    );
    assert.equal(result.notices.length, 0);
  });

  it('reads every stanza of a status file of several megabytes', () => {
    const one = readFileSync(`${FIXTURES}/claircore-dpkg/texlive.status`);
    const text = one.toString('utf8').repeat(8); // 3.7 MB
    const options = {
      path: 'var/lib/dpkg/status',
      statusOptional: false,
      validVersion: (v: string) => dpkgScheme.valid(v),
    };
    assert.equal(readDpkgStatus(text, options).packages.length, 357 * 8);
  });
});
