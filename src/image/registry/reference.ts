/**
 * Image references as docker reads them (the grammar of the distribution
 * project's `reference` package): `[host[:port]/]path[:tag][@digest]`,
 * with Docker Hub's short forms expanded.
 */
import { ClaroError } from '../../errors.js';

/** An image in a registry, normalised. */
export interface ImageReference {
  /** Registry as named: `docker.io`, `127.0.0.1:5000`, `[::1]:5000`. */
  readonly registry: string;
  /** host[:port] to connect to: `registry-1.docker.io` for Docker Hub. */
  readonly endpoint: string;
  /** `library/alpine`, `team/app/web`. */
  readonly repository: string;
  /** Absent when the reference names a digest only. */
  readonly tag?: string;
  /** `sha256:<hex>`; wins over the tag when both are given. */
  readonly digest?: string;
}

/** Docker Hub, as references name it. */
export const DOCKER_HUB = 'docker.io';
/** Where Docker Hub's registry API is reached. */
export const DOCKER_HUB_ENDPOINT = 'registry-1.docker.io';
const DOCKER_HUB_LEGACY = 'index.docker.io';
const DEFAULT_TAG = 'latest';
const MAX_NAME = 255;

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const HOST = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])`;
const DOMAIN = new RegExp(`^${HOST}(?::[0-9]+)?$`);
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST =
  /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const SHA256 = /^sha256:[a-f0-9]{64}$/;

/**
 * Parses a reference: `alpine` is `docker.io/library/alpine:latest`,
 * `user/app` is `docker.io/user/app:latest`; the first path component is
 * a registry when it has a dot or a colon, is `localhost`, or has an
 * upper-case letter. Refusals throw ClaroError 'INVALID_ARGUMENT'
 * "Cannot read image reference <text>: <why>".
 */
export function parseReference(text: string): ImageReference {
  const bad = (why: string) =>
    new ClaroError(
      'INVALID_ARGUMENT',
      `Cannot read image reference ${JSON.stringify(text)}: ${why}`,
    );
  const at = text.indexOf('@');
  const named = at < 0 ? text : text.slice(0, at);
  const digest = at < 0 ? undefined : text.slice(at + 1);
  const colon = named.lastIndexOf(':');
  const hasTag = colon > named.lastIndexOf('/');
  const name = hasTag ? named.slice(0, colon) : named;
  const tag = hasTag ? named.slice(colon + 1) : undefined;

  const { registry, path } = splitRegistry(name);
  checkParts({ registry, path, tag, digest, name }, bad);
  const repository =
    registry === DOCKER_HUB && !path.includes('/') ? `library/${path}` : path;
  return {
    registry,
    endpoint: registry === DOCKER_HUB ? DOCKER_HUB_ENDPOINT : registry,
    repository,
    ...(tag !== undefined || digest === undefined
      ? { tag: tag ?? DEFAULT_TAG }
      : {}),
    ...(digest !== undefined ? { digest } : {}),
  };
}

/**
 * The reference written out in full: `docker.io/library/alpine:latest`,
 * `host:5000/app@sha256:<hex>` (the digest alone when there is one, since
 * it decides what is pulled).
 */
export function formatReference(ref: ImageReference): string {
  const name = `${ref.registry}/${ref.repository}`;
  return ref.digest !== undefined
    ? `${name}@${ref.digest}`
    : `${name}:${ref.tag}`;
}

/**
 * True for an argument that is meant as a file, not a reference: it
 * starts with `/`, `./`, `../` or `~`, or ends like an archive.
 */
export function looksLikePath(text: string): boolean {
  return (
    /^(?:\/|\.\.?(?:\/|$)|~)/.test(text) ||
    /\.(?:tar|tgz|tar\.gz|tar\.zst|tzst|gz|zst|oci)$/i.test(text)
  );
}

function splitRegistry(name: string): { registry: string; path: string } {
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  const isRegistry =
    slash >= 0 &&
    (/[.:]/.test(first) ||
      first === 'localhost' ||
      first !== first.toLowerCase());
  if (!isRegistry) return { registry: DOCKER_HUB, path: name };
  const registry = first === DOCKER_HUB_LEGACY ? DOCKER_HUB : first;
  return { registry, path: name.slice(slash + 1) };
}

function checkParts(
  p: {
    registry: string;
    path: string;
    tag: string | undefined;
    digest: string | undefined;
    name: string;
  },
  bad: (why: string) => ClaroError,
): void {
  if (p.path === '') throw bad('no repository name');
  if (!DOMAIN.test(p.registry))
    throw bad(`"${p.registry}" is no registry host`);
  const port = /:([0-9]+)$/.exec(p.registry)?.[1];
  if (port !== undefined && !(Number(port) >= 1 && Number(port) <= 65535)) {
    throw bad(`port ${port} of "${p.registry}" is not from 1 to 65535`);
  }
  for (const part of p.path.split('/')) {
    if (part !== part.toLowerCase()) {
      throw bad('repository names must be lower case');
    }
    if (!PATH_COMPONENT.test(part)) {
      throw bad(`"${part}" is not a valid repository name component`);
    }
  }
  if (p.name.length > MAX_NAME) {
    throw bad(`the name is longer than ${MAX_NAME} characters`);
  }
  if (p.tag !== undefined && !TAG.test(p.tag)) {
    throw bad(`"${p.tag}" is not a valid tag`);
  }
  if (p.digest !== undefined && !DIGEST.test(p.digest)) {
    throw bad(`"${p.digest}" is not a valid digest`);
  }
  if (p.digest !== undefined && !SHA256.test(p.digest)) {
    throw bad('only sha256 digests (64 lower-case hex digits) are supported');
  }
}
