/**
 * Local servers for the API tests: the API itself and a layer server
 * that serves the Alpine tarball, fails, or stalls on demand. Both bind
 * 127.0.0.1 on a free port.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { ALPINE_TARBALL } from './alpine.js';

/** A listening server and its base URL. */
export interface Running {
  readonly url: string;
  close(): Promise<void>;
}

export async function listen(handler: RequestListener): Promise<Running> {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const TARBALL = readFileSync(ALPINE_TARBALL);
const TAR = gunzipSync(TARBALL);

/**
 * Layer blob `n`: the gzipped tarball for 0; for n > 0 the uncompressed
 * tar with n extra zero blocks, which reads the same but has its own
 * digest, so that a test can index a layer the store has not seen.
 */
export function layerBlob(n: number): Buffer {
  if (n === 0) return TARBALL;
  return Buffer.concat([TAR, Buffer.alloc(512 * n)]);
}

export function layerDigest(n: number): string {
  const hex = createHash('sha256').update(layerBlob(n)).digest('hex');
  return `sha256:${hex}`;
}

/**
 * Serves `/blob/<n>` (layer blob n), `/flaky/<n>` (500 while `flaky` is
 * true, then blob n), `/slow/<n>` (blob n once `release()` is called);
 * anything else 404. Counts requests by path and keeps the last
 * Authorization field seen.
 */
export class LayerServer {
  readonly hits = new Map<string, number>();
  flaky = true;
  lastAuthorization: string | undefined;
  #gate: Promise<void> = Promise.resolve();
  #open: () => void = () => {};

  /** Makes `/slow/<n>` wait until `release()`. */
  hold(): void {
    this.#gate = new Promise((resolve) => (this.#open = resolve));
  }

  release(): void {
    this.#open();
  }

  hitsOf(path: string): number {
    return this.hits.get(path) ?? 0;
  }

  readonly handler: RequestListener = (req, res) => {
    const path = req.url ?? '/';
    this.hits.set(path, this.hitsOf(path) + 1);
    this.lastAuthorization = req.headers.authorization;
    const [, kind, n] = /^\/(blob|flaky|slow)\/(\d+)$/.exec(path) ?? [];
    const send = () => res.end(layerBlob(Number(n)));
    if (kind === 'blob') return send();
    if (kind === 'slow') return void this.#gate.then(send);
    if (kind === 'flaky' && !this.flaky) return send();
    res.statusCode = kind === 'flaky' ? 500 : 404;
    res.end('no');
  };
}
