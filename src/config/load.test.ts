import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { isClaroError } from '../errors.js';
import type { Config } from './config.js';
import { CONFIG_KEYS, loadConfig } from './load.js';

const dir = mkdtempSync(join(tmpdir(), 'claro-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
/** Writes `yaml` to a fresh file and returns its path. */
function configFile(yaml: string): string {
  const file = join(dir, `claro-${++files}.yaml`);
  writeFileSync(file, yaml);
  return file;
}

/** 32 bytes of key, base64: what `openssl rand -base64 32` prints. */
const KEY_B64 = Buffer.alloc(32, 7).toString('base64');

const DEFAULTS: Config = {
  mode: undefined,
  httpListenAddr: { host: '127.0.0.1', port: 6060 },
  introspectionAddr: { host: '127.0.0.1', port: 8089 },
  logLevel: 'info',
  indexer: {
    connstring: undefined,
    indexReportRequestConcurrency: 32,
    layerFetchTimeoutMs: undefined,
    maxBodyBytes: undefined,
  },
  matcher: {
    connstring: undefined,
    periodMs: 6 * 3_600_000,
    updateRetention: 10,
    disableUpdaters: false,
    reportMaxAgeSeconds: undefined,
  },
  updaters: { mirror: undefined },
  auth: undefined,
};

const FULL_YAML = `
mode: matcher
http_listen_addr: ":6061"
introspection_addr: "[::1]:0"
log_level: debug
indexer:
  connstring: postgres://postgres@127.0.0.1:5432/test
  index_report_request_concurrency: 4
  layer_fetch_timeout: 2m
  max_body_bytes: 1048576
matcher:
  connstring: host=127.0.0.1 dbname=test
  period: 1h30m
  update_retention: 3
  disable_updaters: true
  report_max_age: 5m
updaters:
  mirror: /srv/feeds
auth:
  psk:
    key: ${KEY_B64}
    iss: [clairctl, quay]
`;

const FULL: Config = {
  mode: 'matcher',
  httpListenAddr: { host: '', port: 6061 },
  introspectionAddr: { host: '::1', port: 0 },
  logLevel: 'debug',
  indexer: {
    connstring: 'postgres://postgres@127.0.0.1:5432/test',
    indexReportRequestConcurrency: 4,
    layerFetchTimeoutMs: 120_000,
    maxBodyBytes: 1_048_576,
  },
  matcher: {
    connstring: 'host=127.0.0.1 dbname=test',
    periodMs: 5_400_000,
    updateRetention: 3,
    disableUpdaters: true,
    reportMaxAgeSeconds: 300,
  },
  updaters: { mirror: '/srv/feeds' },
  auth: { key: Buffer.alloc(32, 7), issuers: ['clairctl', 'quay'] },
};

/** Asserts INVALID_ARGUMENT with exactly this message. */
function rejects(fn: () => unknown, message: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isClaroError(err, 'INVALID_ARGUMENT'), String(err));
    assert.equal(err.message, message);
    return true;
  });
}

