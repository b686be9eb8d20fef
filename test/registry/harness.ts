/**
 * Real registries for tests: Debian's `docker-registry` (the distribution
 * project's registry) run as a child process on 127.0.0.1 with a config
 * written here, anonymous, behind htpasswd Basic auth, behind a token
 * service this file runs, or over TLS with a CA made by openssl. A
 * counting proxy can stand in front of one to count requests and to fail
 * on purpose. Images are pushed with skopeo.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, createSign, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { tempDir } from '../helpers.js';

/** The tools the registry tests run; all are Debian packages. */
const TOOLS: readonly [string, string[], string][] = [
  ['docker-registry', ['--version'], 'docker-registry'],
  ['skopeo', ['--version'], 'skopeo'],
  ['openssl', ['version'], 'openssl'],
  ['htpasswd', ['-h'], 'apache2-utils'],
];

/** The Debian packages missing for the registry tests, if any. */
export function missingTools(): string[] {
  return TOOLS.filter(([cmd, args]) => {
    try {
      execFileSync(cmd, args, { stdio: 'ignore' });
      return false;
    } catch (err) {
      // htpasswd -h exits non-zero but exists.
      return (err as { code?: unknown }).code === 'ENOENT';
    }
  }).map(([, , pkg]) => pkg);
}

/**
 * True when the registry tests can run. Without the tools they are
 * skipped with a visible message, except on CI, where that fails.
 */
export function needRegistry(t: TestContext): boolean {
  const missing = missingTools();
  if (missing.length === 0) return true;
  const install = `apt-get install -y ${missing.join(' ')}`;
  if (process.env['CI'] === 'true') {
    assert.fail(`registry tests need Debian packages on CI: ${install}`);
  }
  t.skip(`registry tests skipped: ${install}`);
  return false;
}

/** A user the authenticated registries accept. */
export const USER = { username: 'claro-test', password: 'p@ss:w0rd' };

export type RegistryAuth = 'none' | 'htpasswd' | 'token';

export interface RegistryOptions {
  readonly auth?: RegistryAuth;
  /** Serve HTTPS with a certificate for 127.0.0.1 signed by `ca`. */
  readonly tls?: boolean;
}

/** A running registry. */
export interface Registry {
  /** `127.0.0.1:PORT`, as references name it. */
  readonly host: string;
  /** Where the registry keeps its blobs and manifests. */
  readonly dataDir: string;
  /** The CA that signed its certificate (PEM file), with `tls`. */
  readonly caFile?: string;
  /** The token service, with `auth: 'token'`. */
  readonly tokens?: TokenServer;
  /** Skopeo's flags to push to it. */
  readonly pushFlags: readonly string[];
  stop(): Promise<void>;
}

