/**
 * Access to real registries: htpasswd Basic auth, Bearer tokens from a
 * token service, docker's config file, and TLS with a CA of the test's
 * own.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isClaroError } from '../../src/errors.js';
import { fetchBlob } from '../../src/image/http-blob.js';
import { findCredentials } from '../../src/image/registry/credentials.js';
import {
  clairManifestOf,
  resolveImage,
  type PullOptions,
} from '../../src/image/registry/pull.js';
import { parseReference } from '../../src/image/registry/reference.js';
import { log, tempDir } from '../helpers.js';
import {
  IDENTITY_TOKEN,
  USER,
  missingTools,
  needRegistry,
  sha256,
  startRegistry,
  type Registry,
} from './harness.js';
import { ALPINE_AMD64, alpineLayout, push } from './images.js';

const ready = missingTools().length === 0;
const tmp = tempDir('claro-auth-');
const FAST = { attempts: 2, baseDelayMs: 20, maxDelayMs: 1_000 };
const WRONG = { username: USER.username, password: 'wrong' };

let basic: Registry;
let token: Registry;
let tls: Registry;
let layout: ReturnType<typeof alpineLayout>;

before(async () => {
  if (!ready) return;
  layout = alpineLayout(join(tmp.dir, 'alpine'), ALPINE_AMD64, 'amd64');
  [basic, token, tls] = await Promise.all([
    startRegistry({ auth: 'htpasswd' }),
    startRegistry({ auth: 'token' }),
    startRegistry({ tls: true }),
  ]);
  await Promise.all(
    [basic, token, tls].map((r) => push(r, `oci:${layout.dir}`, 'alpine:1')),
  );
});

after(async () => {
  await Promise.all([basic?.stop(), token?.stop(), tls?.stop()]);
  tmp.remove();
});

function resolve(r: Registry, opts: PullOptions = {}) {
  const ref = parseReference(`${r.host}/alpine:1`);
  return resolveImage(ref, { retry: FAST, log, ...opts });
}

async function refused(
  r: Registry,
  opts: PullOptions,
  code: Parameters<typeof isClaroError>[1],
  message: string,
) {
  await assert.rejects(resolve(r, opts), (err) => {
    assert.ok(isClaroError(err, code), String(err));
    assert.equal(err.message, message);
    return true;
  });
}

/** Fetches the layer with the Clair manifest's URI and headers. */
async function layerThroughClair(image: Awaited<ReturnType<typeof resolve>>) {
  const [layer] = clairManifestOf(image).layers;
  const stream = await fetchBlob(layer!.uri, {
    what: 'layer',
    headers: layer!.headers,
    retry: FAST,
  });
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return sha256(Buffer.concat(chunks));
}

