/**
 * Registry credentials: from flags, else the environment, else docker's
 * own file, `$DOCKER_CONFIG/config.json` or `~/.docker/config.json`, read
 * as docker reads it (docker's "config file" documentation): the
 * credential helper it names for the registry (`credHelpers`, else
 * `credsStore`), then its `auths` entry.
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { ClaroError, errorMessage } from '../../errors.js';
import { askHelper } from './cred-helper.js';
import { DOCKER_HUB } from './reference.js';

/** What claro may present to a registry or its token service. */
export interface Credentials {
  readonly username?: string;
  readonly password?: string;
  /**
   * docker's `identitytoken`: an OAuth2 refresh token, exchanged at the
   * token service (distribution spec, "OAuth2 token authentication").
   */
  readonly identityToken?: string;
}

/** The environment variable that carries a registry username. */
export const USERNAME_ENV = 'CLARO_REGISTRY_USERNAME';
/** The environment variable that carries a registry password. */
export const PASSWORD_ENV = 'CLARO_REGISTRY_PASSWORD';

/** Where `findCredentials` looks, besides docker's config file. */
export interface CredentialLookup {
  /** From `--username` and `--password`: both or neither. */
  readonly username?: string;
  readonly password?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly homeDir?: string;
}

/** A credential helper docker's config names, and why it gave nothing. */
export interface HelperMiss {
  /** The program, `docker-credential-NAME`. */
  readonly program: string;
  readonly why: string;
}

/** Credentials found for one registry, and where. */
export interface FoundCredentials {
  readonly credentials?: Credentials;
  /**
   * `flags`, `environment`, the docker config file's path, or the
   * credential helper's program.
   */
  readonly source?: string;
  /** The helper docker's config names, when it gave no credentials. */
  readonly helper?: HelperMiss;
}

const authEntry = z.object({
  auth: z.string().optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  identitytoken: z.string().optional(),
});

const dockerConfig = z.object({
  auths: z.record(z.string(), authEntry).optional(),
  credsStore: z.string().optional(),
  credHelpers: z.record(z.string(), z.string()).optional(),
});

/** A helper's name becomes part of a program name: no paths. */
const HELPER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** The server URL docker gives helpers for Docker Hub. */
const HUB_SERVER_URL = 'https://index.docker.io/v1/';

/** The names docker files Docker Hub's credentials under. */
const HUB_KEYS = new Set([
  DOCKER_HUB,
  'index.docker.io',
  'registry-1.docker.io',
]);

/**
 * Finds credentials for `registry` (as references name it: `docker.io`,
 * `127.0.0.1:5000`): the username and the password each from its flag,
 * else its environment variable; else docker's config. A username
 * without a password (or the reverse), or a config file
 * that is not valid JSON of docker's shape, throws ClaroError
 * 'INVALID_ARGUMENT'; a missing config file means no credentials.
 */
export async function findCredentials(
  registry: string,
  lookup: CredentialLookup = {},
): Promise<FoundCredentials> {
  const env = lookup.env ?? process.env;
  const username = lookup.username ?? (env[USERNAME_ENV] || undefined);
  const password = lookup.password ?? (env[PASSWORD_ENV] || undefined);
  const given = pair(username, password);
  if (given) {
    const flags =
      lookup.username !== undefined || lookup.password !== undefined;
    return { credentials: given, source: flags ? 'flags' : 'environment' };
  }
  return fromDockerConfig(registry, dockerConfigPath(env, lookup.homeDir), env);
}

/** `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
export function dockerConfigPath(
  env: NodeJS.ProcessEnv,
  homeDir = os.homedir(),
): string {
  const dir = env['DOCKER_CONFIG'];
  return dir
    ? path.join(dir, 'config.json')
    : path.join(homeDir, '.docker', 'config.json');
}

function pair(
  username: string | undefined,
  password: string | undefined,
): Credentials | undefined {
  if (username === undefined && password === undefined) return undefined;
  if (username === undefined || password === undefined) {
    const [given, missing] =
      username === undefined
        ? ['a password', 'username']
        : ['a username', 'password'];
    throw new ClaroError(
      'INVALID_ARGUMENT',
      `Cannot use registry credentials: ${given} is given but no ` +
        `${missing} (--${missing} or ${missing === 'username' ? USERNAME_ENV : PASSWORD_ENV})`,
    );
  }
  return { username, password };
}

async function fromDockerConfig(
  registry: string,
  file: string,
  env: NodeJS.ProcessEnv,
): Promise<FoundCredentials> {
  const config = await readDockerConfig(file);
  if (!config) return {};

  let helper: HelperMiss | undefined;
  const name = helperFor(config, registry, file);
  if (name !== undefined) {
    const program = `docker-credential-${name}`;
    const serverUrl = HUB_KEYS.has(registry.toLowerCase())
      ? HUB_SERVER_URL
      : registry;
    const answer = await askHelper(program, serverUrl, { env });
    if ('credentials' in answer) {
      return { credentials: answer.credentials, source: program };
    }
    helper = { program, why: answer.none };
  }

  const entry = Object.entries(config.auths ?? {}).find(([key]) =>
    sameRegistry(key, registry),
  )?.[1];
  const credentials = entry ? fromEntry(entry, file) : undefined;
  if (credentials) return { credentials, source: file };
  return helper ? { helper } : {};
}

/** The helper for `registry`: its own in `credHelpers`, else `credsStore`. */
function helperFor(
  config: z.infer<typeof dockerConfig>,
  registry: string,
  file: string,
): string | undefined {
  const key = Object.keys(config.credHelpers ?? {}).find((k) =>
    sameRegistry(k, registry),
  );
  const name =
    (key !== undefined ? config.credHelpers?.[key] : undefined) ||
    config.credsStore ||
    undefined;
  if (name !== undefined && !HELPER_NAME.test(name)) {
    throw configError(
      file,
      `credential helper name ${JSON.stringify(name)} is not a program name`,
    );
  }
  return name;
}

async function readDockerConfig(file: string) {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ENOENT') return undefined;
    throw configError(file, errorMessage(err), err);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw configError(file, 'not valid JSON', err);
  }
  const parsed = dockerConfig.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || 'body';
    throw configError(file, `${where}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/** `auth` is base64 of `username:password`; the fields win over it. */
function fromEntry(
  e: z.infer<typeof authEntry>,
  file: string,
): Credentials | undefined {
  let { username, password } = e;
  if (e.auth) {
    const pairText = Buffer.from(e.auth, 'base64').toString('utf8');
    const colon = pairText.indexOf(':');
    if (colon < 0) {
      throw configError(file, 'an "auth" value is not base64 of user:password');
    }
    username ??= pairText.slice(0, colon);
    password ??= pairText.slice(colon + 1);
  }
  if (e.identitytoken) {
    return {
      ...(username ? { username } : {}),
      identityToken: e.identitytoken,
    };
  }
  if (username === undefined || password === undefined) return undefined;
  return { username, password };
}

/** `https://host:5000/v1/` and `host:5000` name the same registry. */
function sameRegistry(key: string, registry: string): boolean {
  const host = key
    .replace(/^https?:\/\//, '')
    .split('/')[0]!
    .toLowerCase();
  const want = registry.toLowerCase();
  if (HUB_KEYS.has(want)) return HUB_KEYS.has(host);
  return host === want;
}

function configError(file: string, why: string, cause?: unknown): ClaroError {
  return new ClaroError(
    'INVALID_ARGUMENT',
    `Cannot read docker config ${file}: ${why}`,
    { cause },
  );
}
