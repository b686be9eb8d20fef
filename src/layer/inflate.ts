/**
 * gzip inflation on a worker thread. zlib inflates on libuv's pool, one
 * task at a time per stream, and the next task is queued only when the
 * thread that owns the stream runs its callback: on the main thread,
 * every tar entry parsed and every scanner run holds inflation back. A
 * worker's event loop does nothing else, so inflation runs at zlib's
 * speed while the main thread parses what came before.
 *
 * One worker serves every stream of the process (streams are told apart
 * by id); it starts on first use and keeps the process alive only while
 * a stream is open. Bytes go to it copied and come back transferred.
 */
import { Duplex } from 'node:stream';
import { Worker } from 'node:worker_threads';

/** Compressed chunks a stream may have queued at the worker. */
const MAX_QUEUED_INPUT = 4;
/** Output chunks the worker may have sent and not yet had taken. */
const MAX_UNTAKEN_OUTPUT = 4;
/** zlib output chunk size: large chunks keep tar parsing cheap. */
const OUTPUT_CHUNK = 1 << 20;

/** Main thread to worker. */
type Command =
  | { op: 'open'; id: number }
  | { op: 'data'; id: number; chunk: Uint8Array }
  | { op: 'end'; id: number }
  | { op: 'taken'; id: number; n: number }
  | { op: 'close'; id: number };

/** Worker to main thread. */
type Report =
  | { op: 'consumed'; id: number }
  | { op: 'out'; id: number; chunk: Uint8Array }
  | { op: 'done'; id: number }
  | { op: 'error'; id: number; message: string };

/**
 * The worker's code, as a script (`eval`) so that it runs the same under
 * tsx, the compiled CLI and bundles: a gunzip stream per id, paused while
 * MAX_UNTAKEN_OUTPUT chunks are out.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const zlib = require('node:zlib');
const streams = new Map();
const send = (m, t) => parentPort.postMessage(m, t);
parentPort.on('message', (m) => {
  const s = streams.get(m.id);
  switch (m.op) {
    case 'open': return open(m.id);
    case 'data':
      return s && s.z.write(m.chunk, () => send({ op: 'consumed', id: m.id }));
    case 'end': return s && s.z.end();
    case 'taken':
      if (!s) return;
      s.untaken -= m.n;
      if (s.untaken < ${MAX_UNTAKEN_OUTPUT}) s.z.resume();
      return;
    case 'close':
      if (s) { streams.delete(m.id); s.z.destroy(); }
      return;
  }
});
function open(id) {
  const z = zlib.createGunzip({ chunkSize: ${OUTPUT_CHUNK} });
  const s = { z, untaken: 0 };
  streams.set(id, s);
  z.on('data', (view) => {
    const chunk = new Uint8Array(view);
    send({ op: 'out', id, chunk }, [chunk.buffer]);
    if (++s.untaken >= ${MAX_UNTAKEN_OUTPUT}) z.pause();
  });
  z.on('end', () => { streams.delete(id); send({ op: 'done', id }); });
  z.on('error', (err) => {
    if (!streams.delete(id)) return;
    send({ op: 'error', id, message: err.message });
  });
}
`;

/** A gunzip stream whose inflation runs on claro's inflate worker. */
export function gunzipOffThread(): Duplex {
  return new OffThreadGunzip(InflateWorker.shared());
}

class OffThreadGunzip extends Duplex {
  readonly id: number;
  private queued = 0;
  private blocked: (() => void) | undefined;
  private owed = 0;

  constructor(private readonly worker: InflateWorker) {
    super({ readableHighWaterMark: 4 * OUTPUT_CHUNK });
    this.id = worker.open(this);
  }

  override _write(chunk: Buffer, _enc: unknown, cb: () => void): void {
    // A copy of the view alone, handed over: cloning the view would copy
    // all of the memory it lies in.
    const own = new Uint8Array(chunk);
    this.worker.send({ op: 'data', id: this.id, chunk: own }, [own.buffer]);
    if (++this.queued < MAX_QUEUED_INPUT) return cb();
    this.blocked = cb;
  }

  override _final(cb: () => void): void {
    this.worker.send({ op: 'end', id: this.id });
    cb();
  }

  override _read(): void {
    if (this.owed === 0) return;
    this.worker.send({ op: 'taken', id: this.id, n: this.owed });
    this.owed = 0;
  }

  override _destroy(err: Error | null, cb: (e: Error | null) => void): void {
    this.worker.close(this.id);
    cb(err);
  }

  /** What the worker said about this stream. */
  hear(r: Report): void {
    switch (r.op) {
      case 'consumed': {
        this.queued--;
        const cb = this.blocked;
        this.blocked = undefined;
        return cb?.();
      }
      case 'out': {
        const { buffer, byteOffset, byteLength } = r.chunk;
        if (this.push(Buffer.from(buffer, byteOffset, byteLength))) {
          this.worker.send({ op: 'taken', id: this.id, n: 1 });
        } else this.owed++;
        return;
      }
      case 'done':
        this.worker.forget(this.id);
        this.push(null);
        return;
      case 'error':
        this.destroy(new Error(r.message));
    }
  }
}

/** The process's inflate worker and the streams it serves. */
class InflateWorker {
  private static current: InflateWorker | undefined;
  private readonly streams = new Map<number, OffThreadGunzip>();
  private next = 1;

  private constructor(private readonly worker: Worker) {
    worker.unref();
    worker.on('message', (r: Report) => this.streams.get(r.id)?.hear(r));
    worker.on('error', (err) => this.fail(err));
    worker.on('exit', (code) =>
      this.fail(new Error(`inflate worker exited with code ${code}`)),
    );
  }

  /** The running worker, started when there is none. */
  static shared(): InflateWorker {
    if (!InflateWorker.current) {
      const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
      InflateWorker.current = new InflateWorker(worker);
    }
    return InflateWorker.current;
  }

  open(stream: OffThreadGunzip): number {
    const id = this.next++;
    this.streams.set(id, stream);
    if (this.streams.size === 1) this.worker.ref();
    this.send({ op: 'open', id });
    return id;
  }

  send(c: Command, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(c, transfer);
  }

  /** A stream that ended: no more reports for it. */
  forget(id: number): void {
    if (!this.streams.delete(id)) return;
    if (this.streams.size === 0) this.worker.unref();
  }

  /** A stream given up: the worker drops it too. */
  close(id: number): void {
    if (!this.streams.has(id)) return;
    this.forget(id);
    this.send({ op: 'close', id });
  }

  /** The worker is gone: every open stream fails, the next use restarts. */
  private fail(err: Error): void {
    if (InflateWorker.current === this) InflateWorker.current = undefined;
    for (const s of [...this.streams.values()]) s.destroy(err);
    this.streams.clear();
  }
}
