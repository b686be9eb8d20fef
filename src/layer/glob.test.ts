import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isClaroError } from '../errors.js';
import { compileGlob, folderPrefixes } from './glob.js';

const CASES: readonly [string, string, boolean][] = [
  // `**` matches zero or more whole components.
  [
    '**/site-packages/*.dist-info/METADATA',
    'site-packages/a-1.dist-info/METADATA',
    true,
  ],
  [
    '**/site-packages/*.dist-info/METADATA',
    'usr/lib/python3.11/site-packages/a-1.dist-info/METADATA',
    true,
  ],
  [
    '**/site-packages/*.dist-info/METADATA',
    'usr/lib/python3.11/site-packages/a-1.dist-info/METADATA.bak',
    false,
  ],
  [
    '**/site-packages/*.dist-info/METADATA',
    'usr/lib/python3.11/site-packages/a-1.dist-info/sub/METADATA',
    false,
  ],
  [
    '**/site-packages/*.dist-info/METADATA',
    'usr/lib/python3.11/my-site-packages/a-1.dist-info/METADATA',
    false,
  ],
  [
    '**/site-packages/*.dist-info/METADATA',
    'usr/lib/python3.11/site-packages/a-1.dist-infos/METADATA',
    false,
  ],
  [
    '**/site-packages/*.dist-info/METADATA',
    'usr/lib/site-packages/x/a-1.dist-info/METADATA',
    false,
  ],
  [
    '**/site-packages/*.dist-info/METADATA',
    'site-packages/.dist-info/METADATA',
    true,
  ],
  // `*` never crosses a slash.
  [
    '**/node_modules/*/package.json',
    'app/node_modules/lodash/package.json',
    true,
  ],
  [
    '**/node_modules/*/package.json',
    'app/node_modules/@types/node/package.json',
    false,
  ],
  [
    '**/node_modules/*/package.json',
    'app/node_modules/a/node_modules/b/package.json',
    true,
  ],
  ['**/node_modules/*/package.json', 'app/node_modules/package.json', false],
  [
    '**/node_modules/@*/*/package.json',
    'node_modules/@types/node/package.json',
    true,
  ],
  [
    '**/node_modules/@*/*/package.json',
    'node_modules/types/node/package.json',
    false,
  ],
  // `**` in the middle, and several stars in one component.
  ['a/**/b', 'a/b', true],
  ['a/**/b', 'a/x/y/b', true],
  ['a/**/b', 'a/x/y/bb', false],
  ['a/**/b', 'xa/b', false],
  ['**', 'anything/at/all', true],
  ['*.tar.*', 'x.tar.gz', true],
  ['*.tar.*', 'x.tar', false],
  ['a*b*c', 'abc', true],
  ['a*b*c', 'aXbYc', true],
  ['a*b*c', 'acb', false],
  ['a*b*c', 'abcb', false],
  ['ab*ba', 'aba', false],
  // Anchored at the root without `**`.
  ['var/lib/dpkg/info/*.list', 'var/lib/dpkg/info/bash.list', true],
  ['var/lib/dpkg/info/*.list', 'x/var/lib/dpkg/info/bash.list', false],
  ['var/lib/dpkg/info/*.list', 'var/lib/dpkg/info/bash.list.d', false],
  ['var/lib/dpkg/info/*.list', 'var/lib/dpkg/info/bash.md5sums', false],
  // Case-sensitive.
  ['**/*.jar', 'opt/app/lib/x.JAR', false],
  ['**/*.jar', 'x.jar', true],
];

describe('compileGlob', () => {
  for (const [pattern, path, want] of CASES) {
    it(`${want ? 'matches' : 'does not match'} ${path} with ${pattern}`, () => {
      assert.equal(compileGlob(pattern).matches(path), want);
    });
  }

  it('names a literal last component, and none for a wildcard one', () => {
    assert.equal(compileGlob('**/x/METADATA').literalName, 'METADATA');
    assert.equal(compileGlob('**/*.jar').literalName, undefined);
    assert.equal(compileGlob('a/**').literalName, undefined);
  });

  it('refuses empty, dot and mixed double-star components', () => {
    for (const bad of [
      '',
      '/a',
      'a/',
      'a//b',
      './a',
      'a/../b',
      'a**',
      '**b/c',
    ]) {
      assert.throws(
        () => compileGlob(bad),
        (err) => isClaroError(err, 'INTERNAL'),
        bad,
      );
    }
  });
});

describe('folderPrefixes', () => {
  it('lists the folders before each component but a double star', () => {
    assert.deepEqual(folderPrefixes('**/site-packages/*.dist-info/METADATA'), [
      '**/site-packages',
      '**/site-packages/*.dist-info',
    ]);
    assert.deepEqual(folderPrefixes('var/lib/x/*.list'), [
      'var',
      'var/lib',
      'var/lib/x',
    ]);
    assert.deepEqual(folderPrefixes('**/node_modules/**/package.json'), [
      '**/node_modules',
    ]);
    assert.deepEqual(folderPrefixes('**/*.jar'), []);
  });
});
