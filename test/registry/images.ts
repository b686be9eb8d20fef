/**
 * Images for the registry tests, built from ../shared and pushed with
 * skopeo: the Debian image in OCI and Docker schema 2 form, a `docker
 * save` archive, and the Alpine 3.20.3 root filesystems of two
 * architectures, each as an image, with an OCI index put over them (and
 * as Docker schema 2 images under a Docker manifest list).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { SHARED } from '../helpers.js';
import { sha256, type Registry } from './harness.js';

const run = promisify(execFile);

export const DEBIAN_ARCHIVE = `${SHARED}/images/debian-bookworm-3layer.oci.tar`;
const MINI = `${SHARED}/fixtures/alpine-minirootfs`;
export const ALPINE_AMD64 = `${MINI}/alpine-minirootfs-3.20.3-x86_64.tar.gz`;
export const ALPINE_ARM64 = `${MINI}/alpine-minirootfs-3.20.3-aarch64.tar.gz`;
/** A gzip-compressed `docker save` of Alpine 3.10. */
export const ALPINE_310_ARCHIVE = `${SHARED}/fixtures/trivy-docker-archive/alpine-310.tar.gz`;

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';

/**
 * Copies `source` (a skopeo transport: `oci-archive:PATH`, `oci:DIR`,
 * `docker-archive:PATH`) to `repo:tag` of the registry; `format` as
 * skopeo's `--format` (`oci`, `v2s2`).
 */
export async function push(
  registry: Registry,
  source: string,
  name: string,
  format?: 'oci' | 'v2s2',
): Promise<void> {
  await run('skopeo', [
    'copy',
    '--quiet',
    ...registry.pushFlags,
    ...(format ? ['--format', format] : []),
    source,
    `docker://${registry.host}/${name}`,
  ]);
}

/**
 * An OCI layout holding a one-layer image of an Alpine root filesystem
 * tarball (the gzip file itself is the layer blob), for `arch`.
 */
export function alpineLayout(dir: string, tarball: string, arch: string) {
  return imageLayout(dir, readFileSync(tarball), arch);
}

/** An OCI layout holding a one-layer image: `layer` is a tar or tar.gz. */
export function imageLayout(dir: string, layer: Buffer, arch: string) {
  const gzip = layer[0] === 0x1f && layer[1] === 0x8b;
  const config = Buffer.from(
    JSON.stringify({
      architecture: arch,
      os: 'linux',
      rootfs: {
        type: 'layers',
        diff_ids: [sha256(gzip ? gunzipSync(layer) : layer)],
      },
      config: {},
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: sha256(config),
        size: config.length,
      },
      layers: [
        {
          mediaType: `application/vnd.oci.image.layer.v1.tar${gzip ? '+gzip' : ''}`,
          digest: sha256(layer),
          size: layer.length,
        },
      ],
    }),
  );
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  for (const blob of [layer, config, manifest]) {
    const hex = sha256(blob).slice(7);
    writeFileSync(join(dir, 'blobs', 'sha256', hex), blob);
  }
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  const index = {
    schemaVersion: 2,
    manifests: [
      {
        mediaType: OCI_MANIFEST,
        digest: sha256(manifest),
        size: manifest.length,
      },
    ],
  };
  writeFileSync(join(dir, 'index.json'), JSON.stringify(index));
  return { dir, layerDigest: sha256(layer), manifestDigest: sha256(manifest) };
}

/** A manifest as the registry serves it (anonymous registries only). */
export async function getManifest(
  host: string,
  name: string,
  ref: string,
): Promise<{ digest: string; body: Buffer; doc: any; type: string }> {
  const res = await fetch(`http://${host}/v2/${name}/manifests/${ref}`, {
    headers: {
      Accept: [OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_LIST].join(
        ', ',
      ),
    },
  });
  if (!res.ok) throw new Error(`GET manifest ${name}:${ref}: ${res.status}`);
  const body = Buffer.from(await res.arrayBuffer());
  return {
    digest: sha256(body),
    body,
    doc: JSON.parse(body.toString('utf8')),
    type: res.headers.get('content-type') ?? '',
  };
}

/**
 * PUTs an OCI index naming `entries` under `name:tag`, or with `docker`
 * a Docker manifest list of Docker schema 2 manifests.
 */
export async function putIndex(
  host: string,
  name: string,
  tag: string,
  entries: { digest: string; size: number; arch: string; variant?: string }[],
  docker = false,
): Promise<string> {
  const [listType, entryType] = docker
    ? [DOCKER_LIST, DOCKER_MANIFEST]
    : [OCI_INDEX, OCI_MANIFEST];
  const body = JSON.stringify({
    schemaVersion: 2,
    mediaType: listType,
    manifests: entries.map((e) => ({
      mediaType: entryType,
      digest: e.digest,
      size: e.size,
      platform: {
        os: 'linux',
        architecture: e.arch,
        ...(e.variant ? { variant: e.variant } : {}),
      },
    })),
  });
  const res = await fetch(`http://${host}/v2/${name}/manifests/${tag}`, {
    method: 'PUT',
    headers: { 'Content-Type': listType },
    body,
  });
  if (res.status !== 201) {
    throw new Error(
      `PUT index ${name}:${tag}: ${res.status} ${await res.text()}`,
    );
  }
  return sha256(body);
}

