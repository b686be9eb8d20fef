import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isClaroError } from '../../errors.js';
import { findCredentials } from './credentials.js';

const dir = mkdtempSync(join(tmpdir(), 'claro-creds-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const b64 = (s: string) => Buffer.from(s).toString('base64');

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

  it('names the credential helper that holds a registry', async () => {
    assert.deepEqual(await find('helped.test'), {
      helper: 'docker-credential-ecr-login',
    });
    assert.deepEqual(await find('other.test'), {
      helper: 'docker-credential-desktop',
    });
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
