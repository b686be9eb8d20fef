import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PathSelector, Scanner } from '../indexer/scanner.js';
import { compileSelector } from './selector.js';

function scanner(
  name: string,
  selector: PathSelector,
  more: Partial<Scanner> = {},
): Scanner {
  return {
    name,
    version: '1',
    kind: 'package',
    selector,
    maxFileSize: 100,
    scan: () => ({ packages: [], distributions: [], notices: [] }),
    ...more,
  };
}

const extractor = scanner(
  'bin',
  { patterns: ['**/*.jar'], executables: { magic: ['7f454c46'] } },
  { maxFileSize: 1e9, extract: () => undefined },
);
const python = scanner('py', {
  patterns: ['**/site-packages/*.dist-info/METADATA'],
});
const dpkg = scanner(
  'dpkg',
  { exact: ['var/lib/dpkg/status'], children: ['var/lib/dpkg/status.d'] },
  { maxFileSize: 500 },
);
const selector = compileSelector([dpkg, python, extractor]);

describe('compileSelector', () => {
  it('selects exact paths, direct children and pattern matches', () => {
    const keep = (p: string) => selector.select(p)?.keep;
    assert.equal(keep('var/lib/dpkg/status'), 500);
    assert.equal(keep('var/lib/dpkg/status.d/base'), 500);
    assert.equal(keep('usr/lib/site-packages/a-1.dist-info/METADATA'), 100);
    assert.equal(selector.select('var/lib/dpkg/status.d/x/y'), undefined);
    assert.equal(selector.select('var/lib/dpkg/statusx'), undefined);
    assert.equal(
      selector.select('site-packages/a.dist-info/RECORD'),
      undefined,
    );
  });

  it('routes extracting scanners apart from keeping ones', () => {
    assert.deepEqual(selector.select('opt/app.jar'), {
      keep: undefined,
      extract: [extractor],
    });
    assert.equal(selector.select('opt/app.jar.sha1'), undefined);
  });

  it('merges the wants of several scanners on one path', () => {
    const both = compileSelector([
      scanner('a', { exact: ['x/y.jar'] }, { maxFileSize: 7 }),
      scanner('b', { patterns: ['x/*.jar'] }, { maxFileSize: 9 }),
      extractor,
    ]);
    assert.deepEqual(both.select('x/y.jar'), { keep: 9, extract: [extractor] });
  });

  it('selects executables by their first bytes only', () => {
    assert.equal(selector.headBytes, 4);
    const elf = Buffer.from('7f454c4602010100', 'hex');
    assert.deepEqual(selector.selectHead(elf)?.extract, [extractor]);
    assert.equal(selector.selectHead(Buffer.from('#!/bin/sh\n')), undefined);
    assert.equal(selector.selectHead(Buffer.from('7f454c', 'hex')), undefined);
    assert.equal(compileSelector([python]).headBytes, 0);
  });

  it('watches the folders leading to exact paths and named pattern folders', () => {
    for (const p of [
      'var',
      'var/lib/dpkg',
      'var/lib/dpkg/status.d',
      'usr/lib/python3/site-packages',
      'site-packages/x.dist-info',
    ]) {
      assert.ok(selector.watchesFolder(p), p);
    }
    for (const p of [
      'var/lib/dpkg/status',
      'usr/lib/python3',
      'usr/lib/python3/site-packages/x.egg-info',
      'usr/lib/site-packages-old',
      'opt/app.jar',
    ]) {
      assert.ok(!selector.watchesFolder(p), p);
    }
  });

  it('keeps the fingerprint of exact and children sets as it was', () => {
    const old = scanner('t', {
      exact: ['var/lib/dpkg/status', 'etc/os-release'],
      children: ['var/lib/dpkg/status.d'],
    });
    assert.equal(compileSelector([old]).fingerprint, '80eb2dc55307e6dc');
  });

  it('changes the fingerprint with patterns and magic numbers', () => {
    const prints = new Set(
      [
        [dpkg],
        [dpkg, python],
        [dpkg, scanner('x', { patterns: ['**/site-packages/*.egg-info'] })],
        [dpkg, scanner('x', { executables: { magic: ['7f454c46'] } })],
        [dpkg, scanner('x', { executables: { magic: ['cafebabe'] } })],
      ].map((set) => compileSelector(set).fingerprint),
    );
    assert.equal(prints.size, 5);
  });

  it('does not depend on scanner order or duplicates', () => {
    assert.equal(
      compileSelector([python, dpkg, python]).fingerprint,
      compileSelector([dpkg, python]).fingerprint,
    );
  });
});
