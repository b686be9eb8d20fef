import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { ProcessLocks } from './locks.js';

describe('ProcessLocks', () => {
  it('never runs two holders of one name at once, in arrival order', async () => {
    const locks = new ProcessLocks();
    const events: string[] = [];
    const run = (id: string, ms: number) =>
      locks.withLock('manifest:a', async () => {
        events.push(`start ${id}`);
        await sleep(ms);
        events.push(`end ${id}`);
        return id;
      });

    const done = await Promise.all([run('1', 20), run('2', 1), run('3', 5)]);

    assert.deepEqual(done, ['1', '2', '3']);
    assert.deepEqual(events, [
      'start 1',
      'end 1',
      'start 2',
      'end 2',
      'start 3',
      'end 3',
    ]);
  });

  it('runs holders of different names side by side', async () => {
    const locks = new ProcessLocks();
    let inside = 0;
    let most = 0;
    const run = (name: string) =>
      locks.withLock(name, async () => {
        inside += 1;
        most = Math.max(most, inside);
        await sleep(10);
        inside -= 1;
      });

    await Promise.all([run('layer:a'), run('layer:b')]);

    assert.equal(most, 2);
  });

  it('releases the lock when the holder throws', async () => {
    const locks = new ProcessLocks();
    const failing = locks.withLock('x', async () => {
      throw new Error('boom');
    });
    await assert.rejects(failing, /boom/);

    assert.equal(await locks.withLock('x', async () => 'next'), 'next');
    assert.deepEqual(await locks.tryLock('x', async () => 1), {
      acquired: true,
      value: 1,
    });
  });

  it('reports a held lock to tryLock without waiting', async () => {
    const locks = new ProcessLocks();
    let release = (): void => {};
    const held = locks.withLock(
      'updater:alpine',
      () => new Promise<void>((r) => (release = r)),
    );
    await sleep(1);

    const res = await locks.tryLock('updater:alpine', async () => 1);
    release();
    await held;

    assert.deepEqual(res, { acquired: false });
  });
});
