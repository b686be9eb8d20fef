import assert from 'node:assert/strict';
import {
  chmod,
  mkdir,
  mkdtemp,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readFolder } from './folder.js';
import { filesFor, type Scanner } from './scanner.js';

const EMPTY = { packages: [], distributions: [], notices: [] };

const keeper: Scanner = {
  name: 'keeper',
  version: '1',
  kind: 'package',
  selector: {
    exact: ['etc/os-release'],
    patterns: ['**/site-packages/*.dist-info/METADATA'],
  },
  maxFileSize: 64,
  scan: () => EMPTY,
};

const extractor: Scanner = {
  name: 'extractor',
  version: '1',
  kind: 'package',
  selector: { executables: { magic: ['7f454c46'] } },
  maxFileSize: 1 << 20,
  extract(file) {
    let n = 0;
    return {
      write: (chunk) => ((n += chunk.length), true),
      end: () => Buffer.from(`${file.path}:${n}`),
    };
  },
  scan: () => EMPTY,
};

const ELF = Buffer.concat([Buffer.from('7f454c46', 'hex'), Buffer.alloc(99)]);

describe('readFolder', () => {
  let root = '';
  const put = async (path: string, body: string | Buffer, mode = 0o644) => {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), body);
    await chmod(join(root, path), mode);
  };

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'claro-folder-'));
    const site = 'usr/lib/python3.11/site-packages';
    await put('usr/lib/os-release', 'ID=debian\n');
    await mkdir(join(root, 'etc'));
    await symlink('../usr/lib/os-release', join(root, 'etc/os-release'));
    await put(`${site}/a-1.dist-info/METADATA`, 'Name: a\n');
    await put(`${site}/a-1.dist-info/RECORD`, 'no\n');
    await put(`${site}/big-1.dist-info/METADATA`, 'x'.repeat(65));
    await put('usr/bin/app', ELF, 0o755);
    await put('usr/bin/script', '#!/bin/sh\n', 0o755);
    await put('usr/lib/libx.so', ELF, 0o644);
    await mkdir(join(root, 'opt'), { recursive: true });
    await symlink('/usr', join(root, 'opt/usr'));
  });

  after(async () => rm(root, { recursive: true, force: true }));

  it('reads exact paths through links, and pattern matches', async () => {
    const got = await readFolder(root, [keeper, extractor]);
    const files = filesFor(got, keeper);
    assert.deepEqual(files.paths(), [
      'etc/os-release',
      'usr/lib/python3.11/site-packages/a-1.dist-info/METADATA',
    ]);
    assert.equal(files.read('etc/os-release')?.toString(), 'ID=debian\n');
    assert.deepEqual(
      got.notices.map((n) => n.path),
      ['usr/lib/python3.11/site-packages/big-1.dist-info/METADATA'],
    );
  });

  it('streams executables with the magic number, links not followed', async () => {
    const got = await readFolder(root, [keeper, extractor]);
    const files = filesFor(got, extractor);
    assert.deepEqual(files.paths(), ['usr/bin/app']);
    assert.equal(files.read('usr/bin/app')?.toString(), 'usr/bin/app:103');
  });
});
