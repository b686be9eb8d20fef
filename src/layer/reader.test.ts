import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { compress } from 'zstd-napi';
import { isClaroError } from '../errors.js';
import type { Scanner } from '../indexer/scanner.js';
import { makeTar, makeTarGz, streamOf } from '../testutil/tar.js';
import { readLayer } from './reader.js';
import { compileSelector } from './selector.js';

const scanner: Scanner = {
  name: 'test',
  version: '1',
  kind: 'package',
  selector: {
    exact: ['var/lib/dpkg/status', 'etc/os-release', 'usr/lib/os-release'],
    children: ['var/lib/dpkg/status.d'],
  },
  maxFileSize: 64,
  scan: () => ({ packages: [], distributions: [], notices: [] }),
};
const selector = compileSelector([scanner]);

async function read(blob: Buffer, digest?: string) {
  return readLayer(streamOf(blob), {
    selector,
    name: 'test-layer',
    ...(digest !== undefined ? { digest } : {}),
  });
}

describe('readLayer', () => {
  it('keeps only selected files, whatever the name form', async () => {
    const tar = await makeTar([
      { name: './var/lib/dpkg/status', body: 'Package: a\n' },
      { name: 'var/lib/dpkg/status.d/base', body: 'Package: b\n' },
      { name: 'var/lib/dpkg/status.d/deep/x', body: 'no' },
      { name: 'etc/passwd', body: 'root' },
    ]);
    const { files, record } = await read(tar);
    assert.deepEqual(files.paths(), [
      'var/lib/dpkg/status',
      'var/lib/dpkg/status.d/base',
    ]);
    assert.equal(files.read('var/lib/dpkg/status')?.toString(), 'Package: a\n');
    assert.deepEqual(record.paths, files.paths());
  });

  it('records whiteouts and opaque folders by exact prefix only', async () => {
    const tar = await makeTar([
      { name: 'var/lib/dpkg/.wh.status', body: '' },
      { name: 'usr/.wh..wh..opq', body: '' },
      { name: '.wh.opt', body: '' },
      { name: 'etc/.wh..wh.plnk', body: '' },
      { name: 'etc/which', body: 'not a whiteout' },
      { name: 'etc/wh.conf', body: 'not a whiteout' },
      { name: 'etc/x.wh.y', body: 'not a whiteout' },
    ]);
    const { record } = await read(tar);
    assert.deepEqual(record.whiteouts, ['opt', 'var/lib/dpkg/status']);
    assert.deepEqual(record.opaqueDirs, ['usr']);
  });

  it('lets a later entry at the same path replace an earlier one', async () => {
    const tar = await makeTar([
      { name: 'etc/os-release', body: 'ID=first' },
      { name: 'etc/os-release', body: 'ID=second' },
    ]);
    const { files } = await read(tar);
    assert.equal(files.read('etc/os-release')?.toString(), 'ID=second');
  });

  it('follows symlinks and hard links inside the layer', async () => {
    const tar = await makeTar([
      { name: 'usr/lib/os-release', body: 'ID=debian' },
      {
        name: 'etc/os-release',
        type: 'symlink',
        linkname: '../usr/lib/os-release',
      },
      { name: 'var/lib/dpkg/status.d/a', body: 'Package: a\n' },
      {
        name: 'var/lib/dpkg/status.d/b',
        type: 'link',
        linkname: 'var/lib/dpkg/status.d/a',
      },
    ]);
    const { files, record } = await read(tar);
    assert.equal(files.read('etc/os-release')?.toString(), 'ID=debian');
    assert.equal(
      files.read('var/lib/dpkg/status.d/b')?.toString(),
      'Package: a\n',
    );
    assert.ok(record.paths.includes('etc/os-release'));
  });

  it('records a non-folder entry that replaces a watched folder', async () => {
    const tar = await makeTar([
      { name: 'var/lib/dpkg', type: 'symlink', linkname: '/elsewhere' },
      { name: 'var/lib/other', type: 'symlink', linkname: '/x' },
    ]);
    const { record } = await read(tar);
    assert.deepEqual(record.replaced, ['var/lib/dpkg']);
  });

  it('skips entries that climb out of the root or are absolute', async () => {
    const tar = await makeTar([
      { name: '../etc/os-release', body: 'ID=evil' },
      { name: '/etc/os-release', body: 'ID=evil' },
      { name: 'var/lib/dpkg/status', body: 'ok' },
    ]);
    const { files, notices } = await read(tar);
    assert.deepEqual(files.paths(), ['var/lib/dpkg/status']);
    assert.deepEqual(
      notices.map((n) => [n.code, n.path]),
      [
        ['skipped-entry', '../etc/os-release'],
        ['skipped-entry', '/etc/os-release'],
      ],
    );
  });

  it('skips a selected file over the size cap with a notice', async () => {
    const tar = await makeTar([
      { name: 'etc/os-release', body: 'x'.repeat(65) },
    ]);
    const { files, notices } = await read(tar);
    assert.deepEqual(files.paths(), []);
    assert.equal(notices[0]?.code, 'skipped-file');
  });

  it('reads gzip, zstd and plain layers alike and checks digests', async () => {
    const entries = [{ name: 'etc/os-release', body: 'ID=alpine' }];
    const plain = await makeTar(entries);
    for (const blob of [
      plain,
      await makeTarGz(entries),
      await compress(plain),
    ]) {
      const digest = `sha256:${createHash('sha256').update(blob).digest('hex')}`;
      const { files, digest: got } = await read(blob, digest);
      assert.equal(got, digest);
      assert.equal(files.read('etc/os-release')?.toString(), 'ID=alpine');
    }
  });

  it('fails with DIGEST_MISMATCH when the bytes differ', async () => {
    const tar = await makeTar([{ name: 'etc/os-release', body: 'ID=x' }]);
    const wrong = `sha256:${'0'.repeat(64)}`;
    await assert.rejects(
      read(tar, wrong),
      (err) =>
        isClaroError(err, 'DIGEST_MISMATCH') && /test-layer/.test(err.message),
    );
  });

  it('fails with INVALID_LAYER on truncated gzip and garbage', async () => {
    const gz = await makeTarGz([
      { name: 'etc/os-release', body: 'x'.repeat(5000) },
    ]);
    const cases = [
      gz.subarray(0, gz.length - 20),
      Buffer.from('not a tar at all'.repeat(64)),
    ];
    for (const blob of cases) {
      await assert.rejects(
        read(blob),
        (err) =>
          isClaroError(err, 'INVALID_LAYER') &&
          /Cannot read layer test-layer/.test(err.message),
      );
    }
  });
});
