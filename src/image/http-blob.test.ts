import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isClaroError } from '../errors.js';
import { fetchBlob, safeUrl } from './http-blob.js';

describe('safeUrl', () => {
  const table: [string, string][] = [
    ['http://127.0.0.1:5000/v2/x', 'http://127.0.0.1:5000/v2/x'],
    ['https://u:pw@reg.test/b', 'https://reg.test/b'],
    ['https://u@reg.test/b', 'https://reg.test/b'],
    [
      'https://s3.test/b?X-Amz-Signature=abc&X-Amz-Expires=60',
      'https://s3.test/b?X-Amz-Signature=***&X-Amz-Expires=***',
    ],
    ['https://reg.test/b#frag', 'https://reg.test/b'],
    ['not a url', '(invalid URL)'],
  ];
  for (const [url, want] of table) {
    it(`prints ${url} as ${want}`, () => assert.equal(safeUrl(url), want));
  }
});

describe('fetchBlob', () => {
  const refuses = async (url: string, headers: object, message: string) =>
    assert.rejects(
      fetchBlob(url, { what: 'blob x', headers: headers as never }),
      (err) => {
        assert.ok(isClaroError(err, 'INVALID_ARGUMENT'), String(err));
        assert.equal(err.message, message);
        return true;
      },
    );

  it('refuses a URL that is not http(s) before sending', async () => {
    await refuses(
      'data:text/plain,secret',
      {},
      'Cannot fetch blob x: not an absolute http(s) URL',
    );
  });

  it('refuses a header HTTP cannot carry, without its value', async () => {
    await refuses(
      'http://127.0.0.1:1/never-sent',
      { 'X-A': ['secret\nX-B: y'] },
      'Cannot fetch blob x: header "X-A" has an invalid name or value',
    );
  });
});
