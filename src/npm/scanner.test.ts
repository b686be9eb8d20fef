import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { memoryFiles } from '../indexer/memory-files.js';
import { npmScanner } from './scanner.js';

const TRIVY = '../shared/fixtures/trivy-npm';
const SYFT = '../shared/fixtures/syft-npm/pkg-json/package.json';
const read = (p: string) => readFileSync(`${TRIVY}/${p}`);

function pkg(name: string, version: string, packageDb: string) {
  return {
    name,
    version,
    kind: 'binary',
    packageDb,
    scheme: 'semver',
    ecosystem: 'npm',
  };
}

describe('npmScanner', () => {
  it('finds installed packages, scoped and nested ones included', () => {
    const app = 'srv/app/node_modules';
    const files = memoryFiles({
      [`${app}/jquery/package.json`]: read(
        'npm/node_modules/jquery/package.json',
      ),
      [`${app}/@scope/z-lock/package.json`]: JSON.stringify({
        name: '@scope/z-lock',
        version: '1.0.0',
      }),
      [`${app}/react/node_modules/react-is/package.json`]: read(
        'npm/node_modules/react-is/package.json',
      ),
      [`${app}/.pnpm/lodash@4.17.4/node_modules/lodash/package.json`]: read(
        'pnpm/node_modules/.pnpm/lodash@4.17.4/node_modules/lodash/package.json',
      ),
      'usr/lib/node_modules/npm/package.json': readFileSync(SYFT),
      'srv/app/package.json': '{"name":"app","version":"1.0.0"}',
      [`${app}/jquery/src/package.json`]: '{"name":"x","version":"1"}',
    });
    const got = npmScanner.scan(files);
    assert.deepEqual(got.notices, []);
    assert.deepEqual(
      got.packages.map((f) => f.packages[0]),
      [
        pkg(
          'lodash',
          '4.17.4',
          `${app}/.pnpm/lodash@4.17.4/node_modules/lodash/package.json`,
        ),
        pkg('@scope/z-lock', '1.0.0', `${app}/@scope/z-lock/package.json`),
        pkg('jquery', '3.3.9', `${app}/jquery/package.json`),
        pkg(
          'react-is',
          '16.8.6',
          `${app}/react/node_modules/react-is/package.json`,
        ),
        pkg('npm', '6.14.6', 'usr/lib/node_modules/npm/package.json'),
      ],
    );
  });

  it('passes over manifests without a name or version', () => {
    const files = memoryFiles({
      'node_modules/fixture/package.json': '{"private": true}',
      'node_modules/typed/package.json': '{"type":"module","version":"1"}',
      'node_modules/blank/package.json': '{"name":" ","version":"1.0.0"}',
    });
    assert.deepEqual(npmScanner.scan(files), {
      packages: [],
      distributions: [],
      notices: [],
    });
  });

  it('skips a manifest that is not JSON, with a notice', () => {
    const path = 'node_modules/broken/package.json';
    const got = npmScanner.scan(memoryFiles({ [path]: '{"name": "x",' }));
    assert.deepEqual(
      got.notices.map((n) => [n.code, n.path]),
      [['skipped-record', path]],
    );
  });
});
