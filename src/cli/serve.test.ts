import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

const root = mkdtempSync(join(tmpdir(), 'claro-serve-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A mirror holding one small real feed: Alpine 3.19 main. */
const mirror = join(root, 'feeds');
mkdirSync(join(mirror, 'alpine/secdb/v3.19'), { recursive: true });
copyFileSync(
  '../shared/data/feeds/alpine/secdb/v3.19/main.json',
  join(mirror, 'alpine/secdb/v3.19/main.json'),
);

let files = 0;
function configFile(yaml: string): string {
  const file = join(root, `claro-${++files}.yaml`);
  writeFileSync(file, yaml);
  return file;
}

/** A config on loopback port 0 with its own SQLite file. */
function goodConfig(): string {
  const db = join(root, `claro-${files + 1}.db`);
  return configFile(
    [
      'http_listen_addr: 127.0.0.1:0',
      'introspection_addr: 127.0.0.1:0',
      `indexer:\n  connstring: ${db}`,
      `matcher:\n  connstring: ${db}`,
      `updaters:\n  mirror: ${mirror}`,
      '',
    ].join('\n'),
  );
}

interface Child {
  readonly process: ChildProcess;
  /** Everything written to standard error so far. */
  stderr(): string;
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
}

/** Starts `claro ARGS` from the project root, without CLARO_ variables. */
function claro(args: readonly string[], env: NodeJS.ProcessEnv = {}): Child {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('CLARO_')),
  );
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', ...args],
    {
      cwd: process.cwd(),
      env: { ...base, CLARO_CACHE_DIR: join(root, 'cache'), ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const err: Buffer[] = [];
  child.stderr?.on('data', (c: Buffer) => err.push(c));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  });
  return {
    process: child,
    stderr: () => Buffer.concat(err).toString('utf8'),
    exited,
  };
}

/** Waits for `pattern` on the child's standard error. */
async function waitFor(child: Child, pattern: RegExp): Promise<string> {
  for (;;) {
    const found = pattern.exec(child.stderr());
    if (found?.[1] !== undefined) return found[1];
    const done = await Promise.race([
      child.exited.then(() => true),
      new Promise((resolve) => setTimeout(resolve, 20, false)),
    ]);
    if (done === true) {
      assert.fail(`claro exited before ${pattern}:\n${child.stderr()}`);
    }
  }
}

async function get(url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.text() };
}

describe('claro serve', () => {
  it('serves, answers health and index state, stops on SIGTERM', async () => {
    const child = claro(['serve', '--mode', 'combo', '--config', goodConfig()]);
    const api = await waitFor(child, /^listening on (http:\S+)$/m);
    const intro = await waitFor(child, /^introspection on (http:\S+)$/m);

    assert.match(api, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.deepEqual(await get(`${intro}/healthz`), {
      status: 200,
      body: 'ok\n',
    });
    const state = await get(`${api}/indexer/api/v1/index_state`);
    assert.equal(state.status, 200);
    assert.match(state.body, /^\{"state":"[0-9a-f]+"\}$/);

    await waitFor(child, /"msg":"(update cycle ended)"/);
    const status = await get(`${api}/matcher/api/v1/updater_status`);
    assert.deepEqual(Object.keys(JSON.parse(status.body) as object), [
      'alpine-secdb-v3.19-main',
    ]);

    child.process.kill('SIGTERM');
    assert.equal(await child.exited, 0, child.stderr());
    assert.match(child.stderr(), /"msg":"service stopped"/);
  });

  it('takes its settings from the environment alone', async () => {
    const db = join(root, 'env.db');
    const child = claro(['serve'], {
      CLARO_MODE: 'indexer',
      CLARO_HTTP_LISTEN_ADDR: '127.0.0.1:0',
      CLARO_INTROSPECTION_ADDR: '127.0.0.1:0',
      CLARO_INDEXER_CONNSTRING: db,
      CLARO_LOG_LEVEL: 'warn',
    });
    const api = await waitFor(child, /^listening on (http:\S+)$/m);
    const matcher = await get(`${api}/matcher/api/v1/updater_status`);
    assert.equal(matcher.status, 404);

    child.process.kill('SIGINT');
    assert.equal(await child.exited, 0, child.stderr());
  });

  const bad: readonly [string, string[], NodeJS.ProcessEnv, string][] = [
    [
      'a misspelt key',
      ['--config', 'FILE'],
      {},
      'claro: Cannot read config FILE: matcher.perod: unknown key\n',
    ],
    [
      'a bad environment value',
      [],
      { CLARO_MATCHER_PERIOD: 'hourly' },
      'claro: Cannot read config from the environment: ' +
        'CLARO_MATCHER_PERIOD: Cannot parse duration "hourly": missing ' +
        'number (expected a number and unit, like 6h, 30m, 90s, 1h30m, ' +
        '500ms)\n',
    ],
    [
      'an unknown mode',
      ['--mode', 'both'],
      {},
      'claro: Cannot start service: --mode must be one of indexer, ' +
        'matcher, combo, got "both"\n',
    ],
    [
      'a missing config file',
      ['--config', 'ABSENT'],
      {},
      'claro: Cannot read config ABSENT: no such file\n',
    ],
  ];
  for (const [name, args, env, message] of bad) {
    it(`exits 64 naming ${name}`, async () => {
      const file = configFile('matcher:\n  perod: 6h\n');
      const absent = join(root, 'absent.yaml');
      const argv = args.map((a) =>
        a === 'FILE' ? file : a === 'ABSENT' ? absent : a,
      );
      const child = claro(['serve', ...argv], env);
      assert.equal(await child.exited, 64);
      assert.equal(
        child.stderr(),
        message.replace('FILE', file).replace('ABSENT', absent),
      );
    });
  }
});
