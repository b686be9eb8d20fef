import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  linkSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeTar } from '../testutil/tar.js';
import { BLOCK } from './header.js';
import { TarError, TarParser, type TarHeader } from './stream.js';

interface Seen {
  readonly name: string;
  readonly type: string;
  readonly size: number;
  readonly linkname: string;
  readonly mode: number;
  body: string;
}

/** Every entry with its body, the archive fed in `chunk`-byte writes. */
function parse(tar: Buffer, chunk = tar.length): Seen[] {
  const seen: Seen[] = [];
  const parser = new TarParser((h: TarHeader) => {
    const e: Seen = { ...h, body: '' };
    seen.push(e);
    const parts: Buffer[] = [];
    return {
      data: (c) => parts.push(Buffer.from(c)),
      end: () => (e.body = Buffer.concat(parts).toString('latin1')),
    };
  });
  for (let at = 0; at < tar.length; at += chunk) {
    parser.write(tar.subarray(at, at + chunk));
  }
  parser.end();
  return seen;
}

/** `tar tv`-like lines from GNU tar itself: the reference. */
function gnuList(file: string): string[] {
  const out = execFileSync('tar', ['-tf', file, '--quoting-style=literal']);
  return out
    .toString('utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.replace(/\/$/, ''));
}

describe('TarParser', () => {
  const dir = mkdtempSync(join(tmpdir(), 'claro-tar-'));
  const root = join(dir, 'root');
  const long = `${'deep/'.repeat(30)}${'n'.repeat(120)}.txt`;
  const archives = new Map<string, Buffer>();

  before(() => {
    mkdirSync(join(root, 'etc'), { recursive: true });
    mkdirSync(join(root, long, '..'), { recursive: true });
    writeFileSync(join(root, 'etc', 'os-release'), 'ID=debian\n');
    writeFileSync(join(root, long), 'long name body');
    writeFileSync(join(root, 'big'), Buffer.alloc(3 * BLOCK + 17, 0x61));
    writeFileSync(join(root, 'empty'), '');
    symlinkSync(`../${'t'.repeat(150)}`, join(root, 'etc', 'far-link'));
    linkSync(join(root, 'big'), join(root, 'big-hard'));
    for (const format of ['gnu', 'posix', 'oldgnu', 'ustar']) {
      const file = join(dir, `${format}.tar`);
      const args = ['-cf', file, `--format=${format}`, '-C', root, '.'];
      try {
        execFileSync('tar', args, { stdio: 'pipe' });
        archives.set(format, readFileSync(file));
      } catch {
        // ustar cannot hold the long names; the others are checked.
      }
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads what GNU tar lists, in every format it writes', () => {
    assert.ok(archives.size >= 3, 'GNU tar wrote the archives');
    for (const [format, tar] of archives) {
      const file = join(dir, `${format}.tar`);
      const names = parse(tar).map((e) => e.name.replace(/\/$/, ''));
      assert.deepEqual(names, gnuList(file), format);
    }
  });

  it('applies pax and GNU long names, links and sizes', () => {
    for (const [format, tar] of archives) {
      const byName = new Map(parse(tar).map((e) => [e.name, e]));
      const file = byName.get(`./${long}`);
      assert.equal(file?.body, 'long name body', format);
      assert.equal(file?.type, 'file');
      const link = byName.get('./etc/far-link');
      assert.equal(link?.type, 'symlink', format);
      assert.equal(link?.linkname, `../${'t'.repeat(150)}`, format);
      const big = byName.get('./big');
      const hard = byName.get('./big-hard');
      const [first, second] = big?.type === 'file' ? [big, hard] : [hard, big];
      assert.equal(first?.body, 'a'.repeat(3 * BLOCK + 17), format);
      assert.equal(second?.type, 'hardlink', format);
      assert.equal(byName.get('./etc/')?.type, 'dir', format);
      assert.equal(byName.get('./etc/os-release')?.mode, 0o644, format);
    }
  });

  it('gives the same entries whatever the write sizes', () => {
    const tar = archives.get('posix')!;
    const whole = parse(tar);
    for (const chunk of [1, 7, 511, 512, 513, 4096]) {
      assert.deepEqual(parse(tar, chunk), whole, `chunk ${chunk}`);
    }
  });

  it('reads base-256 sizes and pre-POSIX folders by their slash', async () => {
    const tar = await makeTar([{ name: 'a', body: 'xyz' }]);
    // GNU base-256: high bit set, big-endian value in the rest.
    tar.fill(0, 124, 136);
    tar[124] = 0x80;
    tar[135] = 3;
    rechecksum(tar);
    assert.equal(parse(tar)[0]?.body, 'xyz');

    const v7 = await makeTar([{ name: 'old/', body: '' }]);
    v7.fill(0, 257, 265); // no ustar magic
    v7[156] = 0; // NUL type flag
    rechecksum(v7);
    assert.deepEqual(
      parse(v7).map((e) => [e.name, e.type]),
      [['old', 'dir']],
    );
  });

  it('accepts checksums summed as signed bytes, as old tars wrote them', async () => {
    const tar = await makeTar([{ name: 'a', body: 'z' }]);
    // The owner's name in Latin-1: bytes above 127 in the header itself.
    tar.write('caf\u00e9\0', 265, 'latin1');
    let signed = 0;
    for (let i = 0; i < BLOCK; i++) {
      const c = i >= 148 && i < 156 ? 0x20 : tar[i]!;
      signed += c > 127 ? c - 256 : c;
    }
    const sum = (n: number) => `${n.toString(8).padStart(6, '0')}\0 `;
    tar.write(sum(signed), 148, 'latin1');
    assert.deepEqual(
      parse(tar).map((e) => [e.name, e.body]),
      [['a', 'z']],
    );
    // One less than the signed sum is no checksum of the header.
    tar.write(sum(signed - 1), 148, 'latin1');
    assert.throws(() => parse(tar), /checksum at byte 0/);
  });

  it('fails on a bad checksum, a cut body and a header after the end', async () => {
    const tar = await makeTar([
      { name: 'a', body: 'x'.repeat(700) },
      { name: 'b', body: 'y' },
    ]);
    const bad = Buffer.from(tar);
    bad[BLOCK * 3] = 0x41; // the second header's name
    assert.throws(
      () => parse(bad),
      (e: unknown) =>
        e instanceof TarError && /checksum at byte 1536/.test(e.message),
    );
    assert.throws(
      () => parse(tar.subarray(0, BLOCK + 100)),
      (e: unknown) => e instanceof TarError && /truncated/.test(e.message),
    );
    const zeroThenHeader = Buffer.concat([
      Buffer.alloc(BLOCK),
      tar.subarray(0, BLOCK * 3),
    ]);
    assert.throws(() => parse(zeroThenHeader), /after an end-of-archive/);
  });

  it('ends at the end blocks and ignores what follows', async () => {
    const tar = await makeTar([{ name: 'a', body: 'x' }]);
    const padded = Buffer.concat([tar, Buffer.from('trailing garbage')]);
    assert.deepEqual(
      parse(padded).map((e) => e.name),
      ['a'],
    );
    // No end blocks at all: accepted at an entry boundary.
    assert.deepEqual(
      parse(tar.subarray(0, BLOCK * 2)).map((e) => e.name),
      ['a'],
    );
  });
});

/** Recomputes a header block's checksum after a test edits it. */
function rechecksum(b: Buffer): void {
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += b[i]!;
  b.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
}
