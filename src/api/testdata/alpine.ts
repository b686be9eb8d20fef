/**
 * Real data for the API and affected-manifest tests: the Alpine 3.20.3
 * minirootfs tarball as a one-layer image, and the Alpine secdb mirror.
 */
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { extract } from 'tar-stream';
import { alpineSecdbSet } from '../../alpine/secdb.js';
import type { ImageSource } from '../../image/source.js';
import { silentLogger } from '../../log.js';
import type { Store } from '../../store/store.js';
import { runUpdaters } from '../../updater/run.js';

export const ALPINE_TARBALL =
  '../shared/fixtures/alpine-minirootfs/alpine-minirootfs-3.20.3-x86_64.tar.gz';
export const FEEDS = '../shared/data/feeds';

/** The layer blob's digest: sha256 of the tarball's bytes. */
export const ALPINE_LAYER = `sha256:${createHash('sha256')
  .update(readFileSync(ALPINE_TARBALL))
  .digest('hex')}`;

/** A manifest digest chosen for the test image. */
export const ALPINE_MANIFEST = `sha256:${createHash('sha256')
  .update('claro test image: alpine-minirootfs 3.20.3 x86_64')
  .digest('hex')}`;

/** The tarball as a one-layer image read from disk. */
export function alpineSource(manifest = ALPINE_MANIFEST): ImageSource {
  return {
    kind: 'rootfs-archive',
    manifestHash: manifest,
    layers: [
      {
        digest: ALPINE_LAYER,
        open: async () => createReadStream(ALPINE_TARBALL),
      },
    ],
    close: async () => {},
  };
}

/**
 * The tarball's apk database (`lib/apk/db/installed`) without the
 * packages named: an upper layer holding it removes them.
 */
export async function installedWithout(
  names: readonly string[],
): Promise<string> {
  const db = await tarFile(ALPINE_TARBALL, 'lib/apk/db/installed');
  const stanzas = db.split('\n\n').filter((s) => s.trim() !== '');
  const kept = stanzas.filter((s) => {
    const name = /^P:(.*)$/m.exec(s)?.[1];
    return name === undefined || !names.includes(name);
  });
  return `${kept.join('\n\n')}\n\n`;
}

async function tarFile(tarball: string, path: string): Promise<string> {
  const ex = extract();
  ex.end(gunzipSync(readFileSync(tarball)));
  let found: string | undefined;
  for await (const entry of ex) {
    const chunks: Buffer[] = [];
    for await (const c of entry) chunks.push(c as Buffer);
    if (entry.header.name.replace(/^\.\//, '') === path) {
      found = Buffer.concat(chunks).toString('utf8');
    }
  }
  if (found === undefined) throw new Error(`${tarball} has no ${path}`);
  return found;
}

/** Loads the Alpine secdb mirror into `store`; fails on any failure. */
export async function loadAlpineSecdb(store: Store): Promise<void> {
  const ctx = { fetch: noNetwork, log: silentLogger(), mirror: FEEDS };
  const outcomes = await runUpdaters(store, [alpineSecdbSet], ctx);
  const failed = outcomes.filter((o) => o.status === 'failed');
  if (failed.length > 0) throw new Error(JSON.stringify(failed));
}

const noNetwork: typeof fetch = async (input) => {
  throw new Error(`test tried to fetch ${String(input)}`);
};
