import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import type { ImageSource, LayerSource } from '../image/source.js';
import { silentLogger } from '../log.js';
import { SqliteStore } from '../store/sqlite.js';
import { makeTarGz, streamOf } from '../testutil/tar.js';
import { indexImage } from './indexer.js';
import { DEFAULT_SCANNERS } from './scanners.js';

const OS_RELEASE = 'ID=alpine\nVERSION_ID=3.20.3\nNAME="Alpine Linux"\n';
const INSTALLED = 'P:musl\nV:1.2.5-r0\nA:x86_64\no:musl\n\n';

function digestOf(buf: Buffer): string {
  return `sha256:${createHash('sha256').update(buf).digest('hex')}`;
}

/** A layer that counts its opens and takes a while to read. */
function countedLayer(blob: Buffer, opens: { n: number }): LayerSource {
  return {
    digest: digestOf(blob),
    async open() {
      opens.n += 1;
      await sleep(20);
      return streamOf(blob);
    },
  };
}

function image(hash: string, layers: LayerSource[]): ImageSource {
  return {
    kind: 'oci-layout',
    manifestHash: hash,
    layers,
    async close() {},
  };
}

describe('indexImage', () => {
  it('scans a layer shared by images indexed at once only once', async () => {
    const base = await makeTarGz([
      { name: 'etc/os-release', body: OS_RELEASE },
      { name: 'lib/apk/db/installed', body: INSTALLED },
    ]);
    const opens = { n: 0 };
    const shared = countedLayer(base, opens);
    const store = SqliteStore.open(':memory:');
    const opts = { store, scanners: DEFAULT_SCANNERS, log: silentLogger() };
    const top = async (i: number) =>
      countedLayer(await makeTarGz([{ name: `app/${i}` }]), { n: 0 });

    const runs = await Promise.all(
      [1, 2, 3, 4].map(async (i) =>
        indexImage(image(`sha256:${i}`, [shared, await top(i)]), opts),
      ),
    );

    assert.equal(opens.n, 1);
    const stats = runs.map((r) => r.stats);
    assert.equal(
      stats.reduce((n, s) => n + s.scanned, 0),
      1 + 4,
    );
    assert.equal(
      stats.reduce((n, s) => n + s.reused, 0),
      3,
    );
    for (const r of runs) {
      const names = Object.values(r.report.packages).map((p) => p.name);
      assert.deepEqual(names, ['musl']);
    }
    await store.close();
  });
});
