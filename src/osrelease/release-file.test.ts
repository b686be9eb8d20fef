import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { memoryFiles } from '../indexer/memory-files.js';
import type { DistributionRecord } from '../indexer/types.js';
import {
  createReleaseFileScanner,
  firstLine,
  majorVersion,
} from './release-file.js';

function record(versionId: string): DistributionRecord {
  return {
    did: 'test',
    name: 'Test',
    versionId,
    version: versionId,
    versionCodeName: '',
    prettyName: 'Test',
  };
}

const scanner = createReleaseFileScanner({
  name: 'test-release',
  version: '1',
  files: [
    {
      path: 'etc/a-release',
      priority: 2,
      parse: (text) =>
        text.startsWith('A ') ? record(text.slice(2)) : undefined,
    },
    {
      path: 'etc/shared-release',
      priority: 3,
      parse: () => undefined,
      shared: true,
    },
  ],
});

describe('createReleaseFileScanner', () => {
  it('selects its files and gives one finding per understood file', () => {
    assert.deepEqual(scanner.selector, {
      exact: ['etc/a-release', 'etc/shared-release'],
    });
    const result = scanner.scan(
      memoryFiles({ 'etc/a-release': 'A 7', 'etc/shared-release': 'x' }),
    );
    assert.deepEqual(result, {
      packages: [],
      distributions: [
        { path: 'etc/a-release', priority: 2, distribution: record('7') },
      ],
      notices: [],
    });
  });

  it('gives a notice for a file it does not understand, unless shared', () => {
    const result = scanner.scan(memoryFiles({ 'etc/a-release': 'B 7' }));
    assert.deepEqual(result.distributions, []);
    assert.deepEqual(result.notices, [
      {
        code: 'skipped-file',
        message:
          'Cannot read release file etc/a-release: no release claro knows',
        path: 'etc/a-release',
      },
    ]);
  });
});

describe('majorVersion and firstLine', () => {
  it('take the leading number and the first trimmed line', () => {
    assert.equal(majorVersion('8.10'), '8');
    assert.equal(majorVersion('42'), '42');
    assert.equal(majorVersion('rawhide'), '');
    assert.equal(majorVersion(undefined), '');
    assert.equal(firstLine('  a b \nc'), 'a b');
    assert.equal(firstLine(''), '');
  });
});
