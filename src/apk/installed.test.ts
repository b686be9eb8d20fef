import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { readApkInstalled } from './installed.js';

const FIXTURES = '../shared/fixtures';
const PATH = 'lib/apk/db/installed';

/** Reads with every version accepted: the scheme has its own tests. */
function read(text: string, validVersion = (_v: string) => true) {
  return readApkInstalled(text, { path: PATH, validVersion });
}

function fixture(file: string) {
  return read(readFileSync(`${FIXTURES}/${file}`, 'utf8'));
}

function minirootfs(file: string): string {
  const tarball = `${FIXTURES}/alpine-minirootfs/${file}`;
  return execFileSync('tar', ['-xzOf', tarball, `./${PATH}`], {
    encoding: 'utf8',
  });
}

describe('readApkInstalled', () => {
  const counts: [string, number, number][] = [
    // file, packages, skipped-record notices
    ['clair-v2/apk-installed', 11, 1],
    ['trivy-apk/installed-alpine-3.4-edited', 15, 1],
    ['syft-apk/base', 1, 0],
    ['syft-apk/single', 1, 0],
    ['syft-apk/multiple-1', 4, 0],
    ['syft-apk/multiple-2', 14, 0],
    ['syft-apk/extra-file-attributes', 1, 0],
    ['syft-apk/empty-deps-and-provides', 1, 0],
    // A stray line before the first record reads as a record without P:.
    ['syft-apk/corrupt', 1, 1],
    ['osv-scalibr-apk/installed', 15, 0],
    ['osv-scalibr-apk/single', 1, 0],
    ['osv-scalibr-apk/empty', 0, 0],
    ['osv-scalibr-apk/invalid', 0, 2],
  ];
  for (const [file, packages, notices] of counts) {
    it(`reads ${packages} packages and ${notices} bad records from ${file}`, () => {
      const result = fixture(file);
      assert.equal(result.packages.length, packages);
      assert.equal(result.notices.length, notices);
    });
  }

  it('reads the packages of Alpine minirootfs releases', () => {
    const table: [string, number][] = [
      ['alpine-minirootfs-3.20.3-x86_64.tar.gz', 14],
      ['alpine-minirootfs-3.20.3-aarch64.tar.gz', 14],
      ['alpine-minirootfs-3.13.12-x86_64.tar.gz', 14],
      ['alpine-minirootfs-3.6.5-x86_64.tar.gz', 13],
      ['alpine-minirootfs-20240923-x86_64-edge.tar.gz', 14],
    ];
    for (const [file, count] of table) {
      const result = read(minirootfs(file));
      assert.equal(result.packages.length, count, file);
      assert.deepEqual(result.notices, [], file);
    }
  });

  it('takes the source name from the origin, with the same version', () => {
    const result = read(minirootfs('alpine-minirootfs-3.20.3-x86_64.tar.gz'));
    const pkg = result.packages.find((p) => p.name === 'libcrypto3');
    assert.deepEqual(pkg, {
      name: 'libcrypto3',
      version: '3.3.2-r0',
      kind: 'binary',
      source: { name: 'openssl', version: '3.3.2-r0' },
      packageDb: PATH,
      arch: 'x86_64',
      scheme: 'apk',
    });
  });

  it('makes a package without origin its own source', () => {
    assert.deepEqual(fixture('osv-scalibr-apk/no-origin').packages, [
      {
        name: 'pkgname',
        version: '1.2.3',
        kind: 'binary',
        source: { name: 'pkgname', version: '1.2.3' },
        packageDb: PATH,
        arch: 'x86_64',
        scheme: 'apk',
      },
    ]);
  });

  it('keeps pre-release versions and noarch packages', () => {
    const trivy = fixture('trivy-apk/installed-alpine-3.4-edited');
    const test = trivy.packages.find((p) => p.name === 'test');
    assert.equal(test?.version, '2.9.11_pre20061021-r2');
    assert.equal(test?.source?.name, 'test-parent');
    const data = fixture('osv-scalibr-apk/different-arch').packages[0];
    assert.equal(data?.arch, 'noarch');
  });

  it('names the file, line and package of a skipped record', () => {
    assert.deepEqual(fixture('clair-v2/apk-installed').notices, [
      {
        code: 'skipped-record',
        message:
          'Cannot read apk record at line 23 ' +
          '(P:invalidPackageWithoutAVersion) of lib/apk/db/installed: ' +
          'no V: (version) field',
        path: PATH,
      },
    ]);
  });

  it('skips a record whose version the scheme rejects', () => {
    const text = 'P:a\nV:1.0-r0\n\nP:b\nV:not a version\n';
    const result = read(text, (v) => !v.includes(' '));
    assert.deepEqual(
      result.packages.map((p) => p.name),
      ['a'],
    );
    assert.match(result.notices[0]?.message ?? '', /bad version "not a/);
  });

  it('reads CRLF line ends and extra blank lines', () => {
    const text = '\r\n\r\nP:a\r\nV:1.0-r0\r\no:b\r\n\r\n\r\n';
    assert.deepEqual(read(text).packages[0]?.source, {
      name: 'b',
      version: '1.0-r0',
    });
  });
});