/** Starts a registry; `stop()` ends it and removes its files. */
export async function startRegistry(
  opts: RegistryOptions = {},
): Promise<Registry> {
  const tmp = tempDir('claro-registry-');
  const dataDir = join(tmp.dir, 'data');
  mkdirSync(dataDir);
  const tokens =
    opts.auth === 'token' ? await startTokenServer(tmp.dir) : undefined;
  const tls = opts.tls ? makeServerCert(tmp.dir) : undefined;
  const authConfig = authSection(opts.auth ?? 'none', tmp.dir, tokens);

  for (let tries = 0; ; tries++) {
    const port = await freePort();
    const config = join(tmp.dir, 'config.yml');
    writeFileSync(
      config,
      registryConfig({ port, dataDir, authConfig, tls: tls?.server }),
    );
    const child = spawn('docker-registry', ['serve', config], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    // A test file that ends without `stop()` (a failed `before`) leaves
    // no registry behind.
    const orphan = () => child.kill('SIGKILL');
    process.once('exit', orphan);
    child.once('exit', () => process.off('exit', orphan));
    const stderr: Buffer[] = [];
    child.stderr!.on('data', (c: Buffer) => stderr.push(c));
    const host = `127.0.0.1:${port}`;
    const scheme = tls ? 'https' : 'http';
    if (await ready(`${scheme}://${host}/v2/`, child, tls?.caFile)) {
      return {
        host,
        dataDir,
        ...(tls ? { caFile: tls.caFile } : {}),
        ...(tokens ? { tokens } : {}),
        pushFlags: pushFlags(opts, tls?.caDir),
        stop: async () => {
          await stopChild(child);
          await tokens?.close();
          tmp.remove();
        },
      };
    }
    await stopChild(child);
    if (tries >= 2) {
      tmp.remove();
      throw new Error(
        `docker-registry did not start: ${Buffer.concat(stderr).toString()}`,
      );
    }
  }
}

function pushFlags(opts: RegistryOptions, caDir?: string): string[] {
  const creds = `${USER.username}:${USER.password}`;
  return [
    ...(opts.tls ? ['--dest-cert-dir', caDir!] : ['--dest-tls-verify=false']),
    ...(opts.auth && opts.auth !== 'none' ? ['--dest-creds', creds] : []),
  ];
}

function registryConfig(c: {
  port: number;
  dataDir: string;
  authConfig: string;
  tls: { cert: string; key: string } | undefined;
}): string {
  const tls = c.tls
    ? `  tls:\n    certificate: ${c.tls.cert}\n    key: ${c.tls.key}\n`
    : '';
  return [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${c.dataDir}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${c.port}`,
    `  secret: ${randomBytes(16).toString('hex')}`,
    tls + c.authConfig,
  ].join('\n');
}

function authSection(
  auth: RegistryAuth,
  dir: string,
  tokens: TokenServer | undefined,
): string {
  if (auth === 'htpasswd') {
    const file = join(dir, 'htpasswd');
    const line = execFileSync('htpasswd', [
      '-Bbn',
      USER.username,
      USER.password,
    ]);
    writeFileSync(file, line);
    return `auth:\n  htpasswd:\n    realm: claro-test\n    path: ${file}\n`;
  }
  if (auth === 'token' && tokens) {
    return [
      'auth:',
      '  token:',
      `    realm: ${tokens.url}/token`,
      `    service: ${TOKEN_SERVICE}`,
      `    issuer: ${TOKEN_ISSUER}`,
      `    rootcertbundle: ${tokens.certFile}`,
      '',
    ].join('\n');
  }
  return '';
}

/** Polls until the registry answers, or its process ends. */
async function ready(
  url: string,
  child: ChildProcess,
  caFile: string | undefined,
): Promise<boolean> {
  const { Agent, fetch } = await import('undici');
  const dispatcher = new Agent({
    connect: caFile ? { ca: readFileSync(caFile, 'utf8') } : {},
  });
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) return false;
    try {
      const res = await fetch(url, { dispatcher });
      await res.body?.cancel();
      if (res.status === 200 || res.status === 401) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await done;
}

/** A port free at the time of asking. */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

/** Runs openssl quietly, failing with its output. */
function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A new RSA key and a certificate for `subject` it signed itself. */
function selfSigned(subject: string, key: string, cert: string): void {
  openssl([
    ...'req -x509 -newkey rsa:2048 -nodes -days 2'.split(' '),
    ...['-subj', subject, '-keyout', key, '-out', cert],
  ]);
}

/**
 * A CA and a certificate for 127.0.0.1 it signed; skopeo reads the CA
 * from a folder (`--dest-cert-dir`), claro from a file (`--ca-file`).
 */
function makeServerCert(dir: string) {
  const caDir = join(dir, 'ca');
  mkdirSync(caDir);
  const caKey = join(dir, 'ca.key');
  const caFile = join(caDir, 'ca.crt');
  const key = join(dir, 'server.key');
  const csr = join(dir, 'server.csr');
  const cert = join(dir, 'server.crt');
  const ext = join(dir, 'server.ext');
  selfSigned('/CN=claro test CA', caKey, caFile);
  openssl([
    ...'req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1'.split(' '),
    ...['-keyout', key, '-out', csr],
  ]);
  writeFileSync(ext, 'subjectAltName=IP:127.0.0.1\n');
  openssl([
    ...'x509 -req -CAcreateserial -days 2'.split(' '),
    ...['-in', csr, '-CA', caFile, '-CAkey', caKey],
    ...['-extfile', ext, '-out', cert],
  ]);
  return { caFile, caDir, server: { cert, key } };
}

const TOKEN_SERVICE = 'claro-test-registry';
const TOKEN_ISSUER = 'claro-test-issuer';
/** The refresh token the token service takes in place of a password. */
export const IDENTITY_TOKEN = 'claro-test-refresh-token';

/** What the token service was asked, in order. */
export interface TokenRequest {
  readonly method: string;
  readonly scope: string | undefined;
  readonly service: string | undefined;
  /** `basic`, `refresh_token`, or `anonymous`. */
  readonly via: string;
}

/** A token service issuing JWTs the registry verifies. */
export interface TokenServer {
  readonly url: string;
  readonly certFile: string;
  readonly requests: TokenRequest[];
  close(): Promise<void>;
}

/**
 * The token service of the distribution spec's "Token Authentication":
 * for the test user (Basic) or the identity token (OAuth2 refresh), a JWT
 * signed RS256 with the key whose self-signed certificate the registry
 * trusts, carried in `x5c`, granting the actions the scope asks for;
 * anyone else gets 401.
 */
export async function startTokenServer(dir: string): Promise<TokenServer> {
  const keyFile = join(dir, 'token.key');
  const certFile = join(dir, 'token.crt');
  selfSigned('/CN=claro test token issuer', keyFile, certFile);
  const key = readFileSync(keyFile, 'utf8');
  const der = pemBody(readFileSync(certFile, 'utf8'));
  const requests: TokenRequest[] = [];

  const server = createServer((req, res) => {
    void answerToken(req, res, { key, der, requests });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    certFile,
    requests,
    close: () => closeServer(server),
  };
}

async function answerToken(
  req: IncomingMessage,
  res: ServerResponse,
  s: { key: string; der: string; requests: TokenRequest[] },
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x');
  const form =
    req.method === 'POST'
      ? new URLSearchParams(await bodyText(req))
      : url.searchParams;
  const via = whoAsks(req, form);
  const scope = form.get('scope') ?? undefined;
  s.requests.push({
    method: req.method ?? '',
    scope,
    service: form.get('service') ?? undefined,
    via,
  });
  if (via === 'anonymous' || via === 'refused') {
    res.writeHead(401, { 'Content-Type': 'application/json' });
    return void res.end('{"details":"incorrect username or password"}');
  }
  const token = signToken(s, scope);
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(
    JSON.stringify(
      via === 'refresh_token'
        ? { access_token: token, expires_in: 300 }
        : { token, expires_in: 300 },
    ),
  );
}

function whoAsks(req: IncomingMessage, form: URLSearchParams): string {
  if (form.get('grant_type') === 'refresh_token') {
    return form.get('refresh_token') === IDENTITY_TOKEN
      ? 'refresh_token'
      : 'refused';
  }
  const auth = req.headers.authorization;
  if (!auth?.startsWith('Basic ')) return 'anonymous';
  const pair = Buffer.from(auth.slice(6), 'base64').toString('utf8');
  return pair === `${USER.username}:${USER.password}` ? 'basic' : 'refused';
}

/** A JWT granting `repository:NAME:ACTIONS` (RFC 7519, RS256). */
function signToken(
  s: { key: string; der: string },
  scope: string | undefined,
): string {
  const now = Math.floor(Date.now() / 1000);
  const access = (scope ?? '')
    .split(' ')
    .filter((x) => x !== '')
    .map((one) => {
      const [type, ...rest] = one.split(':');
      const actions = rest.pop() ?? '';
      return { type, name: rest.join(':'), actions: actions.split(',') };
    });
  const header = { alg: 'RS256', typ: 'JWT', x5c: [s.der] };
  const claims = {
    iss: TOKEN_ISSUER,
    sub: USER.username,
    aud: TOKEN_SERVICE,
    exp: now + 300,
    nbf: now - 10,
    iat: now,
    jti: randomBytes(8).toString('hex'),
    access,
  };
  const head = `${b64url(JSON.stringify(header))}.${b64url(
    JSON.stringify(claims),
  )}`;
  const sig = createSign('RSA-SHA256').update(head).sign(s.key);
  return `${head}.${sig.toString('base64url')}`;
}

function b64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}

function pemBody(pem: string): string {
  return pem
    .replace(/-----(BEGIN|END) CERTIFICATE-----/g, '')
    .replace(/\s+/g, '');
}

async function bodyText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** What a fault hook may make the proxy do with one request. */
export type Fault =
  | { readonly status: number; readonly headers?: Record<string, string> }
  | { readonly stallAfter: number };

/**
 * A reverse proxy in front of a registry: counts requests as
 * `METHOD PATH` (with `range` noted) and lets a test fail some on
 * purpose through `fault`.
 */
export class CountingProxy {
  readonly seen: { method: string; path: string; range?: string }[] = [];
  fault: (method: string, path: string) => Fault | undefined = () => undefined;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  host = '';

  constructor(private readonly upstream: string) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => this.forward(req, res));
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.host = `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Requests whose path has `part` (`/blobs/`, `/manifests/`). */
  count(method: string, part: string): number {
    return this.seen.filter((s) => s.method === method && s.path.includes(part))
      .length;
  }

  reset(): void {
    this.seen.length = 0;
    this.fault = () => undefined;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    if (this.server) await closeServer(this.server);
  }

  private forward(req: IncomingMessage, res: ServerResponse): void {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const range = req.headers.range;
    this.seen.push({ method, path, ...(range ? { range } : {}) });
    const fault = this.fault(method, path);
    if (fault && 'status' in fault) {
      res.writeHead(fault.status, fault.headers ?? {});
      return void res.end();
    }
    const up = httpRequest(
      `http://${this.upstream}${path}`,
      { method, headers: { ...req.headers, host: this.upstream } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        if (fault && 'stallAfter' in fault) {
          return stall(answer, res, fault.stallAfter);
        }
        answer.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  }
}

/** Sends the first `n` bytes of an answer, then nothing more. */
function stall(answer: IncomingMessage, res: ServerResponse, n: number): void {
  let sent = 0;
  answer.on('data', (chunk: Buffer) => {
    if (sent >= n) return;
    const part = chunk.subarray(0, n - sent);
    sent += part.length;
    res.write(part);
  });
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((r) => server.close(() => r()));
}

/** `sha256:<hex>` of some bytes. */
export function sha256(body: Buffer | string): string {
  return `sha256:${createHash('sha256').update(body).digest('hex')}`;
}
