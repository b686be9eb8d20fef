import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeEntryName } from './paths.js';

/** The rule spelled out part by part, to hold the shortcut to. */
function byParts(name: string): ReturnType<typeof normalizeEntryName> {
  if (name.startsWith('/')) return { unsafe: 'absolute' };
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) return { unsafe: 'parent' };
  return parts.length === 0 ? { unsafe: 'empty' } : { path: parts.join('/') };
}

describe('normalizeEntryName', () => {
  it('gives claro form for the names archives hold', () => {
    const cases: [string, ReturnType<typeof normalizeEntryName>][] = [
      ['./etc/os-release', { path: 'etc/os-release' }],
      ['usr/lib/', { path: 'usr/lib' }],
      ['./', { unsafe: 'empty' }],
      ['.', { unsafe: 'empty' }],
      ['./.wh..wh..opq', { path: '.wh..wh..opq' }],
      ['a/.wh.b', { path: 'a/.wh.b' }],
      ['a//b/./c/', { path: 'a/b/c' }],
      ['.//a', { path: 'a' }],
      ['././a', { path: 'a' }],
      ['a/../b', { unsafe: 'parent' }],
      ['../a', { unsafe: 'parent' }],
      ['/etc/passwd', { unsafe: 'absolute' }],
      ['a/b/..', { unsafe: 'parent' }],
      ['a/..b', { path: 'a/..b' }],
    ];
    for (const [name, want] of cases) {
      assert.deepEqual(normalizeEntryName(name), want, name);
    }
  });

  it('agrees with the part-by-part rule on every short name', () => {
    // Every name of up to six characters over the alphabet that matters.
    const alphabet = ['a', '.', '/'];
    let names = [''];
    for (let len = 1; len <= 6; len++) {
      names = names.flatMap((n) => alphabet.map((c) => n + c));
      for (const name of names) {
        assert.deepEqual(normalizeEntryName(name), byParts(name), name);
      }
    }
  });
});
