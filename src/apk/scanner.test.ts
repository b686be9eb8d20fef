import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { memoryFiles } from '../indexer/memory-files.js';
import { apkScanner } from './scanner.js';

const FIXTURES = '../shared/fixtures';

function minirootfsDb(file: string): Buffer {
  const tarball = `${FIXTURES}/alpine-minirootfs/${file}`;
  return execFileSync('tar', ['-xzOf', tarball, './lib/apk/db/installed']);
}

describe('apkScanner', () => {
  it('keys the packages of lib/apk/db/installed by that path', () => {
    const db = minirootfsDb('alpine-minirootfs-3.20.3-x86_64.tar.gz');
    const result = apkScanner.scan(memoryFiles({ 'lib/apk/db/installed': db }));
    assert.equal(result.packages.length, 1);
    const finding = result.packages[0];
    assert.equal(finding?.path, 'lib/apk/db/installed');
    assert.deepEqual(
      finding?.packages.map((p) => `${p.name}=${p.version}<${p.source?.name}`),
      [
        'alpine-baselayout=3.6.5-r0<alpine-baselayout',
        'alpine-baselayout-data=3.6.5-r0<alpine-baselayout',
        'alpine-keys=2.4-r1<alpine-keys',
        'apk-tools=2.14.4-r0<apk-tools',
        'busybox=1.36.1-r29<busybox',
        'busybox-binsh=1.36.1-r29<busybox',
        'ca-certificates-bundle=20240705-r0<ca-certificates',
        'libcrypto3=3.3.2-r0<openssl',
        'libssl3=3.3.2-r0<openssl',
        'musl=1.2.5-r0<musl',
        'musl-utils=1.2.5-r0<musl',
        'scanelf=1.3.7-r2<pax-utils',
        'ssl_client=1.36.1-r29<busybox',
        'zlib=1.3.1-r1<zlib',
      ],
    );
    assert.ok(finding?.packages.every((p) => p.arch === 'x86_64'));
    assert.deepEqual(result.notices, []);
  });

  it('reads usr/lib/apk/db/installed as a database of its own', () => {
    const db = readFileSync(`${FIXTURES}/syft-apk/single`);
    const result = apkScanner.scan(
      memoryFiles({ 'usr/lib/apk/db/installed': db }),
    );
    assert.deepEqual(
      result.packages.map((f) => [
        f.path,
        f.packages.map((p) => [p.name, p.packageDb, p.scheme]),
      ]),
      [
        [
          'usr/lib/apk/db/installed',
          [['musl-utils', 'usr/lib/apk/db/installed', 'apk']],
        ],
      ],
    );
  });

  it('skips a record without version and keeps the others', () => {
    const db = readFileSync(`${FIXTURES}/clair-v2/apk-installed`);
    const result = apkScanner.scan(memoryFiles({ 'lib/apk/db/installed': db }));
    assert.equal(result.packages[0]?.packages.length, 11);
    assert.deepEqual(
      result.notices.map((n) => [n.code, n.path]),
      [['skipped-record', 'lib/apk/db/installed']],
    );
  });

  it('skips a record whose version the apk scheme rejects', () => {
    const db = 'P:good\nV:1.2.3-r0\n\nP:bad\nV:1.2.3 r0\n';
    const result = apkScanner.scan(memoryFiles({ 'lib/apk/db/installed': db }));
    assert.deepEqual(
      result.packages[0]?.packages.map((p) => p.name),
      ['good'],
    );
    assert.equal(result.notices.length, 1);
  });

  it('reports an empty database as a finding without packages', () => {
    const result = apkScanner.scan(memoryFiles({ 'lib/apk/db/installed': '' }));
    assert.deepEqual(result.packages, [
      { path: 'lib/apk/db/installed', packages: [] },
    ]);
  });

  it('records the candidate files each package installed as owned', () => {
    const installed = readFileSync(
      '../shared/fixtures/apko-apk/wolfi-base/installed',
    );
    const result = apkScanner.scan(
      memoryFiles({ 'lib/apk/db/installed': installed }),
    );
    assert.deepEqual(result.owned, [
      {
        path: 'lib/apk/db/installed',
        owners: [
          { name: 'glibc', files: ['usr/bin/ld.so', 'usr/bin/ldconfig'] },
          { name: 'apk-tools', files: ['usr/bin/apk'] },
          { name: 'busybox', files: ['usr/bin/busybox'] },
        ],
      },
    ]);
  });

  it('joins each R: file to the F: folder before it, root included', () => {
    const db = [
      'P:py3-six',
      'V:1.16.0-r0',
      'F:usr/lib/python3.12/site-packages/six-1.16.0.dist-info',
      'R:METADATA',
      'R:RECORD',
      'F:',
      'R:operator',
      '',
      'P:other',
      'V:1-r0',
      'R:METADATA',
      '',
    ].join('\n');
    const result = apkScanner.scan(memoryFiles({ 'lib/apk/db/installed': db }));
    assert.deepEqual(result.owned?.[0]?.owners, [
      {
        name: 'py3-six',
        files: [
          'usr/lib/python3.12/site-packages/six-1.16.0.dist-info/METADATA',
        ],
      },
    ]);
  });
});
