import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileGlob } from './glob.js';
import { GlobIndex } from './glob-index.js';

/** One of each kind the index files globs under, and near misses. */
const PATTERNS = [
  '**/site-packages/*.dist-info/METADATA',
  '**/site-packages/*.egg-info',
  'var/lib/dpkg/info/*.list',
  '**/*.tar.gz',
  '**/node_modules/*',
  '**/node_modules/@*/*',
  '**/libexec/**',
  '**/bin/*',
  'etc/*-release',
  '**',
];

const PATHS = [
  'usr/lib/site-packages/a-1.dist-info/METADATA',
  'usr/lib/site-packages/a-1.dist-info/METADATA.orig',
  'site-packages/b.egg-info',
  'site-packages/x/b.egg-info',
  'var/lib/dpkg/info/bash.list',
  'var/lib/dpkg/info/bash.list.bak',
  'srv/x.tar.gz',
  'srv/x.gz',
  'srv/tar.gz',
  'node_modules/a',
  'node_modules/@s/a',
  'node_modules/@s/a/b',
  'usr/libexec/docker/cli-plugins/docker-buildx',
  'usr/libexec',
  'bin/sh',
  'usr/bin/sh',
  'usr/bin',
  'etc/os-release',
  'etc/release',
  'METADATA',
  'x',
];

describe('GlobIndex', () => {
  it('finds exactly the globs that match, whichever way each is filed', () => {
    const globs = PATTERNS.map(compileGlob);
    for (const pattern of PATTERNS) {
      const index = new GlobIndex<string[]>((a, b) => [...a, ...b]);
      index.add(pattern, [pattern]);
      for (const path of PATHS) {
        const want = globs.find((g) => g.source === pattern)!.matches(path);
        assert.equal(
          index.lookup(path) !== undefined,
          want,
          `${pattern} ${path}`,
        );
      }
    }
  });

  it('merges the values of every matching glob', () => {
    const index = new GlobIndex<string[]>((a, b) => [...a, ...b].sort());
    for (const p of PATTERNS) index.add(p, [p]);
    assert.deepEqual(index.lookup('usr/bin/sh'), ['**', '**/bin/*']);
    assert.deepEqual(index.lookup('var/lib/dpkg/info/bash.list'), [
      '**',
      'var/lib/dpkg/info/*.list',
    ]);
    const none = new GlobIndex<true>(() => true);
    none.add('**/bin/*', true);
    assert.equal(none.lookup('usr/lib/sh'), undefined);
  });
});
