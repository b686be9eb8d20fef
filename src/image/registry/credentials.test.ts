import assert from 'node:assert/strict';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isClaroError } from '../../errors.js';
import { askHelper } from './cred-helper.js';
import { findCredentials } from './credentials.js';

const dir = mkdtempSync(join(tmpdir(), 'claro-creds-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** Whether a process runs: neither gone nor a zombie awaiting its reaper. */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** A DOCKER_CONFIG folder holding `config`. */
function configDir(name: string, config: unknown): string {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  writeFileSync(
    join(d, 'config.json'),
    typeof config === 'string' ? config : JSON.stringify(config),
  );
  return d;
}

const CONFIG = {
  auths: {
    '127.0.0.1:5000': { auth: b64('alice:pa:ss') },
    'https://reg.test/v2/': { username: 'bob', password: 'pw' },
    'https://index.docker.io/v1/': { auth: b64('hub:hubpw') },
    'tok.test': { auth: b64('<token>:'), identitytoken: 'refresh-me' },
    'helped.test': {},
  },
  credHelpers: { 'helped.test': 'ecr-login' },
  credsStore: 'desktop',
};

describe('findCredentials', () => {
  const env = { DOCKER_CONFIG: configDir('full', CONFIG) };
  const find = (registry: string, more: object = {}) =>
    findCredentials(registry, { env, ...more });

  it('decodes a base64 auth, keeping colons in the password', async () => {
    assert.deepEqual(await find('127.0.0.1:5000'), {
      credentials: { username: 'alice', password: 'pa:ss' },
      source: join(env.DOCKER_CONFIG, 'config.json'),
    });
  });

  it('matches a key written as a URL with a path', async () => {
    const found = await find('reg.test');
    assert.deepEqual(found.credentials, { username: 'bob', password: 'pw' });
  });

  it("finds Docker Hub's credentials under its legacy key", async () => {
    const found = await find('docker.io');
    assert.deepEqual(found.credentials, { username: 'hub', password: 'hubpw' });
  });

  it('keeps an identity token', async () => {
    const found = await find('tok.test');
    assert.deepEqual(found.credentials, {
      username: '<token>',
      identityToken: 'refresh-me',
    });
  });

  it('says why a helper docker would ask gave nothing, falling back to auths', async () => {
    // No helper is installed on this PATH.
    const bare = { ...env, PATH: join(dir, 'no-helpers') };
    const missing = 'is not installed (not found on PATH)';
    assert.deepEqual(await find('helped.test', { env: bare }), {
      helper: { program: 'docker-credential-ecr-login', why: missing },
    });
    assert.deepEqual(await find('other.test', { env: bare }), {
      helper: { program: 'docker-credential-desktop', why: missing },
    });
    // credsStore names a helper for every registry; an auths entry with
    // credentials still serves when the helper gives none.
    assert.deepEqual(
      (await find('127.0.0.1:5000', { env: bare })).credentials,
      { username: 'alice', password: 'pa:ss' },
    );
  });

  it('prefers flags, then the environment', async () => {
    const withEnv = {
      ...env,
      CLARO_REGISTRY_USERNAME: 'envu',
      CLARO_REGISTRY_PASSWORD: 'envp',
    };
    assert.deepEqual(
      await findCredentials('127.0.0.1:5000', {
        env: withEnv,
        username: 'flagu',
        password: 'flagp',
      }),
      {
        credentials: { username: 'flagu', password: 'flagp' },
        source: 'flags',
      },
    );
    assert.deepEqual(
      await findCredentials('127.0.0.1:5000', { env: withEnv }),
      {
        credentials: { username: 'envu', password: 'envp' },
        source: 'environment',
      },
    );
  });

  it('refuses a username without a password', async () => {
    await assert.rejects(find('x', { username: 'u' }), (err) => {
      assert.ok(isClaroError(err, 'INVALID_ARGUMENT'));
      assert.equal(
        err.message,
        'Cannot use registry credentials: a username is given but no ' +
          'password (--password or CLARO_REGISTRY_PASSWORD)',
      );
      return true;
    });
  });

  it('takes the password from its flag and the username from the environment', async () => {
    const found = await findCredentials('x', {
      env: { CLARO_REGISTRY_USERNAME: 'envu' },
      password: 'flagp',
    });
    assert.deepEqual(found, {
      credentials: { username: 'envu', password: 'flagp' },
      source: 'flags',
    });
  });

  it('reads ~/.docker/config.json without DOCKER_CONFIG', async () => {
    const home = join(dir, 'home');
    configDir('home/.docker', { auths: { 'h.test': { auth: b64('u:p') } } });
    const found = await findCredentials('h.test', { env: {}, homeDir: home });
    assert.deepEqual(found.credentials, { username: 'u', password: 'p' });
  });

  it('has no credentials without a config file', async () => {
    const none = { DOCKER_CONFIG: join(dir, 'absent') };
    assert.deepEqual(await findCredentials('h.test', { env: none }), {});
  });

  it('refuses a config file that is not JSON', async () => {
    const bad = { DOCKER_CONFIG: configDir('bad', '{ nope') };
    await assert.rejects(findCredentials('h.test', { env: bad }), (err) => {
      assert.ok(isClaroError(err, 'INVALID_ARGUMENT'));
      assert.equal(
        err.message,
        `Cannot read docker config ${join(bad.DOCKER_CONFIG, 'config.json')}: ` +
          'not valid JSON',
      );
      return true;
    });
  });
});

describe('credential helpers', () => {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  const asked = join(dir, 'asked');
  /** A docker-credential-NAME program that runs `script` (sh). */
  const helper = (name: string, script: string) => {
    const file = join(bin, `docker-credential-${name}`);
    writeFileSync(file, `#!/bin/sh\n${script}\n`);
    chmodSync(file, 0o755);
  };
  // Holds credentials for one server, as the real helpers do, and notes
  // what it was asked.
  helper(
    'store',
    `read server; echo "$1 $server" > '${asked}'
case "$server" in
  helped.test) echo '{"ServerURL":"helped.test","Username":"hu","Secret":"hs"}' ;;
  https://index.docker.io/v1/) echo '{"ServerURL":"x","Username":"<token>","Secret":"refresh"}' ;;
  *) echo 'credentials not found in native keychain'; exit 1 ;;
esac`,
  );
  helper('broken', "echo 'keychain locked' >&2; exit 3");
  helper('garbled', 'echo not json');
  const path = `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`;
  const withHelper = (name: string, config: object) => ({
    DOCKER_CONFIG: configDir(`helper-${name}`, config),
    PATH: path,
  });

  it('asks the helper of credHelpers for the registry, on stdin', async () => {
    const env = withHelper('own', { credHelpers: { 'helped.test': 'store' } });
    assert.deepEqual(await findCredentials('helped.test', { env }), {
      credentials: { username: 'hu', password: 'hs' },
      source: 'docker-credential-store',
    });
    assert.equal(readFileSync(asked, 'utf8'), 'get helped.test\n');
  });

  it("gives Docker Hub's server URL and reads an identity token", async () => {
    const env = withHelper('hub', { credsStore: 'store' });
    assert.deepEqual(await findCredentials('docker.io', { env }), {
      credentials: { identityToken: 'refresh' },
      source: 'docker-credential-store',
    });
    assert.equal(
      readFileSync(asked, 'utf8'),
      'get https://index.docker.io/v1/\n',
    );
  });

  it('says why a helper gave nothing', async () => {
    const cases: [string, string, string][] = [
      ['store', 'elsewhere.test', 'holds no credentials for elsewhere.test'],
      ['broken', 'h.test', 'failed (exit 3: keychain locked)'],
      ['garbled', 'h.test', 'answered with something other than its JSON'],
    ];
    for (const [name, registry, why] of cases) {
      const env = withHelper(name, { credsStore: name });
      assert.deepEqual(await findCredentials(registry, { env }), {
        helper: { program: `docker-credential-${name}`, why },
      });
    }
  });

  it('gives up on a helper that does not answer, ending what it started', async () => {
    // A script whose child holds its output open: killing the script
    // alone would leave claro waiting on the pipe.
    const pidFile = join(dir, 'hung.pid');
    helper('hung', `sleep 30 & echo $! > '${pidFile}'; wait`);
    const t0 = Date.now();
    assert.deepEqual(
      await askHelper('docker-credential-hung', 'h.test', {
        env: { PATH: path },
        timeoutMs: 300,
      }),
      { none: 'did not answer within 0.3 s' },
    );
    assert.ok(Date.now() - t0 < 5_000);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(!running(pid), `sleep ${pid} still runs`);
  });

  it('takes an empty answer for none, falling back to auths', async () => {
    helper('empty', `echo '{"ServerURL":"","Username":"","Secret":""}'`);
    const env = withHelper('empty', {
      credsStore: 'empty',
      auths: { 'h.test': { auth: b64('u:p') } },
    });
    assert.deepEqual(await findCredentials('h.test', { env }), {
      credentials: { username: 'u', password: 'p' },
      source: join(env.DOCKER_CONFIG, 'config.json'),
    });
  });

  it('refuses a helper name that is a path', async () => {
    const env = withHelper('path', { credsStore: '../../bin/sh' });
    await assert.rejects(findCredentials('h.test', { env }), (err) => {
      assert.ok(isClaroError(err, 'INVALID_ARGUMENT'));
      assert.match(
        err.message,
        /credential helper name "..\/..\/bin\/sh" is not a program name/,
      );
      return true;
    });
  });
});
