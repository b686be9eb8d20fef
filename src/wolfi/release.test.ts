import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { memoryFiles } from '../indexer/memory-files.js';
import { osReleaseScanner } from '../osrelease/scanner.js';

const WOLFI = '../shared/fixtures/syft-os-release/os/wolfi/etc/os-release';

describe('Wolfi and Chainguard os-release', () => {
  it('gives the rolling Wolfi no versionId, keeping its build date', () => {
    const files = memoryFiles({ 'etc/os-release': readFileSync(WOLFI) });
    const d = osReleaseScanner.scan(files).distributions[0]?.distribution;
    assert.deepEqual(
      [d?.did, d?.versionId, d?.version, d?.prettyName],
      ['wolfi', '', '20220914', 'Wolfi'],
    );
  });

  it('does the same for Chainguard OS', () => {
    const text = [
      'ID=chainguard',
      'NAME="Chainguard"',
      'PRETTY_NAME="Chainguard"',
      'VERSION_ID="20230214"',
    ].join('\n');
    const files = memoryFiles({ 'etc/os-release': text });
    const d = osReleaseScanner.scan(files).distributions[0]?.distribution;
    assert.deepEqual(
      [d?.did, d?.versionId, d?.version],
      ['chainguard', '', '20230214'],
    );
  });
});
