import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { defaultCacheDir, defaultDatabasePath } from './paths.js';

describe('defaultCacheDir', () => {
  const homeDir = '/home/ana';
  const cases: [string, NodeJS.ProcessEnv, string][] = [
    [
      'uses CLARO_CACHE_DIR first',
      { CLARO_CACHE_DIR: '/srv/claro', XDG_CACHE_HOME: '/x' },
      '/srv/claro',
    ],
    [
      'uses XDG_CACHE_HOME/claro next',
      { XDG_CACHE_HOME: '/var/cache/ana' },
      '/var/cache/ana/claro',
    ],
    ['falls back to ~/.cache/claro', {}, '/home/ana/.cache/claro'],
    [
      'ignores an empty CLARO_CACHE_DIR',
      { CLARO_CACHE_DIR: '' },
      '/home/ana/.cache/claro',
    ],
    [
      'ignores an empty XDG_CACHE_HOME',
      { XDG_CACHE_HOME: '' },
      '/home/ana/.cache/claro',
    ],
    [
      'ignores a relative XDG_CACHE_HOME',
      { XDG_CACHE_HOME: 'cache' },
      '/home/ana/.cache/claro',
    ],
  ];
  for (const [name, env, want] of cases) {
    it(name, () => {
      assert.equal(defaultCacheDir({ env, homeDir }), want);
    });
  }

  it('resolves a relative CLARO_CACHE_DIR against the working folder', () => {
    const env = { CLARO_CACHE_DIR: 'rel/cache' };
    assert.equal(defaultCacheDir({ env }), `${process.cwd()}/rel/cache`);
  });
});

describe('defaultDatabasePath', () => {
  it('names claro.db in the cache folder', () => {
    const env = { CLARO_CACHE_DIR: '/srv/claro' };
    assert.equal(defaultDatabasePath({ env }), '/srv/claro/claro.db');
  });
});
