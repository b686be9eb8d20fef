import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseChallenges } from './challenge.js';

describe('parseChallenges', () => {
  const table: [string, string, unknown][] = [
    [
      'a Bearer challenge as the distribution spec shows it',
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push"',
      [
        {
          scheme: 'bearer',
          params: {
            realm: 'https://auth.docker.io/token',
            service: 'registry.docker.io',
            scope: 'repository:samalba/my-app:pull,push',
          },
        },
      ],
    ],
    [
      'a Basic challenge',
      'Basic realm="Registry Realm"',
      [{ scheme: 'basic', params: { realm: 'Registry Realm' } }],
    ],
    [
      'two challenges in one field, token values and spaces',
      'Basic realm=r1 , Bearer  Realm = "a\\"b", error=invalid_token',
      [
        { scheme: 'basic', params: { realm: 'r1' } },
        { scheme: 'bearer', params: { realm: 'a"b', error: 'invalid_token' } },
      ],
    ],
    ['a scheme alone', 'Negotiate', [{ scheme: 'negotiate', params: {} }]],
    ['nothing', '', []],
    [
      'an unterminated quote, kept up to it',
      'Bearer realm="x", service="y',
      [{ scheme: 'bearer', params: { realm: 'x' } }],
    ],
  ];
  for (const [name, field, want] of table) {
    it(`reads ${name}`, () => assert.deepEqual(parseChallenges(field), want));
  }
});
