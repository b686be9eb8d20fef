import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';

import { isClaroError } from '../errors.js';
import { compareVersions } from './compare-command.js';

async function run(scheme: string, text: string) {
  const output = new PassThrough();
  const chunks: string[] = [];
  output.setEncoding('utf8').on('data', (c: string) => chunks.push(c));
  const summary = await compareVersions(scheme, Readable.from([text]), output);
  return { summary, text: chunks.join('') };
}

/** Scheme, three pairs, their verdicts. */
const LANGUAGE_CASES: readonly [string, readonly string[], string][] = [
  [
    'semver',
    ['4.17.15 4.17.21', '1.0.0+a 1.0.0', '=1.2.3 1.2.3'],
    '< = invalid',
  ],
  ['pep440', ['2.6.1 2.7.4', '1.0-1 1.0.post1', '1.0- 1.0'], '< = invalid'],
  ['maven', ['1.0-SNAPSHOT 1.0', '1.0.0.Final 1', '1-sp 1'], '< = >'],
  ['gem', ['7.0.0.rc1 7.0.0', '1.0-1 1.0.pre.1', '1..0 1'], '< = invalid'],
  [
    'go',
    ['go1.21rc2 1.21.0-rc.2', 'v2.0.0+incompatible v1.9', 'v1.2-pre v1'],
    '= > invalid',
  ],
];

describe('compareVersions', () => {
  it('answers one line per dpkg pair and skips blank lines', async () => {
    const input = [
      '1.0-1 1.0+dfsg-1',
      '',
      '  2:1.0\t1:9.9  ',
      '1.0~rc1 1.0~rc1',
      '   ',
      '1.0-1+deb12u1 1.0-1',
      '',
    ].join('\n');
    const { summary, text } = await run('dpkg', input);
    assert.equal(text, '<\n>\n=\n>\n');
    assert.deepEqual(summary, { invalid: 0, lines: 4 });
  });

  it('answers invalid for rejected versions and malformed lines', async () => {
    const input = [
      '1.0-r0 1.0-r1',
      '1.0_foo 1.0',
      '1.0',
      '1.0 1.1 1.2',
      '1.0_rc1 1.0',
    ].join('\r\n');
    const { summary, text } = await run('apk', input);
    assert.equal(text, '<\ninvalid\ninvalid\ninvalid\n<\n');
    assert.deepEqual(summary, { invalid: 3, lines: 5 });
  });

  it('answers for the language schemes, one line per pair', async () => {
    for (const [scheme, pairs, verdicts] of LANGUAGE_CASES) {
      const { summary, text } = await run(scheme, pairs.join('\n'));
      assert.equal(text, verdicts.replaceAll(' ', '\n') + '\n', scheme);
      const invalid = verdicts.split(' ').filter((v) => v === 'invalid');
      assert.deepEqual(summary, { invalid: invalid.length, lines: 3 });
    }
  });

  it('reads pairs split across chunks', async () => {
    const output = new PassThrough();
    let text = '';
    output.setEncoding('utf8').on('data', (c: string) => (text += c));
    const input = Readable.from(['1:1.0 1:1', '.0\n1.0- 1.0\n2.0 1.0']);
    const summary = await compareVersions('dpkg', input, output);
    assert.equal(text, '=\ninvalid\n>\n');
    assert.deepEqual(summary, { invalid: 1, lines: 3 });
  });

  it('rejects an unknown scheme with INVALID_ARGUMENT', async () => {
    await assert.rejects(run('rpm-but-misspelled', '1 2\n'), (err) =>
      isClaroError(err, 'INVALID_ARGUMENT'),
    );
  });
});
