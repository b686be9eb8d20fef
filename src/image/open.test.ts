import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isClaroError } from '../errors.js';
import { openImage } from './open.js';

const SHARED = '../shared';
const DEBIAN = `${SHARED}/images/debian-bookworm-3layer.oci.tar`;
const BUSYBOX = `${SHARED}/fixtures/busybox-oci/busybox-latest-musl-amd64`;
const ALPINE311 = `${SHARED}/fixtures/trivy-docker-archive/alpine-311.tar.gz`;
const BASIC = `${SHARED}/fixtures/osv-scalibr-docker-archive/basic.tar`;
const MINIROOTFS = `${SHARED}/fixtures/alpine-minirootfs/alpine-minirootfs-3.20.3-x86_64.tar.gz`;

const tmp = mkdtempSync(join(tmpdir(), 'claro-image-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

async function sha256(path: string): Promise<string> {
  const h = createHash('sha256').update(await readFile(path));
  return `sha256:${h.digest('hex')}`;
}

async function layerBytes(path: string, i: number): Promise<Buffer> {
  const img = await openImage(path);
  const chunks: Buffer[] = [];
  for await (const c of await img.layers[i]!.open()) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('openImage', () => {
  it('reads an oci-archive by seeking, manifest digest as hash', async () => {
    const img = await openImage(DEBIAN);
    assert.equal(img.kind, 'oci-archive');
    assert.equal(
      img.manifestHash,
      'sha256:63ce22812d1219b6086eacaac31f90ce4ed6e889e27ec1281f6db857b26aebe7',
    );
    assert.deepEqual(
      img.layers.map((l) => l.digest.slice(7, 19)),
      ['76bbf2f86bdf', 'fc87fd10fc9e', '37612f908418'],
    );
    const bytes = await layerBytes(DEBIAN, 2);
    const got = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    assert.equal(got, img.layers[2]!.digest);
  });

  it('reads an OCI image layout folder', async () => {
    const img = await openImage(BUSYBOX);
    assert.equal(img.kind, 'oci-layout');
    assert.equal(img.layers.length, 1);
    assert.match(img.manifestHash, /^sha256:[0-9a-f]{64}$/);
  });

  it('reads a gzip-compressed docker-archive, image id as hash', async () => {
    const img = await openImage(ALPINE311);
    assert.equal(img.kind, 'docker-archive');
    assert.equal(
      img.manifestHash,
      'sha256:a187dde48cd289ac374ad8539930628314bc581a481cdb41409c9289419ddb72',
    );
    const bytes = await layerBytes(ALPINE311, 0);
    const got = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    assert.equal(img.layers[0]!.digest, got);
  });

  it('reads an uncompressed docker-archive with two layers', async () => {
    const img = await openImage(BASIC);
    assert.equal(img.kind, 'docker-archive');
    assert.equal(img.layers.length, 2);
    assert.equal(
      img.manifestHash,
      'sha256:cef24537555496e574fe14473659452c20e6ae3b03bdecf5f9a76d1afe14fd1a',
    );
  });

  it('checks a docker-archive against --platform by its config', async () => {
    const amd64 = await openImage(BASIC, {
      platform: { os: 'linux', architecture: 'amd64' },
    });
    assert.equal(amd64.layers.length, 2);
    await assert.rejects(
      openImage(BASIC, { platform: { os: 'linux', architecture: 'arm64' } }),
      (e) => {
        assert.ok(isClaroError(e, 'NOT_FOUND'));
        assert.equal(
          e.message,
          `Cannot read image ${BASIC}: it is an image for linux/amd64, not ` +
            'linux/arm64 as --platform asks',
        );
        return true;
      },
    );
  });

  it('takes a rootfs tarball as one layer known by its digest', async () => {
    const img = await openImage(MINIROOTFS);
    const digest = await sha256(MINIROOTFS);
    assert.equal(img.kind, 'rootfs-archive');
    assert.equal(img.manifestHash, digest);
    assert.deepEqual(
      img.layers.map((l) => l.digest),
      [digest],
    );
  });

  it('takes any other folder as a root filesystem without digest', async () => {
    const img = await openImage(tmp);
    assert.equal(img.kind, 'rootfs-folder');
    assert.equal(img.manifestHash, '');
    assert.equal(img.folder, tmp);
  });

  it('refuses a missing path, a non-image file and bad layouts', async () => {
    const junk = join(tmp, 'junk.bin');
    writeFileSync(junk, 'this is not an image'.repeat(100));
    await assert.rejects(
      openImage(join(tmp, 'nope')),
      (e) => isClaroError(e, 'NOT_FOUND') && e.message.includes('nope'),
    );
    await assert.rejects(
      openImage(junk),
      (e) => isClaroError(e, 'INVALID_IMAGE') && e.message.includes('junk.bin'),
    );
  });

  it('refuses a layout whose layer blob is missing, at open', async () => {
    const layout = join(tmp, 'busybox-nolayer');
    cpSync(BUSYBOX, layout, { recursive: true });
    const [layer] = (await openImage(layout)).layers;
    const blob = layer!.digest.replace('sha256:', '');
    chmodSync(join(layout, 'blobs', 'sha256'), 0o755);
    rmSync(join(layout, 'blobs', 'sha256', blob), { force: true });
    await assert.rejects(
      openImage(layout),
      (e) => isClaroError(e, 'INVALID_IMAGE') && e.message.includes(blob),
    );
  });

  it('names a missing blob and a malformed index.json', async () => {
    const layout = join(tmp, 'busybox');
    cpSync(BUSYBOX, layout, { recursive: true });
    chmodSync(join(layout, 'index.json'), 0o644);
    const index = JSON.parse(
      await readFile(join(layout, 'index.json'), 'utf8'),
    );
    const manifest = index.manifests[0].digest.replace('sha256:', '');
    rmSync(join(layout, 'blobs', 'sha256', manifest), { force: true });
    await assert.rejects(
      openImage(layout),
      (e) =>
        isClaroError(e, 'INVALID_IMAGE') &&
        /blob sha256:[0-9a-f]+ is missing/.test(e.message),
    );
    writeFileSync(join(layout, 'index.json'), '{"manifests": [');
    await assert.rejects(
      openImage(layout),
      (e) =>
        isClaroError(e, 'INVALID_IMAGE') &&
        /index.json is not valid JSON/.test(e.message),
    );
  });
});

describe('openImage with an image index', () => {
  /**
   * A layout whose index.json names one manifest per platform, each with
   * one (never read) layer blob of its own.
   */
  function multiPlatformLayout(): { dir: string; layers: string[] } {
    const dir = join(tmp, 'multi');
    const blobs = join(dir, 'blobs', 'sha256');
    const put = (body: string) => {
      const hex = createHash('sha256').update(body).digest('hex');
      writeFileSync(join(blobs, hex), body);
      return { digest: `sha256:${hex}`, size: Buffer.byteLength(body) };
    };
    cpSync(BUSYBOX, dir, { recursive: true });
    const layers: string[] = [];
    const manifests = ['amd64', 'arm64'].map((arch) => {
      const layer = put(`layer for ${arch}`);
      layers.push(layer.digest);
      const manifest = put(
        JSON.stringify({ schemaVersion: 2, layers: [layer] }),
      );
      return {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        ...manifest,
        platform: { os: 'linux', architecture: arch },
      };
    });
    writeFileSync(
      join(dir, 'index.json'),
      JSON.stringify({ schemaVersion: 2, manifests }),
    );
    return { dir, layers };
  }

  it('takes linux/amd64 by default and the platform asked for', async () => {
    const { dir, layers } = multiPlatformLayout();
    const amd64 = await openImage(dir);
    assert.deepEqual(
      amd64.layers.map((l) => l.digest),
      [layers[0]],
    );
    const arm64 = await openImage(dir, {
      platform: { os: 'linux', architecture: 'arm64' },
    });
    assert.deepEqual(
      arm64.layers.map((l) => l.digest),
      [layers[1]],
    );
  });

  it('checks an image its index names no platform for against --platform', async () => {
    // As skopeo writes layouts: the index entry says nothing of the
    // platform; the image config (busybox's: linux/amd64) does.
    const dir = join(tmp, 'no-platform');
    cpSync(BUSYBOX, dir, { recursive: true });
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as {
      manifests: { platform?: unknown; digest: string }[];
    };
    for (const m of index.manifests) delete m.platform;
    writeFileSync(join(dir, 'index.json'), JSON.stringify(index));
    const digest = index.manifests[0]!.digest;

    const asIs = await openImage(dir);
    const amd64 = await openImage(dir, {
      platform: { os: 'linux', architecture: 'amd64' },
    });
    assert.equal(asIs.manifestHash, digest);
    assert.equal(amd64.manifestHash, digest);
    await assert.rejects(
      openImage(dir, { platform: { os: 'linux', architecture: 'arm64' } }),
      (e) => {
        assert.ok(isClaroError(e, 'NOT_FOUND'));
        assert.equal(
          e.message,
          `Cannot read image ${dir}: manifest ${digest} is an image for ` +
            'linux/amd64, not linux/arm64 as --platform asks',
        );
        return true;
      },
    );
  });
});
