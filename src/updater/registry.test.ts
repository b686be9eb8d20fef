import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { silentLogger } from '../log.js';
import { DEFAULT_UPDATER_SETS } from './registry.js';
import type { FetchContext, Updater } from './updater.js';

const log = silentLogger();

function noNetwork(): Promise<Response> {
  return Promise.reject(new Error('no network in tests'));
}

async function allUpdaters(ctx: FetchContext): Promise<Updater[]> {
  const lists = await Promise.all(
    DEFAULT_UPDATER_SETS.map((s) => s.updaters(ctx)),
  );
  return lists.flat();
}

describe('DEFAULT_UPDATER_SETS', () => {
  let empty = '';
  before(async () => {
    empty = await mkdtemp(join(tmpdir(), 'claro-empty-mirror-'));
  });
  after(() => rm(empty, { recursive: true, force: true }));

  it('has unique set names', () => {
    const names = DEFAULT_UPDATER_SETS.map((s) => s.name);
    assert.deepEqual(names, [
      'debian-security-list',
      'debian-tracker',
      'alpine-secdb',
      'osv',
    ]);
  });

  it('has unique updater names across every set, from upstream', async () => {
    const names = (await allUpdaters({ fetch: noNetwork, log })).map(
      (u) => u.name,
    );
    assert.equal(names.length, 52);
    assert.equal(new Set(names).size, names.length);
  });

  it('has unique updater names across every set, from the shared mirror', async () => {
    const ctx = { mirror: '../shared/data/feeds', fetch: noNetwork, log };
    const names = (await allUpdaters(ctx)).map((u) => u.name);
    assert.equal(names.length, 29);
    assert.equal(new Set(names).size, names.length);
  });

  it('skips every updater on an empty mirror instead of failing', async () => {
    const ctx: FetchContext = { mirror: empty, fetch: noNetwork, log };
    for (const set of DEFAULT_UPDATER_SETS) {
      for (const updater of await set.updaters(ctx)) {
        assert.equal(await updater.fetch(ctx), undefined, updater.name);
      }
    }
  });

  it('skips every upstream updater when upstream answers 404', async () => {
    const gone = (): Promise<Response> =>
      Promise.resolve(new Response(null, { status: 404 }));
    const ctx: FetchContext = { fetch: gone, log };
    for (const updater of await allUpdaters(ctx)) {
      assert.equal(await updater.fetch(ctx), undefined, updater.name);
    }
  });
});
