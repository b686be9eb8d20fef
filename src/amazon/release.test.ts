import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { memoryFiles } from '../indexer/memory-files.js';
import { osReleaseScanner } from '../osrelease/scanner.js';
import {
  amazonReleaseScanner,
  amazonVersionId,
  parseAmazonRelease,
} from './release.js';

const AMAZON_OS_RELEASE =
  '../shared/fixtures/syft-os-release/os/amazon/etc/os-release';

describe('amazonVersionId', () => {
  it('keys the AMI releases as 1, then 2 and the year', () => {
    const cases: [string, string | undefined][] = [
      ['2018.03', '1'],
      ['2011.09', '1'],
      ['2', '2'],
      ['2023', '2023'],
      ['2023.5.20240624', '2023'],
      ['3', undefined],
      ['2018', undefined],
      ['', undefined],
    ];
    for (const [version, key] of cases) {
      assert.equal(amazonVersionId(version), key, version);
    }
  });
});

describe('Amazon Linux os-release', () => {
  it('keys Amazon Linux 2 as 2', () => {
    const files = memoryFiles({
      'etc/os-release': readFileSync(AMAZON_OS_RELEASE),
    });
    const d = osReleaseScanner.scan(files).distributions[0]?.distribution;
    assert.deepEqual([d?.did, d?.versionId, d?.version], ['amzn', '2', '2']);
  });

  it('keys Amazon Linux AMI 2018.03 as 1, keeping 2018.03', () => {
    const text = [
      'NAME="Amazon Linux AMI"',
      'VERSION="2018.03"',
      'ID="amzn"',
      'VERSION_ID="2018.03"',
    ].join('\n');
    const files = memoryFiles({ 'etc/os-release': text });
    const d = osReleaseScanner.scan(files).distributions[0]?.distribution;
    assert.deepEqual([d?.versionId, d?.version], ['1', '2018.03']);
  });
});

describe('parseAmazonRelease', () => {
  it('reads the three generations of etc/system-release', () => {
    const cases: [string, string, string][] = [
      ['Amazon Linux AMI release 2018.03\n', '1', '2018.03'],
      ['Amazon Linux release 2 (Karoo)\n', '2', '2 (Karoo)'],
      [
        'Amazon Linux release 2023.5.20240624 (Amazon Linux)\n',
        '2023',
        '2023.5.20240624 (Amazon Linux)',
      ],
    ];
    for (const [text, versionId, version] of cases) {
      const d = parseAmazonRelease(text);
      assert.deepEqual(
        [d?.did, d?.versionId, d?.version],
        ['amzn', versionId, version],
      );
      assert.equal(d?.prettyName, text.trim());
    }
  });

  it('ignores system-release files of other distributions quietly', () => {
    const text = 'Red Hat Enterprise Linux release 9.4 (Plow)\n';
    assert.equal(parseAmazonRelease(text), undefined);
    const result = amazonReleaseScanner.scan(
      memoryFiles({ 'etc/system-release': text }),
    );
    assert.deepEqual(result, { packages: [], distributions: [], notices: [] });
  });

  it('gives a finding at priority 2', () => {
    const result = amazonReleaseScanner.scan(
      memoryFiles({ 'etc/system-release': 'Amazon Linux release 2 (Karoo)' }),
    );
    assert.deepEqual(
      result.distributions.map((f) => [f.path, f.priority]),
      [['etc/system-release', 2]],
    );
  });
});
