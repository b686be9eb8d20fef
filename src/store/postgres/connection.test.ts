import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { isClaroError } from '../../errors.js';
import { isPostgresConnstring, parseConnstring, redact } from './connection.js';

describe('parseConnstring with keyword/value words', () => {
  const cases: [string, Record<string, unknown>][] = [
    [
      'host=127.0.0.1 port=5432 dbname=claro user=claro password=secret',
      {
        host: '127.0.0.1',
        port: 5432,
        database: 'claro',
        user: 'claro',
        password: 'secret',
      },
    ],
    ['dbname = claro', { database: 'claro' }],
    ["password='a value'  user =claro", { password: 'a value', user: 'claro' }],
    [
      String.raw`password='it\'s \\ here'`,
      { password: String.raw`it's \ here` },
    ],
    [String.raw`password=back\ slash`, { password: 'back slash' }],
    ["password='' user=x", { password: '', user: 'x' }],
    ['user=a user=b', { user: 'b' }],
    ['host=db hostaddr=127.0.0.1', { host: '127.0.0.1' }],
    [
      "options='-c statement_timeout=5000' application_name=claro-a",
      { options: '-c statement_timeout=5000', application_name: 'claro-a' },
    ],
    ['host=/var/run/postgresql', { host: '/var/run/postgresql' }],
  ];
  for (const [words, want] of cases) {
    it(`reads ${words}`, () => {
      const { config } = parseConnstring(words);
      const { fallback_application_name, connectionTimeoutMillis, ...rest } =
        config;
      assert.deepEqual(rest, want);
      assert.equal(fallback_application_name, 'claro');
      assert.equal(connectionTimeoutMillis, 10_000);
    });
  }

  it('reads connect_timeout in seconds, sslmode and keepalives', () => {
    const { config } = parseConnstring(
      'dbname=x connect_timeout=3 sslmode=require keepalives=0',
    );
    assert.equal(config.connectionTimeoutMillis, 3_000);
    assert.deepEqual(config.ssl, { rejectUnauthorized: false });
    assert.equal(config.keepAlive, false);
    assert.equal(parseConnstring('dbname=x sslmode=disable').config.ssl, false);
    assert.equal(parseConnstring('dbname=x sslmode=prefer').config.ssl, false);
    assert.deepEqual(
      parseConnstring('dbname=x sslmode=verify-full').config.ssl,
      {},
    );
  });

  const bad: [string, string][] = [
    ["password='secret", 'unterminated quoted string'],
    ['dbname=x password', 'missing "=" after "password"'],
    ['dbname=x target_session_attrs=any', 'unsupported connection keyword'],
    ['port=99999 password=secret', 'invalid port "99999"'],
    ['connect_timeout=soon password=secret', 'invalid connect_timeout'],
    ['sslmode=maybe password=secret', 'invalid sslmode "maybe"'],
    ['sslmode=verify-ca password=secret', 'verify-ca needs sslrootcert'],
    ['sslmode=require sslrootcert=/nonexistent/ca.pem', 'cannot read'],
  ];
  for (const [words, reason] of bad) {
    it(`rejects ${words.replace(/secret/g, '…')} without the password`, () => {
      assert.throws(
        () => parseConnstring(words),
        (err: unknown) =>
          isClaroError(err, 'INVALID_ARGUMENT') &&
          err.message.startsWith('Cannot open store ') &&
          err.message.includes(reason) &&
          !err.message.includes('secret'),
      );
    });
  }
});

describe('parseConnstring with URIs', () => {
  it('hands a URI to node-postgres as it is', () => {
    const uri =
      'postgresql://claro:secret@127.0.0.1:5432/claro?sslmode=disable';
    const parsed = parseConnstring(uri);
    assert.equal(parsed.config.connectionString, uri);
    assert.equal(parsed.config.connectionTimeoutMillis, 10_000);
    assert.equal(
      parsed.display,
      'postgresql://claro:***@127.0.0.1:5432/claro?sslmode=disable',
    );
  });

  it('reads connect_timeout from the query', () => {
    const parsed = parseConnstring('postgres://h/db?connect_timeout=2');
    assert.equal(parsed.config.connectionTimeoutMillis, 2_000);
  });

  it('rejects a string that is neither form', () => {
    assert.throws(
      () => parseConnstring('/var/lib/claro.db'),
      (err: unknown) => isClaroError(err, 'INVALID_ARGUMENT'),
    );
  });
});

describe('redact', () => {
  const cases: [string, string][] = [
    ['postgres://u:pw@h:5432/db', 'postgres://u:***@h:5432/db'],
    ['postgres://u:p/w?x@h/db', 'postgres://u:***@h/db'],
    ['postgres://u:p@w@h/db', 'postgres://u:***@h/db'],
    ['postgres://u@h:5432/db', 'postgres://u@h:5432/db'],
    ['postgres://h:5432/db', 'postgres://h:5432/db'],
    [
      'postgres://h/db?user=u&password=pw&x=1',
      'postgres://h/db?user=u&password=***&x=1',
    ],
    ['host=h password=pw user=u', 'host=h password=*** user=u'],
    ["host=h password = 'p w\\' x' user=u", 'host=h password = *** user=u'],
    [String.raw`password=p\ w user=u`, 'password=*** user=u'],
  ];
  for (const [raw, shown] of cases) {
    it(`shows ${shown}`, () => {
      assert.equal(redact(raw), shown);
    });
  }
});

describe('isPostgresConnstring', () => {
  const cases: [string, boolean][] = [
    ['postgres://h/db', true],
    ['POSTGRESQL://h/db', true],
    ['host=h', true],
    [' dbname = x', true],
    ['/var/lib/claro/claro.db', false],
    ['sqlite:claro.db', false],
    [':memory:', false],
  ];
  for (const [connstring, want] of cases) {
    it(`says ${want} for ${connstring}`, () => {
      assert.equal(isPostgresConnstring(connstring), want);
    });
  }
});
