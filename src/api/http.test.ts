import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { ClaroError } from '../errors.js';
import { asHttpError, errorCode, HttpError, notModified } from './http.js';

function withIfNoneMatch(value: string | undefined): IncomingMessage {
  const headers = value === undefined ? {} : { 'if-none-match': value };
  return { headers } as IncomingMessage;
}

describe('notModified', () => {
  const table: [string | undefined, boolean][] = [
    [undefined, false],
    ['"abc"', true],
    ['W/"abc"', true],
    ['"x", "abc"', true],
    ['"x",W/"abc" ', true],
    ['*', true],
    ['"abcd"', false],
    ['abc', false],
  ];
  for (const [field, expected] of table) {
    it(`reads If-None-Match ${JSON.stringify(field)} as ${expected}`, () => {
      assert.equal(notModified(withIfNoneMatch(field), '"abc"'), expected);
    });
  }
});

describe('errorCode', () => {
  it("gives Clair's codes, and internal-error for the rest", () => {
    const codes = [400, 401, 404, 405, 413, 429, 500, 502].map(errorCode);
    assert.deepEqual(codes, [
      'bad-request',
      'unauthorized',
      'not-found',
      'method-not-allowed',
      'content-too-large',
      'too-many-requests',
      'internal-error',
      'internal-error',
    ]);
  });
});

describe('asHttpError', () => {
  it('keeps the caller-mistake statuses of ClaroErrors, else 500', () => {
    const status = (code: ConstructorParameters<typeof ClaroError>[0]) =>
      asHttpError(new ClaroError(code, 'Cannot x: y'))?.status;
    assert.equal(status('INVALID_ARGUMENT'), 400);
    assert.equal(status('NOT_FOUND'), 404);
    assert.equal(status('FETCH_FAILED'), 500);
    assert.equal(status('STORE_FAILED'), 500);
  });

  it('passes HttpErrors through and leaves other throws undefined', () => {
    const e = new HttpError(429, 'busy');
    assert.equal(asHttpError(e), e);
    assert.equal(asHttpError(new Error('bug')), undefined);
  });
});
