/**
 * Manifests, image indexes and the platform choice, shared by every image
 * source that reads them (an OCI layout, a registry). Formats: OCI image
 * spec "descriptor", "image-manifest" and "image-index"; Docker's image
 * manifest v2 schema 2 and its manifest list, which have the same shape.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ClaroError } from '../errors.js';

/** Media types of the documents an image source reads. */
export const MEDIA_TYPES = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed:
    'application/vnd.docker.distribution.manifest.v1+prettyjws',
} as const;

/** What a manifest document is, as its media type or shape says. */
export type DocumentKind = 'index' | 'manifest' | 'schema1';

/** An operating system and CPU, as image indexes name them. */
export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

/** What claro scans when nothing else is asked for, as docker does. */
export const DEFAULT_PLATFORM: Platform = {
  os: 'linux',
  architecture: 'amd64',
};

const DIGEST = /^sha256:[a-f0-9]{64}$/;

const descriptor = z.object({
  mediaType: z.string().optional(),
  digest: z.string().regex(DIGEST, 'expected sha256:<64 hex digits>'),
  size: z.number().int().nonnegative().optional(),
  platform: z
    .object({
      os: z.string().optional(),
      architecture: z.string().optional(),
      variant: z.string().optional(),
    })
    .optional(),
});

/** A descriptor of a manifest or a layer, as parsed. */
export type Descriptor = z.infer<typeof descriptor>;

/** Builds the error for a problem found in a document. */
export type Fail = (why: string) => ClaroError;

/** Names a document in problems, and turns them into errors. */
export interface DocumentContext {
  /** `index.json`, `index sha256:<hex>`. */
  readonly where: string;
  readonly fail: Fail;
  /**
   * Builds the error for an image that is not there (an index without
   * the platform asked for); `fail` when absent.
   */
  readonly missing?: Fail;
}

/**
 * The descriptors of `doc[field]` ("manifests" of an index, "layers" of a
 * manifest), each with a sha256 digest.
 */
export function descriptorList(
  doc: unknown,
  field: 'manifests' | 'layers',
  ctx: DocumentContext,
): Descriptor[] {
  const { where, fail } = ctx;
  const list = (doc as Record<string, unknown> | null)?.[field];
  if (!Array.isArray(list)) throw fail(`${where} has no "${field}" array`);
  return list.map((d: unknown, i) => {
    const parsed = descriptor.safeParse(d);
    if (!parsed.success) {
      throw fail(`${where} ${field}[${i}] has no valid sha256 digest`);
    }
    return parsed.data;
  });
}

/**
 * Whether a document is an index, an image manifest or Docker's schema 1,
 * by the media type it was served with, else its own `mediaType`, else
 * its shape (an index has "manifests", schema 1 has `schemaVersion` 1).
 */
export function documentKind(doc: unknown, contentType = ''): DocumentKind {
  const own = (doc as { mediaType?: unknown } | null)?.mediaType;
  const served = mediaTypeOf(contentType);
  const known = (Object.values(MEDIA_TYPES) as string[]).includes(served);
  const type = known ? served : typeof own === 'string' ? own : '';
  if (type === MEDIA_TYPES.ociIndex || type === MEDIA_TYPES.dockerList) {
    return 'index';
  }
  if (
    type === MEDIA_TYPES.dockerSchema1 ||
    type === MEDIA_TYPES.dockerSchema1Signed ||
    (doc as { schemaVersion?: unknown } | null)?.schemaVersion === 1
  ) {
    return 'schema1';
  }
  const hasManifests = Array.isArray(
    (doc as { manifests?: unknown } | null)?.manifests,
  );
  return hasManifests && type === '' ? 'index' : 'manifest';
}

/** True for the media type of an OCI index or a Docker manifest list. */
export function isIndexType(mediaType: string | undefined): boolean {
  return (
    mediaType === MEDIA_TYPES.ociIndex || mediaType === MEDIA_TYPES.dockerList
  );
}

/**
 * The entry of an index to use for `platform`: the first whose platform
 * matches (OCI image spec, image-index: "the first matching entry SHOULD
 * be used"), or the only entry when it names no platform at all, as an
 * OCI layout's index.json often does.
 */
