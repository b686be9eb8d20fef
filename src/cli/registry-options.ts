/**
 * What `claro scan` and `claro manifest` share about registries: the
 * flags, the credentials they lead to, and telling a path from a
 * reference.
 */
import { readFile, stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { ClaroError, errorMessage } from '../errors.js';
import { parsePlatform } from '../image/descriptors.js';
import { openImage } from '../image/open.js';
import {
  BlobCache,
  CACHE_MAX_SIZE_ENV,
  DEFAULT_CACHE_MAX_BYTES,
  parseSize,
} from '../image/registry/blob-cache.js';
import { findCredentials } from '../image/registry/credentials.js';
import { openRegistryImage, type PullOptions } from '../image/registry/pull.js';
import {
  looksLikePath,
  parseReference,
  type ImageReference,
} from '../image/registry/reference.js';
import type { ImageSource } from '../image/source.js';
import type { Logger } from '../log.js';
import { defaultCacheDir } from '../store/paths.js';

/** The start of parseReference's messages, which name the argument. */
const REFERENCE_ERROR = /^Cannot read image reference "(?:[^"\\]|\\.)*": /;

/** The registry flags, as commander parses them. */
export interface RegistryFlags {
  readonly platform?: string;
  readonly insecure?: boolean;
  readonly username?: string;
  readonly password?: string;
  readonly passwordStdin?: boolean;
  readonly caFile?: string;
}

/** Adds the registry flags to a command. */
export function registryOptions(cmd: Command): Command {
  return cmd
    .option(
      '--platform <os/arch[/variant]>',
      'platform chosen from an image index (default linux/amd64)',
    )
    .option(
      '--insecure',
      'allow plain HTTP and any TLS certificate for the registry',
    )
    .option(
      '--username <name>',
      'registry username (env CLARO_REGISTRY_USERNAME)',
    )
    .option(
      '--password <secret>',
      'registry password (env CLARO_REGISTRY_PASSWORD)',
    )
    .option(
      '--password-stdin',
      'read the registry password from standard input',
    )
    .option('--ca-file <pem>', 'CA certificates to trust for the registry');
}

/**
 * Opens what `claro scan` is given: an existing path as a file or folder
 * (see `openImage`); else, unless it looks like a path, an image
 * reference pulled from its registry, with blobs kept in claro's cache
 * (`--cache-max-size`, else CLARO_CACHE_MAX_SIZE, else 2 GiB).
 */
export async function openTarget(
  target: string,
  flags: RegistryFlags & { readonly cacheMaxSize?: string },
  log: Logger,
): Promise<ImageSource> {
  const platform =
    flags.platform !== undefined ? parsePlatform(flags.platform) : undefined;
  if (looksLikePath(target) || (await exists(target))) {
    return openImage(target, platform ? { platform } : {});
  }

  const ref = referenceOrMissing(target);
  const cache = new BlobCache({
    dir: defaultCacheDir(),
    maxBytes: cacheMaxBytes(flags.cacheMaxSize),
    log,
  });
  const opts = await pullOptions(ref, flags, log);
  return openRegistryImage(ref, { ...opts, cache });
}

/**
 * Reads an image reference; when it is none either, says the argument
 * is neither a path nor a reference (ClaroError 'NOT_FOUND').
 */
export function referenceOrMissing(target: string): ImageReference {
  try {
    return parseReference(target);
  } catch (err) {
    throw new ClaroError(
      'NOT_FOUND',
      `Cannot open image ${target}: no such file or folder, and not an ` +
        `image reference (${errorMessage(err).replace(REFERENCE_ERROR, '')})`,
      { cause: err },
    );
  }
}

/** Pull settings from the flags, the environment and docker's config. */
export async function pullOptions(
  ref: ImageReference,
  flags: RegistryFlags,
  log: Logger,
): Promise<PullOptions> {
  if (flags.passwordStdin && flags.password !== undefined) {
    throw new ClaroError(
      'INVALID_ARGUMENT',
      'Cannot use registry credentials: give --password or ' +
        '--password-stdin, not both',
    );
  }
  const password = flags.passwordStdin ? await stdinPassword() : flags.password;
  const found = await findCredentials(ref.registry, {
    ...(flags.username !== undefined ? { username: flags.username } : {}),
    ...(password !== undefined ? { password } : {}),
  });
  if (found.source) log.debug({ source: found.source }, 'registry credentials');
  if (found.helper) {
    const { program, why } = found.helper;
    log.warn({ helper: program, why }, 'credential helper gave none');
  }
  return {
    log,
    ...(flags.platform !== undefined
      ? { platform: parsePlatform(flags.platform) }
      : {}),
    ...(flags.insecure ? { insecure: true } : {}),
    ...(flags.caFile !== undefined ? { ca: await readCa(flags.caFile) } : {}),
    ...(found.credentials ? { credentials: found.credentials } : {}),
    ...(found.helper ? { helper: found.helper } : {}),
  };
}

/** The cache limit: the flag, else the environment, else 2 GiB. */
export function cacheMaxBytes(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): number {
  const text = flag ?? (env[CACHE_MAX_SIZE_ENV] || undefined);
  return text === undefined ? DEFAULT_CACHE_MAX_BYTES : parseSize(text);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function readCa(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new ClaroError(
      'INVALID_ARGUMENT',
      `Cannot read CA file ${file}: ${errorMessage(err)}`,
      { cause: err },
    );
  }
}

/** The whole of standard input, without its final line break. */
async function stdinPassword(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}
