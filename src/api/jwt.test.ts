import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { bearerToken, signJwt, verifyJwt } from './jwt.js';

const key = Buffer.from('a pre-shared key of some length!');
const other = Buffer.from('another pre-shared key, not ours');
const now = 1_800_000_000;
const opts = { keys: [key], issuers: ['quay', 'clairctl'], now };

function b64(v: unknown): string {
  return Buffer.from(JSON.stringify(v)).toString('base64url');
}

/** A token with any header, signed with HMAC-SHA256 under `k`. */
function handMade(header: unknown, claims: unknown, k = key): string {
  const input = `${b64(header)}.${b64(claims)}`;
  const sig = createHmac('sha256', k).update(input).digest('base64url');
  return `${input}.${sig}`;
}

describe('verifyJwt', () => {
  it('accepts a token signed with the key from a known issuer', () => {
    const claims = { iss: 'quay', exp: now + 60, nbf: now - 1, iat: now };
    assert.deepEqual(verifyJwt(signJwt(claims, key), opts), {
      ok: true,
      claims,
    });
  });

  it('accepts a token signed with any of several keys', () => {
    const token = signJwt({ iss: 'clairctl' }, key);
    const result = verifyJwt(token, { ...opts, keys: [other, key] });
    assert.equal(result.ok, true);
  });

  const refused: [string, string, string][] = [
    ['expired', signJwt({ iss: 'quay', exp: now - 16 }, key), 'expired'],
    [
      'not yet valid',
      signJwt({ iss: 'quay', nbf: now + 16 }, key),
      'not yet valid',
    ],
    [
      'issued in the future',
      signJwt({ iss: 'quay', iat: now + 60 }, key),
      'issued later',
    ],
    [
      'from an unknown issuer',
      signJwt({ iss: 'mallory' }, key),
      'unknown issuer',
    ],
    ['without an issuer', signJwt({ sub: 'x' }, key), 'no issuer'],
    [
      'signed with another key',
      signJwt({ iss: 'quay' }, other),
      'bad signature',
    ],
    [
      'with a non-numeric exp',
      signJwt({ iss: 'quay', exp: '9' }, key),
      'exp not numeric',
    ],
    [
      'of alg none',
      `${b64({ alg: 'none' })}.${b64({ iss: 'quay' })}.`,
      'algorithm is not HS256',
    ],
    [
      'of alg RS256',
      handMade({ alg: 'RS256' }, { iss: 'quay' }),
      'algorithm is not HS256',
    ],
    [
      'of alg HS512',
      handMade({ alg: 'HS512' }, { iss: 'quay' }),
      'algorithm is not HS256',
    ],
    [
      'with a critical extension',
      handMade({ alg: 'HS256', crit: ['b64'] }, { iss: 'quay' }),
      'critical extension',
    ],
    [
      'with claims that are not an object',
      handMade({ alg: 'HS256' }, ['quay']),
      'malformed claims',
    ],
    [
      'with a header that is not JSON',
      `bm90IGpzb24.${b64({ iss: 'quay' })}.AAAA`,
      'malformed header',
    ],
    ['with two parts', 'abc.def', 'not a compact JWS'],
    [
      'with padding in the signature',
      `${signJwt({ iss: 'quay' }, key)}=`,
      'bad signature',
    ],
  ];
  for (const [name, token, reason] of refused) {
    it(`refuses a token ${name}`, () => {
      assert.deepEqual(verifyJwt(token, opts), { ok: false, reason });
    });
  }

  it('allows 15 seconds of clock skew', () => {
    const late = signJwt({ iss: 'quay', exp: now - 14 }, key);
    const early = signJwt({ iss: 'quay', nbf: now + 14 }, key);
    assert.equal(verifyJwt(late, opts).ok, true);
    assert.equal(verifyJwt(early, opts).ok, true);
  });

  it('refuses every token when no key is configured', () => {
    const token = signJwt({ iss: 'quay' }, key);
    assert.equal(verifyJwt(token, { ...opts, keys: [] }).ok, false);
  });

  it('refuses a signature that differs in its last byte', () => {
    const token = signJwt({ iss: 'quay' }, key);
    const last = token.at(-1) === 'A' ? 'B' : 'A';
    assert.equal(verifyJwt(token.slice(0, -1) + last, opts).ok, false);
  });
});

describe('bearerToken', () => {
  it('reads the token of a Bearer field, any scheme case', () => {
    assert.equal(bearerToken('Bearer a.b.c'), 'a.b.c');
    assert.equal(bearerToken('bearer a.b.c'), 'a.b.c');
  });

  it('gives nothing for other schemes or no field', () => {
    assert.equal(bearerToken('Basic dXNlcjpwYXNz'), undefined);
    assert.equal(bearerToken(undefined), undefined);
    assert.equal(bearerToken('Bearer '), undefined);
  });
});
