import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { isRecordFile, parseRecord } from './record.js';

const PYPI = '../shared/data/feeds/osv/pypi/vulns';

describe('parseRecord', () => {
  it('reads a YAML record of the PyPA advisory database', () => {
    const path = `${PYPI}/pygments/PYSEC-2021-140.yaml`;
    const record = parseRecord(path, readFileSync(path));
    assert.ok(typeof record !== 'string', String(record));
    assert.equal(record.id, 'PYSEC-2021-140');
    assert.deepEqual(record.aliases, ['CVE-2021-20270', 'GHSA-9w8r-397f-prfh']);
    assert.equal(record.published, '2021-03-23T17:15:00Z');
    const [affected] = record.affected ?? [];
    assert.deepEqual(affected?.package, {
      name: 'pygments',
      ecosystem: 'PyPI',
      purl: 'pkg:pypi/pygments',
    });
    assert.deepEqual(affected?.ranges, [
      {
        type: 'ECOSYSTEM',
        events: [{ introduced: '1.5' }, { fixed: '2.7.4' }],
      },
    ]);
    assert.deepEqual(affected?.versions?.slice(0, 4), [
      '1.5',
      '1.6',
      '1.6rc1',
      '2.0',
    ]);
  });

  it('keeps unquoted YAML versions that look like numbers as written', () => {
    const yaml = [
      'id: PYSEC-0000-1',
      'modified: 2024-01-01T00:00:00Z',
      'withdrawn: null',
      'affected:',
      '- package: {name: x, ecosystem: PyPI}',
      '  versions: [1.10, 2.0, 3, 0x1A, 1e3]',
      '',
    ].join('\n');
    const record = parseRecord('x.yml', Buffer.from(yaml));
    assert.ok(typeof record !== 'string', String(record));
    assert.equal(record.withdrawn, undefined);
    assert.equal(record.modified, '2024-01-01T00:00:00Z');
    assert.deepEqual(record.affected?.[0]?.versions, [
      '1.10',
      '2.0',
      '3',
      '0x1A',
      '1e3',
    ]);
  });

  it('reads JSON with null lists as absent', () => {
    const json = JSON.stringify({
      id: 'GHSA-xxxx',
      modified: '2024-01-01T00:00:00Z',
      aliases: null,
      severity: [],
      affected: [{ package: { name: 'x', ecosystem: 'npm' }, versions: null }],
      extra: { newer: 'field' },
    });
    const record = parseRecord('GHSA-xxxx.json', Buffer.from(json));
    assert.ok(typeof record !== 'string', String(record));
    assert.equal(record.aliases, null);
    assert.deepEqual(record.severity, []);
  });

  it('says why a document is not a record', () => {
    const cases: [string, string, string][] = [
      ['a.json', '{"id": "X"', 'JSON'],
      ['a.json', '{"modified": "2024-01-01"}', 'id: '],
      ['a.json', '[]', 'record: '],
      [
        'a.json',
        '{"id":"X","modified":"m","affected":[{"ranges":[{"type":"GIT"}]}]}',
        'affected.0.ranges.0.events: ',
      ],
      ['a.yaml', 'id: [unclosed', ''],
    ];
    for (const [name, body, start] of cases) {
      const got = parseRecord(name, Buffer.from(body));
      assert.equal(typeof got, 'string', body);
      assert.ok((got as string).includes(start), `${body}: ${String(got)}`);
    }
  });
});

describe('isRecordFile', () => {
  it('takes JSON and YAML files only', () => {
    const yes = ['GO-2020-0001.json', 'a/PYSEC-1.yaml', 'b.YML'];
    const no = ['LICENSE', 'SOURCES.tsv', 'all.zip', 'json', 'a.json.orig'];
    for (const n of yes) assert.equal(isRecordFile(n), true, n);
    for (const n of no) assert.equal(isRecordFile(n), false, n);
  });
});
