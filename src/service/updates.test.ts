import assert from 'node:assert/strict';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, beforeEach, describe, it } from 'node:test';

import { isClaroError } from '../errors.js';
import { silentLogger } from '../log.js';
import { openStore } from '../store/open.js';
import type { Store } from '../store/store.js';
import { DEFAULT_UPDATER_SETS } from '../updater/registry.js';
import type { UpdaterOutcome } from '../updater/run.js';
import type { UpdaterSet } from '../updater/updater.js';
import { startUpdateLoop, type UpdateLoopOptions } from './updates.js';
import { setOf, signal } from './testdata/updaters.js';

const FEEDS = '../shared/data/feeds';
const SECDB_319 = `${FEEDS}/alpine/secdb/v3.19/main.json`;
const UPDATER_319 = 'alpine-secdb-v3.19-main';
const log = silentLogger();

const noNetwork: typeof fetch = async (input) => {
  throw new Error(`test tried to fetch ${String(input)}`);
};

const root = mkdtempSync(join(tmpdir(), 'claro-updates-'));
after(() => rmSync(root, { recursive: true, force: true }));

let runs = 0;
let dir = '';
let mirror = '';
let store: Store;
let outcomes: UpdaterOutcome[];

/** Writes one secdb document into the test mirror. */
function writeSecdb(release: string, body: string | Buffer): void {
  const folder = join(mirror, 'alpine', 'secdb', release);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'main.json'), body);
}

/** The real v3.19 document with only its first `n` packages. */
function trimmedSecdb(n: number): string {
  const doc = JSON.parse(readFileSync(SECDB_319, 'utf8')) as {
    packages: unknown[];
  };
  return JSON.stringify({ ...doc, packages: doc.packages.slice(0, n) });
}

beforeEach(async () => {
  dir = join(root, `run-${++runs}`);
  mirror = join(dir, 'feeds');
  writeSecdb('v3.19', readFileSync(SECDB_319));
  store = await openStore(join(dir, 'claro.db'));
  outcomes = [];
});

afterEach(async () => {
  await store.close();
});

/** Loop options over the default sets and the test mirror. */
function options(more: Partial<UpdateLoopOptions> = {}): UpdateLoopOptions {
  return {
    store,
    sets: DEFAULT_UPDATER_SETS,
    period: 3_600_000,
    retention: 10,
    mirror,
    log,
    fetch: noNetwork,
    onOutcome: (o) => outcomes.push(o),
    ...more,
  };
}

/** Statuses by updater, in outcome order. */
function statuses(): [string, string][] {
  return outcomes.map((o) => [o.updater, o.status]);
}

