import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { memoryFiles } from './memory-files.js';
import { DEFAULT_SCANNERS } from './scanners.js';

describe('DEFAULT_SCANNERS', () => {
  it('gives every scanner a unique name', () => {
    const names = DEFAULT_SCANNERS.map((s) => s.name);
    assert.equal(new Set(names).size, names.length, names.join(', '));
  });

  for (const scanner of DEFAULT_SCANNERS) {
    describe(scanner.name, () => {
      it('has a lower-case name and a non-empty version', () => {
        assert.match(scanner.name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
        assert.notEqual(scanner.version.trim(), '');
      });

      it('selects relative paths without leading or trailing slash', () => {
        const { exact = [], children = [], patterns = [] } = scanner.selector;
        const paths = [...exact, ...children, ...patterns];
        const magic = scanner.selector.executables?.magic ?? [];
        assert.ok(paths.length + magic.length > 0, 'selects something');
        for (const m of magic) assert.match(m, /^([0-9a-f]{2})+$/);
        for (const path of paths) {
          assert.ok(!path.startsWith('/'), path);
          assert.ok(!path.startsWith('./'), path);
          assert.ok(!path.endsWith('/'), path);
          assert.ok(!path.split('/').includes('..'), path);
          assert.notEqual(path, '');
        }
      });

      it('keeps a positive maximum file size', () => {
        assert.ok(Number.isInteger(scanner.maxFileSize));
        assert.ok(scanner.maxFileSize > 0);
      });

      it('returns an empty result for a layer without its files', () => {
        assert.deepEqual(scanner.scan(memoryFiles({})), {
          packages: [],
          distributions: [],
          notices: [],
        });
      });
    });
  }
});
