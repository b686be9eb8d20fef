import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { readGoBuildInfo, type GoBuildInfo } from './buildinfo.js';
import { goPackages } from './packages.js';

const DB = 'usr/local/bin/tool';
const GO = { kind: 'binary', packageDb: DB, scheme: 'go', ecosystem: 'Go' };

function buildInfo(extra: Partial<GoBuildInfo>): GoBuildInfo {
  return {
    goVersion: 'go1.22.3',
    deps: [],
    settings: [],
    skipped: [],
    ...extra,
  };
}

describe('goPackages', () => {
  it('reports stdlib, the main module and the replacement module', () => {
    const path =
      '../shared/fixtures/osv-scalibr-gobinary/' +
      'binary_with_module_replacement-linux-amd64';
    const read = readGoBuildInfo(readFileSync(path));
    assert.equal(read.kind, 'go');
    if (read.kind !== 'go') return;

    assert.deepEqual(goPackages(read.info, DB), [
      { name: 'stdlib', version: 'go1.22.0', ...GO },
      { name: 'binary_with_module_replacement', version: '(devel)', ...GO },
      {
        name: 'github.com/golang/xerrors',
        version: 'v0.0.0-20220907171357-04be3eba64a2',
        kind: 'binary',
        source: {
          name: 'golang.org/x/xerrors',
          version: 'v0.0.0-20220907171357-04be3eba64a2',
        },
        packageDb: DB,
        scheme: 'go',
        ecosystem: 'Go',
      },
    ]);
  });

  it('drops the experiment suffix from the stdlib version', () => {
    const got = goPackages(buildInfo({ goVersion: 'go1.22.1 X:loopvar' }), DB);
    assert.deepEqual(got, [{ name: 'stdlib', version: 'go1.22.1', ...GO }]);
  });

  it('keeps a development toolchain version whole', () => {
    const goVersion = 'devel go1.23-e8ee1dc4f9 Tue Apr 2 2024 +0000';
    const got = goPackages(buildInfo({ goVersion }), DB);
    assert.deepEqual(got, [{ name: 'stdlib', version: goVersion, ...GO }]);
  });

  it('reports a directory replacement under the original path as (devel)', () => {
    const got = goPackages(
      buildInfo({
        deps: [
          {
            path: 'example.com/lib',
            version: 'v1.0.0',
            replace: { path: '../lib', version: '' },
          },
        ],
      }),
      DB,
    );
    assert.deepEqual(got[1], {
      name: 'example.com/lib',
      version: '(devel)',
      ...GO,
    });
  });

  it('skips dependencies without a path', () => {
    const got = goPackages(
      buildInfo({
        main: { path: '', version: '' },
        deps: [{ path: '', version: '(devel)' }],
      }),
      DB,
    );
    assert.deepEqual(
      got.map((p) => p.name),
      ['stdlib'],
    );
  });
});