/** What `pushAll` put in the registry. */
export interface Pushed {
  /** The Alpine layer digests (the tarballs' sha256), by architecture. */
  readonly alpineLayers: { amd64: string; arm64: string };
  /** The manifests the index names, by architecture. */
  readonly alpineManifests: { amd64: string; arm64: string };
  readonly alpineIndex: string;
  /** A Docker manifest list over the same images in schema 2. */
  readonly alpineList: string;
  /** The decompressed `docker save` archive of Alpine 3.10. */
  readonly alpine310Archive: string;
}

/**
 * Pushes every test image to an anonymous registry: `debian:oci`,
 * `debian:docker` (schema 2), `alpine310:latest` (from the docker
 * archive, its layers compressed by skopeo on the way), `alpine:amd64`,
 * `alpine:arm64` and the index `alpine:3.20.3` over both; the same two as
 * Docker schema 2 under the manifest list `alpine:list`.
 */
export async function pushAll(
  registry: Registry,
  dir: string,
): Promise<Pushed> {
  const amd64 = alpineLayout(join(dir, 'amd64'), ALPINE_AMD64, 'amd64');
  const arm64 = alpineLayout(join(dir, 'arm64'), ALPINE_ARM64, 'arm64');
  const alpine310Archive = join(dir, 'alpine-310.tar');
  writeFileSync(alpine310Archive, gunzipSync(readFileSync(ALPINE_310_ARCHIVE)));

  await Promise.all([
    push(registry, `oci-archive:${DEBIAN_ARCHIVE}`, 'debian:oci', 'oci'),
    push(registry, `oci-archive:${DEBIAN_ARCHIVE}`, 'debian:docker', 'v2s2'),
    push(registry, `docker-archive:${alpine310Archive}`, 'alpine310:latest'),
    push(registry, `oci:${amd64.dir}`, 'alpine:amd64'),
    push(registry, `oci:${arm64.dir}`, 'alpine:arm64'),
    push(registry, `oci:${amd64.dir}`, 'alpine:amd64-v2s2', 'v2s2'),
    push(registry, `oci:${arm64.dir}`, 'alpine:arm64-v2s2', 'v2s2'),
  ]);

  const [a, b, c, d] = await Promise.all(
    ['amd64', 'arm64', 'amd64-v2s2', 'arm64-v2s2'].map((tag) =>
      getManifest(registry.host, 'alpine', tag),
    ),
  );
  const entries = (x: typeof a, y: typeof a) => [
    { digest: x!.digest, size: x!.body.length, arch: 'amd64' },
    { digest: y!.digest, size: y!.body.length, arch: 'arm64', variant: 'v8' },
  ];
  const alpineIndex = await putIndex(
    registry.host,
    'alpine',
    '3.20.3',
    entries(a, b),
  );
  const alpineList = await putIndex(
    registry.host,
    'alpine',
    'list',
    entries(c, d),
    true,
  );
  return {
    alpineLayers: { amd64: amd64.layerDigest, arm64: arm64.layerDigest },
    alpineManifests: { amd64: a!.digest, arm64: b!.digest },
    alpineIndex,
    alpineList,
    alpine310Archive,
  };
}

/**
 * Uploads a layout made by `imageLayout` as it is, blob by blob, through
 * the registry's API (distribution spec, "Pushing blobs": a monolithic
 * POST then PUT), then its manifest under `name:tag`: unlike skopeo,
 * which compresses uncompressed layers, this keeps every digest.
 */
export async function pushAsIs(
  host: string,
  name: string,
  tag: string,
  dir: string,
): Promise<void> {
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
  const blob = (d: string) =>
    readFileSync(join(dir, 'blobs', 'sha256', d.slice(7)));
  const manifestDigest = index.manifests[0].digest as string;
  const manifest = JSON.parse(blob(manifestDigest).toString('utf8'));
  for (const d of [manifest.config, ...manifest.layers]) {
    const start = await fetch(`http://${host}/v2/${name}/blobs/uploads/`, {
      method: 'POST',
    });
    const location = new URL(start.headers.get('location')!, `http://${host}`);
    location.searchParams.set('digest', d.digest);
    const put = await fetch(location, { method: 'PUT', body: blob(d.digest) });
    if (put.status !== 201) throw new Error(`PUT blob: ${put.status}`);
  }
  const res = await fetch(`http://${host}/v2/${name}/manifests/${tag}`, {
    method: 'PUT',
    headers: { 'Content-Type': OCI_MANIFEST },
    body: blob(manifestDigest),
  });
  if (res.status !== 201) throw new Error(`PUT manifest: ${res.status}`);
}
