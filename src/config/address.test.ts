import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { isClaroError } from '../errors.js';
import {
  formatListenAddr,
  parseListenAddr,
  type ListenAddr,
} from './address.js';

describe('parseListenAddr', () => {
  const valid: readonly [string, ListenAddr][] = [
    ['127.0.0.1:6060', { host: '127.0.0.1', port: 6060 }],
    [':6060', { host: '', port: 6060 }],
    ['localhost:0', { host: 'localhost', port: 0 }],
    [
      'claro.example.internal:65535',
      { host: 'claro.example.internal', port: 65535 },
    ],
    ['[::1]:8089', { host: '::1', port: 8089 }],
    ['[::]:8089', { host: '::', port: 8089 }],
    ['0.0.0.0:80', { host: '0.0.0.0', port: 80 }],
  ];
  for (const [text, addr] of valid) {
    it(`reads ${text}`, () => {
      assert.deepEqual(parseListenAddr(text), addr);
    });
  }

  const invalid: readonly [string, string][] = [
    ['6060', 'expected host:port'],
    ['', 'expected host:port'],
    ['localhost:', 'the port must be a number from 0 to 65535'],
    ['localhost:http', 'the port must be a number from 0 to 65535'],
    ['localhost:65536', 'the port must be a number from 0 to 65535'],
    ['localhost:-1', 'the port must be a number from 0 to 65535'],
    ['::1:6060', 'write an IPv6 address in brackets: [::1]:6060'],
    ['[localhost]:6060', '"localhost" is not an IPv6 address'],
    ['bad_host:6060', '"bad_host" is not a host name or IP address'],
    ['http://x:6060', 'write an IPv6 address in brackets: [::1]:6060'],
    ['a b:1', '"a b" is not a host name or IP address'],
    ['-a:1', '"-a" is not a host name or IP address'],
    ['a..b:1', '"a..b" is not a host name or IP address'],
    [
      `${'a'.repeat(64)}:1`,
      `"${'a'.repeat(64)}" is not a host name or IP address`,
    ],
  ];
  for (const [text, reason] of invalid) {
    it(`rejects ${JSON.stringify(text)}: ${reason}`, () => {
      assert.throws(
        () => parseListenAddr(text),
        (err: unknown) =>
          isClaroError(err, 'INVALID_ARGUMENT') &&
          err.message === `Cannot parse address "${text}": ${reason}`,
      );
    });
  }
});

describe('formatListenAddr', () => {
  it('puts an IPv6 address in brackets', () => {
    assert.equal(formatListenAddr({ host: '::1', port: 1 }), '[::1]:1');
  });

  it('writes other hosts as they are', () => {
    assert.equal(
      formatListenAddr({ host: 'localhost', port: 2 }),
      'localhost:2',
    );
    assert.equal(formatListenAddr({ host: '', port: 3 }), ':3');
  });
});
