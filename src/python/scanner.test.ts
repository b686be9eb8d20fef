import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { memoryFiles } from '../indexer/memory-files.js';
import { normalizePythonName, readCoreMetadata } from './metadata.js';
import { pythonScanner } from './scanner.js';

const FIXTURES = '../shared/fixtures/syft-python/site-packages';
const fixture = (p: string) => readFileSync(`${FIXTURES}/${p}`);
const SITE = 'usr/local/lib/python3.11/site-packages';

describe('normalizePythonName', () => {
  it('lowers case and folds runs of -, _ and . into one -', () => {
    const cases: [string, string][] = [
      ['Pygments', 'pygments'],
      ['zope.interface', 'zope-interface'],
      ['typing_extensions', 'typing-extensions'],
      ['Foo__Bar-.-baz', 'foo-bar-baz'],
      ['requests', 'requests'],
    ];
    for (const [name, want] of cases) {
      assert.equal(normalizePythonName(name), want, name);
    }
  });
});

describe('readCoreMetadata', () => {
  it('reads the first Name and Version of the headers only', () => {
    const text =
      'Metadata-Version: 2.1\r\nName:  My.Pkg \r\nVersion: 1.0\r\n' +
      'Description: x\r\n        Version: 9\r\n\r\nName: body\r\n';
    assert.deepEqual(readCoreMetadata(text), {
      name: 'My.Pkg',
      version: '1.0',
    });
  });

  it('stops at the first empty line', () => {
    assert.deepEqual(readCoreMetadata('Name: a\n\nVersion: 1\n'), {
      name: 'a',
    });
  });

  it('reads the PKG-INFO of an egg with a long description', () => {
    assert.deepEqual(
      readCoreMetadata(fixture('nested/egg-name/egg-info/PKG-INFO').toString()),
      { name: 'requests', version: '2.22.0' },
    );
  });
});

describe('pythonScanner', () => {
  it('finds dist-info, egg-info folders and egg-info files', () => {
    const files = memoryFiles({
      [`${SITE}/Pygments-2.6.1.dist-info/METADATA`]: fixture(
        'nested/dist-name/dist-info/METADATA',
      ),
      [`${SITE}/requests-2.22.0-py3.11.egg-info/PKG-INFO`]: fixture(
        'nested/egg-name/egg-info/PKG-INFO',
      ),
      'usr/lib/python3/dist-packages/requests-2.22.0.egg-info':
        fixture('test/test.egg-info'),
      [`${SITE}/Pygments-2.6.1.dist-info/RECORD`]: 'not metadata',
      'opt/Pygments-2.6.1.dist-info/METADATA': 'Name: x\nVersion: 1\n',
    });
    const got = pythonScanner.scan(files);
    assert.deepEqual(got.notices, []);
    assert.deepEqual(
      got.packages.map((f) => [f.path, f.packages]),
      [
        [
          'usr/lib/python3/dist-packages/requests-2.22.0.egg-info',
          [
            pkg(
              'requests',
              '2.22.0',
              'usr/lib/python3/dist-packages/requests-2.22.0.egg-info',
            ),
          ],
        ],
        [
          `${SITE}/Pygments-2.6.1.dist-info/METADATA`,
          [
            pkg(
              'pygments',
              '2.6.1',
              `${SITE}/Pygments-2.6.1.dist-info/METADATA`,
            ),
          ],
        ],
        [
          `${SITE}/requests-2.22.0-py3.11.egg-info/PKG-INFO`,
          [
            pkg(
              'requests',
              '2.22.0',
              `${SITE}/requests-2.22.0-py3.11.egg-info/PKG-INFO`,
            ),
          ],
        ],
      ],
    );
  });

  it('skips metadata without a version, with a notice', () => {
    const path = `${SITE}/no-version-py3.8.egg-info`;
    const got = pythonScanner.scan(
      memoryFiles({ [path]: fixture('no-version/no-version-py3.8.egg-info') }),
    );
    assert.deepEqual(got.packages, []);
    assert.deepEqual(
      got.notices.map((n) => [n.code, n.path, n.message]),
      [
        [
          'skipped-record',
          path,
          `Skipped Python metadata ${path}: no Version header`,
        ],
      ],
    );
  });
});

function pkg(name: string, version: string, packageDb: string) {
  return {
    name,
    version,
    kind: 'binary',
    packageDb,
    scheme: 'pep440',
    ecosystem: 'PyPI',
  };
}