describe('loadConfig without a file', () => {
  it('gives the defaults when the environment sets nothing', () => {
    assert.deepEqual(loadConfig(undefined, {}), DEFAULTS);
  });

  it('ignores variables set to the empty string', () => {
    const env = { CLARO_MATCHER_PERIOD: '', CLARO_FEEDS: '' };
    assert.deepEqual(loadConfig(undefined, env), DEFAULTS);
  });

  it('reads every key from its environment variable', () => {
    const env = {
      CLARO_MODE: 'matcher',
      CLARO_HTTP_LISTEN_ADDR: ':6061',
      CLARO_INTROSPECTION_ADDR: '[::1]:0',
      CLARO_LOG_LEVEL: 'debug',
      CLARO_INDEXER_CONNSTRING: 'postgres://postgres@127.0.0.1:5432/test',
      CLARO_INDEXER_INDEX_REPORT_REQUEST_CONCURRENCY: '4',
      CLARO_INDEXER_LAYER_FETCH_TIMEOUT: '2m',
      CLARO_INDEXER_MAX_BODY_BYTES: '1048576',
      CLARO_MATCHER_CONNSTRING: 'host=127.0.0.1 dbname=test',
      CLARO_MATCHER_PERIOD: '1h30m',
      CLARO_MATCHER_UPDATE_RETENTION: '3',
      CLARO_MATCHER_DISABLE_UPDATERS: 'true',
      CLARO_MATCHER_REPORT_MAX_AGE: '5m',
      CLARO_FEEDS: '/srv/feeds',
      CLARO_AUTH_PSK_KEY: KEY_B64,
      CLARO_AUTH_PSK_ISS: 'clairctl, quay,',
    };
    assert.deepEqual(loadConfig(undefined, env), FULL);
  });

  it('names every key in CONFIG_KEYS, each with its own variable', () => {
    const names = CONFIG_KEYS.map((k) => k.env);
    assert.equal(new Set(names).size, names.length);
    assert.equal(CONFIG_KEYS.length, 16);
  });

  const booleans: readonly [string, boolean][] = [
    ['true', true],
    ['TRUE', true],
    ['t', true],
    ['1', true],
    ['false', false],
    ['F', false],
    ['0', false],
  ];
  for (const [value, expected] of booleans) {
    it(`reads CLARO_MATCHER_DISABLE_UPDATERS=${value} as ${expected}`, () => {
      const env = { CLARO_MATCHER_DISABLE_UPDATERS: value };
      const cfg = loadConfig(undefined, env);
      assert.equal(cfg.matcher.disableUpdaters, expected);
    });
  }
});

describe('loadConfig with a file', () => {
  it('reads every key of a full file', () => {
    assert.deepEqual(loadConfig(configFile(FULL_YAML), {}), FULL);
  });

  it('gives the defaults for an empty file', () => {
    assert.deepEqual(loadConfig(configFile(''), {}), DEFAULTS);
  });

  it('reads a section with nothing below it as absent', () => {
    const file = configFile('indexer:\nmatcher:\nauth:\n  psk:\n');
    assert.deepEqual(loadConfig(file, {}), DEFAULTS);
  });

  it('lets the environment win over the file, key by key', () => {
    const env = {
      CLARO_MATCHER_PERIOD: '30m',
      CLARO_INDEXER_CONNSTRING: 'sqlite:/tmp/x.db',
      CLARO_AUTH_PSK_ISS: 'other',
      CLARO_FEEDS: '/mirror',
    };
    const cfg = loadConfig(configFile(FULL_YAML), env);
    assert.deepEqual(cfg, {
      ...FULL,
      indexer: { ...FULL.indexer, connstring: 'sqlite:/tmp/x.db' },
      matcher: { ...FULL.matcher, periodMs: 1_800_000 },
      updaters: { mirror: '/mirror' },
      auth: { key: Buffer.alloc(32, 7), issuers: ['other'] },
    });
  });

  it('reads a single issuer string as a list of one', () => {
    const yaml = `auth:\n  psk:\n    key: ${KEY_B64}\n    iss: clairctl\n`;
    const cfg = loadConfig(configFile(yaml), {});
    assert.deepEqual(cfg.auth?.issuers, ['clairctl']);
  });

  it('reads update_retention 0 as the default, as Clair does', () => {
    const file = configFile('matcher:\n  update_retention: 0\n');
    assert.equal(loadConfig(file, {}).matcher.updateRetention, 10);
  });

  it('finds every key and its variable in README.md', () => {
    const readme = readFileSync(
      new URL('../../README.md', import.meta.url),
      'utf8',
    );
    for (const k of CONFIG_KEYS) {
      assert.ok(readme.includes(`\`${k.key}\``), `README lacks ${k.key}`);
      assert.ok(readme.includes(`\`${k.env}\``), `README lacks ${k.env}`);
    }
  });
});