/** A DOCKER_CONFIG folder whose config.json is `config`. */
function dockerConfig(name: string, config: unknown): NodeJS.ProcessEnv {
  const dir = join(tmp.dir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  return { DOCKER_CONFIG: dir };
}

describe('a registry with htpasswd Basic auth', () => {
  it('pulls with the right credentials, handing them to Clair', async (t) => {
    if (!needRegistry(t)) return;
    const image = await resolve(basic, { credentials: USER });
    assert.equal(image.manifestDigest, layout.manifestDigest);
    const pair = `${USER.username}:${USER.password}`;
    assert.deepEqual(clairManifestOf(image).layers[0]?.headers, {
      Authorization: [`Basic ${Buffer.from(pair).toString('base64')}`],
    });
    assert.equal(await layerThroughClair(image), layout.layerDigest);
  });

  it('says the registry refused a wrong password', async (t) => {
    if (!needRegistry(t)) return;
    await refused(
      basic,
      { credentials: WRONG },
      'UNAUTHORIZED',
      `Cannot pull ${basic.host}/alpine:1: registry ${basic.host} refused ` +
        'the credentials (401)',
    );
  });

  it('says what to give when there are no credentials', async (t) => {
    if (!needRegistry(t)) return;
    await refused(
      basic,
      {},
      'UNAUTHORIZED',
      `Cannot pull ${basic.host}/alpine:1: registry ${basic.host} requires ` +
        'credentials (401): give --username with --password or ' +
        '--password-stdin, set CLARO_REGISTRY_USERNAME and ' +
        'CLARO_REGISTRY_PASSWORD, or docker login',
    );
  });

  it("reads the credentials from docker's config", async (t) => {
    if (!needRegistry(t)) return;
    const auth = Buffer.from(`${USER.username}:${USER.password}`).toString(
      'base64',
    );
    const env = dockerConfig('basic', { auths: { [basic.host]: { auth } } });
    const found = await findCredentials(basic.host, { env });
    const image = await resolve(basic, { credentials: found.credentials! });
    assert.equal(image.manifestDigest, layout.manifestDigest);
  });

  it('asks the credential helper docker would ask', async (t) => {
    if (!needRegistry(t)) return;
    const bin = join(tmp.dir, 'helper-bin');
    mkdirSync(bin, { recursive: true });
    const answer = JSON.stringify({
      ServerURL: basic.host,
      Username: USER.username,
      Secret: USER.password,
    });
    const program = join(bin, 'docker-credential-claro-test');
    writeFileSync(program, `#!/bin/sh\ncat >/dev/null\necho '${answer}'\n`);
    chmodSync(program, 0o755);
    const env = {
      ...dockerConfig('helper', { credsStore: 'claro-test' }),
      PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    };
    const found = await findCredentials(basic.host, { env });
    assert.equal(found.source, 'docker-credential-claro-test');
    const image = await resolve(basic, { credentials: found.credentials! });
    assert.equal(image.manifestDigest, layout.manifestDigest);
  });

  it('names the credential helper that gave nothing', async (t) => {
    if (!needRegistry(t)) return;
    const env = {
      ...dockerConfig('no-helper', { credsStore: 'desktop' }),
      PATH: join(tmp.dir, 'empty-bin'),
    };
    const found = await findCredentials(basic.host, { env });
    await refused(
      basic,
      { helper: found.helper! },
      'UNAUTHORIZED',
      `Cannot pull ${basic.host}/alpine:1: registry ${basic.host} requires ` +
        "credentials (401); docker's config names the credential helper " +
        'docker-credential-desktop, which is not installed (not found on ' +
        'PATH): give --username with --password or --password-stdin, set ' +
        'CLARO_REGISTRY_USERNAME and CLARO_REGISTRY_PASSWORD, or docker login',
    );
  });
});

describe('a registry with a token service', () => {
  it('gets a pull token for the repository with Basic credentials', async (t) => {
    if (!needRegistry(t)) return;
    token.tokens!.requests.length = 0;
    const image = await resolve(token, { credentials: USER });
    assert.equal(image.manifestDigest, layout.manifestDigest);
    assert.deepEqual(token.tokens!.requests, [
      {
        method: 'GET',
        scope: 'repository:alpine:pull',
        service: 'claro-test-registry',
        via: 'basic',
      },
    ]);
    const headers = clairManifestOf(image).layers[0]!.headers;
    assert.match(
      headers['Authorization']![0]!,
      /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/,
    );
    assert.equal(await layerThroughClair(image), layout.layerDigest);
  });

  it('exchanges an identity token from docker config', async (t) => {
    if (!needRegistry(t)) return;
    token.tokens!.requests.length = 0;
    const env = dockerConfig('identity', {
      auths: {
        [token.host]: {
          auth: Buffer.from('<token>:').toString('base64'),
          identitytoken: IDENTITY_TOKEN,
        },
      },
    });
    const found = await findCredentials(token.host, { env });
    const image = await resolve(token, { credentials: found.credentials! });
    assert.equal(image.manifestDigest, layout.manifestDigest);
    assert.deepEqual(
      token.tokens!.requests.map((r) => [r.method, r.via, r.scope]),
      [['POST', 'refresh_token', 'repository:alpine:pull']],
    );
  });

  it('says the token service refused a wrong password', async (t) => {
    if (!needRegistry(t)) return;
    await refused(
      token,
      { credentials: WRONG },
      'UNAUTHORIZED',
      `Cannot pull ${token.host}/alpine:1: registry ${token.host} refused ` +
        'the credentials (its token service answered 401)',
    );
  });

  it('says credentials are needed when anonymous tokens are refused', async (t) => {
    if (!needRegistry(t)) return;
    await assert.rejects(resolve(token), (err) => {
      assert.ok(isClaroError(err, 'UNAUTHORIZED'), String(err));
      assert.match(
        err.message,
        /requires credentials \(its token service answered 401\): give/,
      );
      return true;
    });
  });
});

describe('a registry over TLS', () => {
  it('pulls when given the CA that signed its certificate', async (t) => {
    if (!needRegistry(t)) return;
    const ca = readFileSync(tls.caFile!, 'utf8');
    const image = await resolve(tls, { ca });
    assert.equal(image.client.base, `https://${tls.host}`);
    assert.equal(image.manifestDigest, layout.manifestDigest);
  });

  it('refuses a certificate it cannot trust, saying how to trust it', async (t) => {
    if (!needRegistry(t)) return;
    await assert.rejects(resolve(tls), (err) => {
      assert.ok(isClaroError(err, 'FETCH_FAILED'), String(err));
      assert.match(
        err.message,
        new RegExp(
          `^Cannot pull ${tls.host}/alpine:1: the TLS certificate of ` +
            `registry ${tls.host} is not trusted \\([A-Z_]+\\): give its ` +
            'CA with --ca-file, or --insecure$',
        ),
      );
      return true;
    });
  });

  it('pulls with --insecure, any certificate accepted', async (t) => {
    if (!needRegistry(t)) return;
    const image = await resolve(tls, { insecure: true });
    assert.equal(image.client.base, `https://${tls.host}`);
    const chunks: Buffer[] = [];
    for await (const c of await image.client.openBlob(layout.layerDigest)) {
      chunks.push(c as Buffer);
    }
    assert.equal(sha256(Buffer.concat(chunks)), layout.layerDigest);
  });
});