export function chooseEntry(
  entries: readonly Descriptor[],
  platform: Platform,
  ctx: DocumentContext,
): Descriptor {
  const { where } = ctx;
  const match = entries.find((d) => platformMatches(d.platform, platform));
  if (match) return match;
  const [only] = entries;
  if (entries.length === 1 && only && only.platform === undefined) return only;

  const offered = entries
    .map((d) => (d.platform ? formatPlatform(d.platform) : 'no platform'))
    .join(', ');
  throw (ctx.missing ?? ctx.fail)(
    `${where} has no manifest for ${formatPlatform(platform)}` +
      (offered === '' ? '' : ` (it has ${offered})`),
  );
}

/**
 * Parses `os/arch[/variant]` (`linux/arm64/v8`); `x86_64` and `aarch64`
 * are read as `amd64` and `arm64`, as containerd does.
 */
export function parsePlatform(text: string): Platform {
  const parts = text.split('/');
  const [os, arch, variant] = parts;
  const word = /^[a-z0-9_.-]+$/;
  const ok =
    parts.length <= 3 &&
    os !== undefined &&
    arch !== undefined &&
    [os, arch, ...(variant === undefined ? [] : [variant])].every((p) =>
      word.test(p),
    );
  if (!ok) {
    throw new ClaroError(
      'INVALID_ARGUMENT',
      `Cannot read platform "${text}": expected os/arch or os/arch/variant`,
    );
  }
  const architecture = ARCH_ALIASES[arch] ?? arch;
  return variant === undefined
    ? { os, architecture }
    : { os, architecture, variant };
}

/** `linux/arm64/v8`. */
export function formatPlatform(p: {
  readonly os?: string | undefined;
  readonly architecture?: string | undefined;
  readonly variant?: string | undefined;
}): string {
  const base = `${p.os ?? '?'}/${p.architecture ?? '?'}`;
  return p.variant ? `${base}/${p.variant}` : base;
}

/** `sha256:<hex>` of some bytes. */
export function sha256Digest(body: Uint8Array): string {
  return `sha256:${createHash('sha256').update(body).digest('hex')}`;
}

const ARCH_ALIASES: Readonly<Record<string, string>> = {
  x86_64: 'amd64',
  'x86-64': 'amd64',
  aarch64: 'arm64',
  armhf: 'arm',
  armel: 'arm',
};

/**
 * The config digest an image manifest names: undefined when it names
 * none, and `fail` when it is not a sha256 digest (it becomes a path).
 */
export function configDigest(
  manifest: unknown,
  ctx: DocumentContext,
): string | undefined {
  const d = (manifest as { config?: { digest?: unknown } } | null)?.config
    ?.digest;
  if (d === undefined) return undefined;
  if (typeof d === 'string' && DIGEST.test(d)) return d;
  throw ctx.fail(`${ctx.where} names its config by ${JSON.stringify(d)}`);
}

/**
 * How an image config (OCI image spec, "image configuration") misses
 * `want`: "an image for linux/arm64, not linux/amd64 as --platform asks";
 * undefined when it names `want`, or no platform at all.
 */
export function platformMiss(
  config: unknown,
  want: Platform,
): string | undefined {
  const c = config as {
    os?: unknown;
    architecture?: unknown;
    variant?: unknown;
  } | null;
  if (typeof c?.os !== 'string' || typeof c.architecture !== 'string') {
    return undefined;
  }
  const have = {
    os: c.os,
    architecture: c.architecture,
    ...(typeof c.variant === 'string' ? { variant: c.variant } : {}),
  };
  if (platformMatches(have, want)) return undefined;
  return (
    `an image for ${formatPlatform(have)}, not ${formatPlatform(want)} ` +
    'as --platform asks'
  );
}

/** Whether `have` (an index entry's or an image config's) is `want`. */
function platformMatches(
  have: Descriptor['platform'],
  want: Platform,
): boolean {
  if (have?.os !== want.os || have.architecture !== want.architecture) {
    return false;
  }
  const arch = want.architecture;
  return (
    normalVariant(arch, have.variant) === normalVariant(arch, want.variant)
  );
}

/**
 * Variants that mean the same CPU compare equal, as containerd's platform
 * normalisation has them: arm64 is v8 unless said otherwise, arm is v7,
 * amd64 v1 is plain amd64.
 */
function normalVariant(arch: string, variant: string | undefined): string {
  const v = variant ?? '';
  if (arch === 'arm64') return v === '' ? 'v8' : v;
  if (arch === 'arm') return v === '' ? 'v7' : v;
  if (arch === 'amd64') return v === 'v1' ? '' : v;
  return v;
}

function mediaTypeOf(contentType: string): string {
  return contentType.split(';')[0]!.trim().toLowerCase();
}