describe('loadConfig errors', () => {
  const fileCases: readonly [string, string, string][] = [
    [
      'names a misspelt top-level key',
      'http_listen_adr: ":6060"\n',
      'http_listen_adr: unknown key',
    ],
    [
      'names a misspelt nested key with its path',
      'matcher:\n  perod: 6h\n  retention: 2\n',
      'matcher.perod: unknown key; matcher.retention: unknown key',
    ],
    [
      'names a section that is not a mapping',
      'matcher: 6h\n',
      'matcher: expected a mapping of keys',
    ],
    [
      'rejects a bad duration',
      'matcher:\n  period: 6x\n',
      'matcher.period: Cannot parse duration "6x": unknown unit "x" ' +
        '(expected a number and unit, like 6h, 30m, 90s, 1h30m, 500ms)',
    ],
    [
      'rejects a duration given as a number',
      'matcher:\n  period: 6\n',
      'matcher.period: expected a duration like 6h, 30m or 90s, got 6',
    ],
    [
      'rejects a zero period',
      'matcher:\n  period: 0s\n',
      'matcher.period: must be longer than 0s',
    ],
    [
      'rejects a negative timeout',
      'indexer:\n  layer_fetch_timeout: -1m\n',
      'indexer.layer_fetch_timeout: must not be negative',
    ],
    [
      'rejects a period longer than a timer can wait',
      'matcher:\n  period: 600h\n',
      'matcher.period: must be at most 596h31m23s647ms',
    ],
    [
      'rejects a report max age in part seconds',
      'matcher:\n  report_max_age: 1500ms\n',
      'matcher.report_max_age: must be a whole number of seconds',
    ],
    [
      'rejects a concurrency below 1',
      'indexer:\n  index_report_request_concurrency: 0\n',
      'indexer.index_report_request_concurrency: expected an integer >= 1, ' +
        'got 0',
    ],
    [
      'rejects a negative retention',
      'matcher:\n  update_retention: -1\n',
      'matcher.update_retention: expected an integer >= 0, got -1',
    ],
    [
      'rejects a fractional byte count',
      'indexer:\n  max_body_bytes: 1.5\n',
      'indexer.max_body_bytes: expected an integer >= 1, got 1.5',
    ],
    [
      'rejects yes as a boolean (YAML 1.2 reads it as text)',
      'matcher:\n  disable_updaters: yes\n',
      'matcher.disable_updaters: expected true or false, got "yes"',
    ],
    [
      'rejects an unknown mode',
      'mode: both\n',
      'mode: expected one of indexer, matcher, combo, got "both"',
    ],
    [
      'rejects an unknown log level',
      'log_level: trace\n',
      'log_level: expected one of debug, info, warn, error, got "trace"',
    ],
    [
      'rejects an address without a port',
      'http_listen_addr: localhost\n',
      'http_listen_addr: Cannot parse address "localhost": ' +
        'expected host:port',
    ],
    [
      'rejects an empty connstring',
      'indexer:\n  connstring: ""\n',
      'indexer.connstring: expected a non-empty string, got ""',
    ],
    [
      'rejects a key that is not base64, without showing it',
      'auth:\n  psk:\n    key: "not base64!"\n    iss: [a]\n',
      'auth.psk.key: expected a key in standard base64 (RFC 4648)',
    ],
    [
      'rejects a key shorter than 32 bytes',
      'auth:\n  psk:\n    key: c2VjcmV0\n    iss: [a]\n',
      'auth.psk.key: the key must be at least 32 bytes, got 6 ' +
        '(generate one with: openssl rand -base64 32)',
    ],
    [
      'requires issuers with a key',
      `auth:\n  psk:\n    key: ${KEY_B64}\n`,
      'auth.psk.iss: required when auth.psk.key is set',
    ],
    [
      'requires a key with issuers',
      'auth:\n  psk:\n    iss: [clairctl]\n',
      'auth.psk.key: required when auth.psk.iss is set',
    ],
    [
      'rejects an empty issuer list',
      `auth:\n  psk:\n    key: ${KEY_B64}\n    iss: []\n`,
      'auth.psk.iss: expected a list of non-empty strings, got a list',
    ],
    [
      'rejects a file that is a list',
      '- a\n- b\n',
      'expected a mapping of keys',
    ],
    [
      'rejects a duplicate key',
      'log_level: info\nlog_level: debug\n',
      'Map keys must be unique at line 2, column 1',
    ],
    [
      'rejects bad YAML with its line',
      'matcher:\n  period: [6h\n',
      'Flow sequence in block collection must be sufficiently indented ' +
        'and end with a ] at line 3, column 1',
    ],
  ];
  for (const [name, yaml, detail] of fileCases) {
    it(name, () => {
      const file = configFile(yaml);
      rejects(
        () => loadConfig(file, {}),
        `Cannot read config ${file}: ${detail}`,
      );
    });
  }

  it('names a missing file', () => {
    const file = join(dir, 'absent.yaml');
    rejects(
      () => loadConfig(file, {}),
      `Cannot read config ${file}: no such file`,
    );
  });

  it('names a folder given as the file', () => {
    rejects(
      () => loadConfig(dir, {}),
      `Cannot read config ${dir}: a folder, not a file`,
    );
  });

  const envCases: readonly [string, Record<string, string>, string][] = [
    [
      'names the variable of a bad duration',
      { CLARO_MATCHER_PERIOD: 'often' },
      'CLARO_MATCHER_PERIOD: Cannot parse duration "often": missing number ' +
        '(expected a number and unit, like 6h, 30m, 90s, 1h30m, 500ms)',
    ],
    [
      'names the variable of a bad integer',
      { CLARO_MATCHER_UPDATE_RETENTION: 'ten' },
      'CLARO_MATCHER_UPDATE_RETENTION: expected an integer >= 0, got "ten"',
    ],
    [
      'names the variable of a bad boolean',
      { CLARO_MATCHER_DISABLE_UPDATERS: 'yes' },
      'CLARO_MATCHER_DISABLE_UPDATERS: expected true or false, got "yes"',
    ],
    [
      'names the variable of a bad key',
      { CLARO_AUTH_PSK_KEY: '%%%', CLARO_AUTH_PSK_ISS: 'a' },
      'CLARO_AUTH_PSK_KEY: expected a key in standard base64 (RFC 4648)',
    ],
    [
      'names the variable of a bad address',
      { CLARO_HTTP_LISTEN_ADDR: '127.0.0.1:99999' },
      'CLARO_HTTP_LISTEN_ADDR: Cannot parse address "127.0.0.1:99999": ' +
        'the port must be a number from 0 to 65535',
    ],
    [
      'names a missing key for issuers given in the environment',
      { CLARO_AUTH_PSK_ISS: 'clairctl' },
      'auth.psk.key: required when auth.psk.iss is set',
    ],
    [
      'names the variable of an issuer list with no names',
      { CLARO_AUTH_PSK_KEY: KEY_B64, CLARO_AUTH_PSK_ISS: ' , ' },
      'CLARO_AUTH_PSK_ISS: expected a list of non-empty strings, got a list',
    ],
  ];
  for (const [name, env, detail] of envCases) {
    it(name, () => {
      rejects(
        () => loadConfig(undefined, env),
        `Cannot read config from the environment: ${detail}`,
      );
    });
  }

  it('names the variable, not the file, when the environment is wrong', () => {
    const file = configFile('matcher:\n  period: 6h\n');
    rejects(
      () => loadConfig(file, { CLARO_MATCHER_PERIOD: '6' }),
      'Cannot read config from the environment: CLARO_MATCHER_PERIOD: ' +
        'Cannot parse duration "6": missing unit ' +
        '(expected a number and unit, like 6h, 30m, 90s, 1h30m, 500ms)',
    );
  });

  it('lists every problem of the file', () => {
    const file = configFile('log_level: loud\nmatcher:\n  period: 0\n');
    rejects(
      () => loadConfig(file, {}),
      `Cannot read config ${file}: log_level: expected one of debug, info, ` +
        'warn, error, got "loud"; matcher.period: expected a duration like ' +
        '6h, 30m or 90s, got 0',
    );
  });
});
