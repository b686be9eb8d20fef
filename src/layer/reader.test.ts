import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { compress } from 'zstd-napi';
import { isClaroError } from '../errors.js';
import { filesFor, type Scanner } from '../indexer/scanner.js';
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

  it('hashes every byte of a gzip layer, padding after the stream included', async () => {
    const gz = await makeTarGz([{ name: 'etc/os-release', body: 'ID=z' }]);
    const padded = Buffer.concat([gz, Buffer.alloc(1024)]);
    const digest = `sha256:${createHash('sha256').update(padded).digest('hex')}`;
    const { files, digest: got } = await read(padded, digest);
    assert.equal(got, digest);
    assert.equal(files.read('etc/os-release')?.toString(), 'ID=z');
    // The same bytes, without the padding, are another blob.
    await assert.rejects(
      read(gz, digest),
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

/** An extracting scanner whose sinks keep a file's size and first byte. */
function recorder(opts: { stopAfter?: number; throwOn?: string } = {}) {
  const writes: Record<string, number> = {};
  const s: Scanner = {
    name: 'recorder',
    version: '1',
    kind: 'package',
    selector: {
      patterns: ['**/*.jar'],
      executables: { magic: ['7f454c46'] },
    },
    maxFileSize: 10_000,
    extract(file) {
      let n = 0;
      let first = -1;
      writes[file.path] = 0;
      return {
        write(chunk) {
          if (file.path === opts.throwOn) throw new Error('bad bytes');
          writes[file.path]! += 1;
          if (first < 0) first = chunk[0]!;
          n += chunk.length;
          return opts.stopAfter === undefined || n < opts.stopAfter;
        },
        end: () => Buffer.from(`${n}:${first}`),
      };
    },
    scan: () => ({ packages: [], distributions: [], notices: [] }),
  };
  return { scanner: s, writes };
}

const python: Scanner = {
  ...scanner,
  name: 'python',
  selector: {
    patterns: [
      '**/site-packages/*.dist-info/METADATA',
      '**/site-packages/*.egg-info',
      '**/site-packages/*.egg-info/PKG-INFO',
    ],
  },
};

const ELF = Buffer.concat([
  Buffer.from('7f454c46020101', 'hex'),
  Buffer.alloc(3000, 1),
]);

async function readWith(scanners: Scanner[], tar: Buffer) {
  return readLayer(streamOf(tar, 1000), {
    selector: compileSelector(scanners),
    name: 'test-layer',
  });
}

describe('readLayer with patterns and executables', () => {
  it('keeps pattern matches and passes over near misses', async () => {
    const site = 'usr/lib/python3.11/site-packages';
    const tar = await makeTar([
      { name: `${site}/a-1.dist-info/METADATA`, body: 'Name: a' },
      { name: `${site}/a-1.dist-info/RECORD`, body: 'no' },
      { name: `${site}/b-2.egg-info`, body: 'Name: b' },
      { name: `${site}/c-3.egg-info`, type: 'directory' },
      { name: `${site}/c-3.egg-info/PKG-INFO`, body: 'Name: c' },
      { name: `${site}/c-3.egg-info/top_level.txt`, body: 'no' },
      { name: `${site}/d/e-1.dist-info/METADATA`, body: 'no' },
      { name: `usr/lib/site-packages.old/f-1.dist-info/METADATA`, body: 'no' },
    ]);
    const { files, record } = await readWith([python], tar);
    assert.deepEqual(files.paths(), [
      `${site}/a-1.dist-info/METADATA`,
      `${site}/b-2.egg-info`,
      `${site}/c-3.egg-info/PKG-INFO`,
    ]);
    assert.deepEqual(record.paths, files.paths());
  });

  it('records replaced pattern folders and whiteouts below them', async () => {
    const site = 'usr/lib/python3/dist-packages';
    const py: Scanner = {
      ...python,
      selector: { patterns: ['**/dist-packages/*.dist-info/METADATA'] },
    };
    const tar = await makeTar([
      { name: site, type: 'symlink', linkname: '/opt/site' },
      { name: 'usr/lib/python3/x.dist-info', type: 'symlink', linkname: 'y' },
      { name: 'opt/dist-packages/a-1.dist-info', body: 'a file' },
      { name: `opt/dist-packages/.wh.b-1.dist-info`, body: '' },
    ]);
    const { record } = await readWith([py], tar);
    assert.deepEqual(record.replaced, [
      'opt/dist-packages/a-1.dist-info',
      site,
    ]);
    assert.deepEqual(record.whiteouts, ['opt/dist-packages/b-1.dist-info']);
  });

  it('streams executables with the magic number to extracting scanners', async () => {
    const { scanner: rec, writes } = recorder();
    const tar = await makeTar([
      { name: 'usr/bin/app', body: ELF, mode: 0o755 },
      { name: 'usr/lib/libx.so', body: ELF, mode: 0o644 },
      { name: 'usr/bin/script', body: '#!/bin/sh\necho\n', mode: 0o755 },
      { name: 'usr/bin/tiny', body: '\x7fE', mode: 0o755 },
      { name: 'opt/lib/app.jar', body: 'PK\x03\x04', mode: 0o644 },
      { name: 'usr/bin/app2', type: 'link', linkname: 'usr/bin/app' },
    ]);
    const contents = await readWith([rec, python], tar);
    const got = filesFor(contents, rec);
    assert.deepEqual(got.paths(), [
      'opt/lib/app.jar',
      'usr/bin/app',
      'usr/bin/app2',
    ]);
    assert.equal(got.read('usr/bin/app')?.toString(), `${ELF.length}:127`);
    assert.equal(got.read('usr/bin/app2')?.toString(), `${ELF.length}:127`);
    assert.ok(writes['usr/bin/app']! > 1, 'fed chunk by chunk');
    assert.deepEqual(contents.files.paths(), [], 'nothing kept whole');
    assert.deepEqual(contents.record.paths, [
      'opt/lib/app.jar',
      'usr/bin/app',
      'usr/bin/app2',
    ]);
  });

  it('stops writing to a sink that declines more bytes', async () => {
    const { scanner: rec, writes } = recorder({ stopAfter: 1 });
    const tar = await makeTar([{ name: 'app', body: ELF, mode: 0o700 }]);
    const contents = await readWith([rec], tar);
    assert.equal(writes['app'], 1);
    const [seen] = String(filesFor(contents, rec).read('app')).split(':');
    assert.ok(Number(seen) < ELF.length, `${seen} bytes seen`);
  });

  it('drops a file whose sink throws, with a notice', async () => {
    const { scanner: rec } = recorder({ throwOn: 'bad' });
    const tar = await makeTar([
      { name: 'bad', body: ELF, mode: 0o755 },
      { name: 'good', body: ELF, mode: 0o755 },
    ]);
    const contents = await readWith([rec], tar);
    assert.deepEqual(filesFor(contents, rec).paths(), ['good']);
    assert.deepEqual(
      contents.notices.map((n) => [
        n.code,
        n.path,
        /bad bytes/.test(n.message),
      ]),
      [['skipped-file', 'bad', true]],
    );
  });

  it('skips a file over an extracting scanner’s cap, with a notice', async () => {
    const { scanner: rec } = recorder();
    const small = { ...rec, maxFileSize: 100 };
    const tar = await makeTar([{ name: 'a.jar', body: 'x'.repeat(101) }]);
    const contents = await readWith([small], tar);
    assert.deepEqual(filesFor(contents, small).paths(), []);
    assert.deepEqual(contents.record.paths, ['a.jar']);
    assert.equal(contents.notices[0]?.code, 'skipped-file');
  });

  it('keeps a file for one scanner and streams it to another', async () => {
    const { scanner: rec } = recorder();
    const keeper: Scanner = {
      ...scanner,
      selector: { patterns: ['**/*.jar'] },
    };
    const tar = await makeTar([{ name: 'lib/a.jar', body: 'PK-bytes' }]);
    const contents = await readWith([keeper, rec], tar);
    assert.equal(contents.files.read('lib/a.jar')?.toString(), 'PK-bytes');
    assert.equal(filesFor(contents, rec).read('lib/a.jar')?.toString(), '8:80');
  });
});

describe('readLayer with an executable replaced in its own layer', () => {
  it('drops it when the later entry is not one', async () => {
    const { scanner: rec } = recorder();
    const tar = await makeTar([
      { name: 'usr/bin/app', body: ELF, mode: 0o755 },
      { name: 'usr/bin/app', body: '#!/bin/sh\n', mode: 0o755 },
    ]);
    const contents = await readWith([rec], tar);
    assert.deepEqual(filesFor(contents, rec).paths(), []);
    assert.deepEqual(contents.record.paths, []);
  });
});
