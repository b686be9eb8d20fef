/**
 * `claro scan REF` and `claro manifest REF` as a user runs them, against
 * a real registry behind htpasswd Basic auth: credentials from standard
 * input, the environment and docker's config; exit codes and messages.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ERROR_CATALOGUE } from '../../src/errors.js';
import { FEEDS, tempDir } from '../helpers.js';
import {
  USER,
  missingTools,
  needRegistry,
  startRegistry,
  type Registry,
} from './harness.js';
import { ALPINE_AMD64, alpineLayout, push } from './images.js';

const ready = missingTools().length === 0;
const tmp = tempDir('claro-registry-cli-');

let registry: Registry;
let layout: ReturnType<typeof alpineLayout>;

before(async () => {
  if (!ready) return;
  layout = alpineLayout(join(tmp.dir, 'alpine'), ALPINE_AMD64, 'amd64');
  registry = await startRegistry({ auth: 'htpasswd' });
  await push(registry, `oci:${layout.dir}`, 'alpine:1');
});

after(async () => {
  await registry?.stop();
  tmp.remove();
});

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `claro ARGS` from the project root with its own cache folder. */
function claro(
  args: readonly string[],
  opts: { input?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<Run> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CLARO_CACHE_DIR: join(tmp.dir, 'cache'),
    DOCKER_CONFIG: join(tmp.dir, 'no-docker-config'),
    ...opts.env,
  };
  for (const name of ['CLARO_REGISTRY_USERNAME', 'CLARO_REGISTRY_PASSWORD']) {
    if (!opts.env?.[name]) delete env[name];
  }
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', ...args],
    { env, stdio: 'pipe' },
  );
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  child.stdin.end(opts.input ?? '');
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
  });
}

describe('claro scan REF', () => {
  it('scans with a password read from standard input', async (t) => {
    if (!needRegistry(t)) return;
    const r = await claro(
      [
        'scan',
        `${registry.host}/alpine:1`,
        '--username',
        USER.username,
        '--password-stdin',
        '--format',
        'json',
        '--feeds',
        FEEDS,
      ],
      { input: `${USER.password}\n` },
    );
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.manifest_hash, layout.manifestDigest);
    const layers = Object.values(report.environments).flatMap((envs: any) =>
      envs.map((e: any) => e.introduced_in),
    );
    assert.deepEqual([...new Set(layers)], [layout.layerDigest]);
    assert.ok(Object.keys(report.vulnerabilities).length > 0);
  });

  it('exits 77 when the registry refuses the credentials', async (t) => {
    if (!needRegistry(t)) return;
    const r = await claro(['scan', `${registry.host}/alpine:1`], {
      env: {
        CLARO_REGISTRY_USERNAME: USER.username,
        CLARO_REGISTRY_PASSWORD: 'wrong',
      },
    });
    assert.equal(r.code, ERROR_CATALOGUE.UNAUTHORIZED.exit);
    assert.equal(r.code, 77);
    assert.equal(
      r.stderr,
      `claro: Cannot pull ${registry.host}/alpine:1: registry ` +
        `${registry.host} refused the credentials (401)\n`,
    );
  });

  it('exits 66 for a tag the registry does not have', async (t) => {
    if (!needRegistry(t)) return;
    const r = await claro(
      ['scan', `${registry.host}/alpine:nope`, '--password-stdin'],
      { input: USER.password, env: { CLARO_REGISTRY_USERNAME: USER.username } },
    );
    assert.equal(r.code, 66, r.stderr);
    assert.equal(
      r.stderr,
      `claro: Cannot pull ${registry.host}/alpine:nope: registry ` +
        `${registry.host} has no such image (404 MANIFEST_UNKNOWN)\n`,
    );
  });

  it('exits 66 for an argument neither a path nor a reference', async (t) => {
    if (!needRegistry(t)) return;
    const r = await claro(['scan', 'No/Such:thing!']);
    assert.equal(r.code, 66);
    assert.equal(
      r.stderr,
      'claro: Cannot open image No/Such:thing!: no such file or folder, ' +
        'and not an image reference (repository names must be lower case)\n',
    );
  });
});

describe('claro manifest REF', () => {
  it("prints the Clair manifest with docker config's credentials", async (t) => {
    if (!needRegistry(t)) return;
    const dir = join(tmp.dir, 'docker');
    mkdirSync(dir, { recursive: true });
    const pair = `${USER.username}:${USER.password}`;
    const auth = Buffer.from(pair).toString('base64');
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({ auths: { [registry.host]: { auth } } }),
    );
    const r = await claro(['manifest', `${registry.host}/alpine:1`], {
      env: { DOCKER_CONFIG: dir },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      hash: layout.manifestDigest,
      layers: [
        {
          hash: layout.layerDigest,
          uri: `http://${registry.host}/v2/alpine/blobs/${layout.layerDigest}`,
          headers: { Authorization: [`Basic ${auth}`] },
        },
      ],
    });
  });
});
