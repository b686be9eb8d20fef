import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { isClaroError } from '../../errors.js';
import { sha256Digest } from '../descriptors.js';
import { isLoopback } from './client.js';
import { resolveImage } from './pull.js';
import { parseReference } from './reference.js';

const LAYER = `sha256:${'1f'.repeat(32)}`;
const CONFIG = `sha256:${'2e'.repeat(32)}`;

function manifest(configType: string): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: configType, digest: CONFIG, size: 2 },
    layers: [
      {
        mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
        digest: LAYER,
        size: 10,
      },
    ],
  });
}

const IMAGE = manifest('application/vnd.oci.image.config.v1+json');
const HELM = manifest('application/vnd.cncf.helm.config.v1+json');
const SCHEMA1 = JSON.stringify({
  schemaVersion: 1,
  name: 'old',
  tag: '1',
  architecture: 'amd64',
  fsLayers: [{ blobSum: LAYER }],
});

/** Manifests by path, with the content type and digest header sent. */
const ROUTES: Record<string, { body: string; type: string; digest?: string }> =
  {
    '/v2/old/manifests/1': {
      body: SCHEMA1,
      type: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
    },
    '/v2/lying/manifests/1': {
      body: IMAGE,
      type: 'application/vnd.oci.image.manifest.v1+json',
      digest: `sha256:${'00'.repeat(32)}`,
    },
    [`/v2/pinned/manifests/sha256:${'ab'.repeat(32)}`]: {
      body: IMAGE,
      type: 'application/vnd.oci.image.manifest.v1+json',
    },
    '/v2/helm/manifests/1': {
      body: HELM,
      type: 'application/vnd.oci.image.manifest.v1+json',
    },
    '/v2/good/manifests/1': {
      body: IMAGE,
      type: 'application/vnd.oci.image.manifest.v1+json',
      digest: sha256Digest(Buffer.from(IMAGE)),
    },
  };

let registry: Server;
const tokenAsks: string[] = [];
let other: Server;
let host: string;
let otherHost: string;

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

before(async () => {
  registry = createServer((req, res) => {
    if (req.url === '/v2/') return void res.end('{}');
    if (req.url?.startsWith('/token?')) {
      tokenAsks.push(req.url);
      return void res.end('{"token":"stub-token"}');
    }
    if (req.url === '/v2/private/manifests/1') {
      if (req.headers.authorization !== 'Bearer stub-token') {
        const realm = `http://${host}/token`;
        res.writeHead(401, {
          'WWW-Authenticate': `Bearer realm="${realm}",service="stub"`,
        });
        return void res.end();
      }
      res.writeHead(200, {
        'Content-Type': ROUTES['/v2/good/manifests/1']!.type,
      });
      return void res.end(IMAGE);
    }
    const route = ROUTES[req.url ?? ''];
    if (!route) return void res.writeHead(404).end();
    res.writeHead(200, {
      'Content-Type': route.type,
      ...(route.digest ? { 'Docker-Content-Digest': route.digest } : {}),
    });
    res.end(route.body);
  });
  other = createServer((_req, res) => void res.writeHead(404).end());
  [host, otherHost] = await Promise.all([listen(registry), listen(other)]);
});

after(() => {
  for (const s of [registry, other]) s.closeAllConnections();
  registry.close();
  other.close();
});

async function fails(
  text: string,
  code: Parameters<typeof isClaroError>[1],
  message: string,
) {
  await assert.rejects(
    resolveImage(parseReference(text), {
      retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
    }),
    (err) => {
      assert.ok(isClaroError(err, code), String(err));
      assert.equal(err.message, message);
      return true;
    },
  );
}

describe('resolveImage', () => {
  it('reads an image manifest served over plain HTTP on loopback', async () => {
    const image = await resolveImage(parseReference(`${host}/good:1`));
    assert.equal(image.client.base, `http://${host}`);
    assert.equal(image.manifestDigest, sha256Digest(Buffer.from(IMAGE)));
    assert.deepEqual(
      image.layers.map((l) => l.digest),
      [LAYER],
    );
  });

  it('gets a token when only the repository asks for one', async () => {
    const image = await resolveImage(parseReference(`${host}/private:1`));
    assert.equal(image.manifestDigest, sha256Digest(Buffer.from(IMAGE)));
    assert.deepEqual(image.client.authorization, {
      Authorization: ['Bearer stub-token'],
    });
    assert.deepEqual(tokenAsks, [
      '/token?service=stub&scope=repository%3Aprivate%3Apull',
    ]);
  });

  it('refuses Docker schema 1 as not supported', async () => {
    await fails(
      `${host}/old:1`,
      'INVALID_IMAGE',
      `Cannot pull ${host}/old:1: Docker image manifest schema 1 is not ` +
        'supported; push the image again with a current docker or skopeo ' +
        'to store schema 2',
    );
  });

  it('refuses a manifest whose bytes are not the digest the registry gave', async () => {
    await fails(
      `${host}/lying:1`,
      'DIGEST_MISMATCH',
      `Cannot pull ${host}/lying:1: manifest sha256:${'00'.repeat(32)} ` +
        `hashes to ${sha256Digest(Buffer.from(IMAGE))}`,
    );
  });

  it('refuses a manifest whose bytes are not the digest asked for', async () => {
    const pin = `sha256:${'ab'.repeat(32)}`;
    await fails(
      `${host}/pinned@${pin}`,
      'DIGEST_MISMATCH',
      `Cannot pull ${host}/pinned@${pin}: manifest ${pin} hashes to ` +
        sha256Digest(Buffer.from(IMAGE)),
    );
  });

  it('refuses an artifact that is not a container image', async () => {
    await fails(
      `${host}/helm:1`,
      'INVALID_IMAGE',
      `Cannot pull ${host}/helm:1: not a container image (its config is ` +
        'application/vnd.cncf.helm.config.v1+json)',
    );
  });

  it('names the reference when nothing answers at the registry', async () => {
    // A port that was just free: nothing listens there.
    const free = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    await assert.rejects(
      resolveImage(parseReference(`127.0.0.1:${free}/x:1`), {
        retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
      }),
      (err) => {
        assert.ok(isClaroError(err, 'FETCH_FAILED'), String(err));
        assert.match(
          err.message,
          new RegExp(
            `^Cannot pull 127\\.0\\.0\\.1:${free}/x:1: cannot fetch the ` +
              `API of registry 127\\.0\\.0\\.1:${free}: .*ECONNREFUSED`,
          ),
        );
        return true;
      },
    );
  });

  it('says a server without the registry API is not a registry', async () => {
    await fails(
      `${otherHost}/x:1`,
      'FETCH_FAILED',
      `Cannot pull ${otherHost}/x:1: cannot fetch the API of registry ` +
        `${otherHost}: GET ` +
        `http://${otherHost}/v2/ answered 404 Not Found: not a registry ` +
        'API (OCI distribution spec)',
    );
  });
});

describe('isLoopback', () => {
  const table: [string, boolean][] = [
    ['localhost', true],
    ['registry.localhost', true],
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['[::1]', true],
    ['10.0.0.1', false],
    ['example.com', false],
    ['127.0.0.1.example.com', false],
  ];
  for (const [host, want] of table) {
    it(`says ${want} for ${host}`, () => assert.equal(isLoopback(host), want));
  }
});