describe('startUpdateLoop', () => {
  it('runs a first cycle at once and records each attempt', async () => {
    const loop = startUpdateLoop(options());
    await loop.idle();
    await loop.stop();

    assert.deepEqual(statuses(), [
      ['debian-security-list', 'skipped'],
      ['debian-tracker', 'skipped'],
      [UPDATER_319, 'updated'],
    ]);
    const [op] = await store.updateOperations(UPDATER_319);
    assert.ok(op !== undefined && op.count > 0);
    const [status, ...others] = await store.updaterStatus();
    assert.deepEqual(others, []);
    assert.deepEqual(status, {
      updater: UPDATER_319,
      lastAttempt: status?.lastAttempt,
      lastSuccess: status?.lastAttempt,
      records: op.count,
    });
  });

  it('finds the feed unchanged on the next cycle', async () => {
    const loop = startUpdateLoop(options());
    await loop.runNow();
    await loop.stop();

    const mine = outcomes.filter((o) => o.updater === UPDATER_319);
    assert.deepEqual(
      mine.map((o) => o.status),
      ['updated', 'unchanged'],
    );
    assert.equal((await store.updateOperations(UPDATER_319)).length, 1);
  });

  it('skips a set whose lock another holder has', async () => {
    let release = (): void => {};
    const held = store.withLock(
      'updater:alpine-secdb',
      () => new Promise<void>((resolve) => (release = resolve)),
    );

    const loop = startUpdateLoop(options());
    await loop.runNow();
    assert.deepEqual(statuses(), [
      ['debian-security-list', 'skipped'],
      ['debian-tracker', 'skipped'],
      ['debian-security-list', 'skipped'],
      ['debian-tracker', 'skipped'],
    ]);
    assert.deepEqual(await store.updaterStatus(), []);

    release();
    await held;
    await loop.runNow();
    await loop.stop();
    assert.deepEqual(statuses().at(-1), [UPDATER_319, 'updated']);
  });

  it('keeps only `retention` operations per updater', async () => {
    writeSecdb('v3.19', trimmedSecdb(3));
    const gcCalls: number[] = [];
    const gc = store.gcUpdateOperations.bind(store);
    store.gcUpdateOperations = (keep) => {
      gcCalls.push(keep);
      return gc(keep);
    };

    const loop = startUpdateLoop(options({ retention: 1 }));
    await loop.runNow();
    writeSecdb('v3.19', trimmedSecdb(5));
    await loop.runNow();
    await loop.stop();

    assert.deepEqual(gcCalls, [1, 1, 1]);
    const mine = outcomes.filter((o) => o.updater === UPDATER_319);
    assert.deepEqual(
      mine.map((o) => o.status),
      ['updated', 'unchanged', 'updated'],
    );
    const ops = await store.updateOperations(UPDATER_319);
    assert.equal(ops.length, 1);
    assert.equal(ops[0]?.count, mine[2]?.count);
  });

  it('records a failing updater with its error', async () => {
    writeSecdb('v3.18', '{"packages": ');
    const loop = startUpdateLoop(options());
    await loop.idle();
    await loop.stop();

    const failed = outcomes.find((o) => o.status === 'failed');
    assert.equal(failed?.updater, 'alpine-secdb-v3.18-main');
    const status = (await store.updaterStatus()).find(
      (s) => s.updater === 'alpine-secdb-v3.18-main',
    );
    assert.deepEqual(status, {
      updater: 'alpine-secdb-v3.18-main',
      lastAttempt: status?.lastAttempt,
      lastError: failed?.error,
    });
    assert.match(failed?.error ?? '', /^Cannot parse v3\.18\/main\.json: /);
  });

  it('records a set that cannot list its updaters under its name', async () => {
    const broken: UpdaterSet = {
      name: 'broken-set',
      updaters: () => Promise.reject(new Error('no listing')),
    };
    const loop = startUpdateLoop(options({ sets: [broken] }));
    await loop.idle();
    await loop.stop();

    assert.deepEqual(outcomes, [
      { updater: 'broken-set', status: 'failed', error: 'no listing' },
    ]);
    const [status] = await store.updaterStatus();
    assert.equal(status?.lastError, 'no listing');
  });

  it('goes on when the store fails, and keeps its schedule', async () => {
    let tries = 0;
    store.tryLock = () => {
      tries++;
      return Promise.reject(new Error('database is down'));
    };
    store.gcUpdateOperations = () => Promise.reject(new Error('still down'));

    const loop = startUpdateLoop(options({ period: 10 }));
    while (tries < 3 * DEFAULT_UPDATER_SETS.length) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await loop.runNow();
    await loop.stop();
    assert.deepEqual(outcomes, []);
  });

  it('runs again every period', async () => {
    const loop = startUpdateLoop(options({ period: 20 }));
    while (outcomes.length < 9) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await loop.stop();
    const mine = outcomes.filter((o) => o.updater === UPDATER_319);
    assert.deepEqual(
      mine.slice(0, 3).map((o) => o.status),
      ['updated', 'unchanged', 'unchanged'],
    );
  });

  it('waits in stop() for the running cycle to end', async () => {
    let finish = (): void => {};
    const entered = signal();
    const slow = setOf('slow', () => {
      entered.resolve();
      return new Promise((resolve) => (finish = () => resolve(undefined)));
    });
    const loop = startUpdateLoop(options({ sets: [slow] }));
    await entered.promise;

    let stopped = false;
    const stopping = loop.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(stopped, false);
    finish();
    await stopping;
    assert.deepEqual(outcomes, [
      { updater: 'slow', status: 'skipped', note: 'the feed is absent' },
    ]);
  });

  it('aborts an upstream fetch on stop and records no attempt', async () => {
    const entered = signal();
    const waiting = setOf('upstream', (ctx) => {
      entered.resolve();
      return new Promise((_, reject) => {
        ctx.signal?.addEventListener('abort', () =>
          reject(ctx.signal?.reason as Error),
        );
      });
    });
    const loop = startUpdateLoop(options({ sets: [waiting] }));
    await entered.promise;
    await loop.stop();

    assert.deepEqual(outcomes, [
      {
        updater: 'upstream',
        status: 'failed',
        error: 'the service is stopping',
      },
    ]);
    assert.deepEqual(await store.updaterStatus(), []);
  });

  it('refuses a period a timer cannot wait, and a retention below 1', () => {
    const cases: readonly [Partial<UpdateLoopOptions>, RegExp][] = [
      [{ period: 0 }, /period 0 ms is not from 1 to 2147483647$/],
      [{ period: 2 ** 31 }, /period 2147483648 ms is not from 1/],
      [{ retention: 0 }, /retention 0 is not an integer of at least 1$/],
      [{ retention: 1.5 }, /retention 1.5 is not an integer/],
    ];
    for (const [more, message] of cases) {
      assert.throws(
        () => startUpdateLoop(options(more)),
        (err: unknown) =>
          isClaroError(err, 'INVALID_ARGUMENT') && message.test(err.message),
      );
    }
  });
});
