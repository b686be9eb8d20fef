/**
 * gzip inflation on a worker thread. zlib inflates on libuv's pool, one
 * task at a time per stream, and the next task is queued only when the
 * thread that owns the stream runs its callback: on the main thread,
 * every tar entry parsed and every scanner run holds inflation back. A
 * worker's event loop does nothing else, so inflation runs at zlib's
 * speed while the main thread parses what came before.
 *
 * The worker inflates with ISA-L's igzip when its addon is built, else
 * with zlib (see isal.ts). One worker serves every stream of the process
 * (streams are told apart by id); it starts on first use and keeps the
 * process alive only while a stream is open. Bytes go to it copied and
 * come back transferred.
 */
import { Duplex } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { ClaroError } from '../errors.js';
import { inflateEngine, isalAddon, type InflateEngine } from './isal.js';

/** Compressed chunks a stream may have queued at the worker. */
const MAX_QUEUED_INPUT = 4;
/** Output chunks the worker may have sent and not yet had taken. */
const MAX_UNTAKEN_OUTPUT = 4;
/** Output chunk size: large chunks keep tar parsing cheap. */
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
 * tsx, the compiled CLI and bundles. Each id names one stream; a stream
 * stops inflating while MAX_UNTAKEN_OUTPUT of its chunks are out. With
 * `workerData.addon`, streams inflate on the ISA-L addon (see isal.ts):
 * compressed chunks wait in a queue, each reported consumed once the
 * addon has taken all of it, and output fills OUTPUT_CHUNK buffers that
 * are handed over whole. Otherwise each stream is a zlib gunzip.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const zlib = require('node:zlib');
const isal = workerData.addon ? require(workerData.addon) : undefined;
const MAX = ${MAX_UNTAKEN_OUTPUT};
const EMPTY = new Uint8Array(0);
const streams = new Map();
const send = (m, t) => parentPort.postMessage(m, t);
parentPort.on('message', (m) => {
  if (m.op === 'open') {
    streams.set(m.id, isal ? isalStream(m.id) : zlibStream(m.id));
    return;
  }
  const s = streams.get(m.id);
  if (!s) return;
  switch (m.op) {
    case 'data': return s.data(m.chunk);
    case 'end': return s.end();
    case 'taken': return s.taken(m.n);
    case 'close': streams.delete(m.id); return s.close();
  }
});
function isalStream(id) {
  const handle = isal.open();
  const queue = [];
  let at = 0, out, filled = 0, untaken = 0, ending = false, over = false;
  const finish = (report) => {
    over = true;
    streams.delete(id);
    send(report);
  };
  const flush = () => {
    const chunk = out.subarray(0, filled);
    send({ op: 'out', id, chunk }, [out.buffer]);
    out = undefined;
    filled = 0;
    untaken++;
  };
  const pump = () => {
    while (!over && untaken < MAX) {
      const input = queue[0];
      if (!input && !ending) return;
      out ??= new Uint8Array(${OUTPUT_CHUNK});
      let used;
      try {
        used = isal.inflate(handle, input || EMPTY, at, out, filled);
      } catch (err) {
        return finish({ op: 'error', id, message: err.message });
      }
      at += used[0];
      filled += used[1];
      if (input && at === input.length) {
        queue.shift();
        at = 0;
        send({ op: 'consumed', id });
      } else if (input && used[0] === 0 && used[1] === 0) {
        return finish({ op: 'error', id, message: 'inflater stalled' });
      }
      if (filled === out.length) flush();
      else if (!input) {
        if (!isal.ended(handle)) {
          return finish({ op: 'error', id, message: 'unexpected end of file' });
        }
        if (filled > 0) flush();
        return finish({ op: 'done', id });
      }
    }
  };
  return {
    data(chunk) { if (!over) { queue.push(chunk); pump(); } },
    end() { ending = true; pump(); },
    taken(n) { untaken -= n; pump(); },
    close() { over = true; },
  };
}
function zlibStream(id) {
  const z = zlib.createGunzip({ chunkSize: ${OUTPUT_CHUNK} });
  let untaken = 0;
  z.on('data', (view) => {
    const chunk = new Uint8Array(view);
    send({ op: 'out', id, chunk }, [chunk.buffer]);
    if (++untaken >= MAX) z.pause();
  });
  z.on('end', () => { streams.delete(id); send({ op: 'done', id }); });
  z.on('error', (err) => {
    if (!streams.delete(id)) return;
    send({ op: 'error', id, message: err.message });
  });
  return {
    data(chunk) { z.write(chunk, () => send({ op: 'consumed', id })); },
    end() { z.end(); },
    taken(n) { untaken -= n; if (untaken < MAX) z.resume(); },
    close() { z.destroy(); },
  };
}
`;

/**
 * A gunzip stream whose inflation runs on claro's inflate worker, with
 * the process's engine unless `engine` names one.
 */
export function gunzipOffThread(
  engine: InflateEngine = inflateEngine().engine,
): Duplex {
  return new OffThreadGunzip(InflateWorker.shared(engine));
}

class OffThreadGunzip extends Duplex {
  readonly id: number;
  private queued = 0;
  private blocked: (() => void) | undefined;
  private owed = 0;
  /** The worker said the gzip stream is over. */
  private ended = false;

  constructor(private readonly worker: InflateWorker) {
    super({ readableHighWaterMark: 4 * OUTPUT_CHUNK });
    this.id = worker.open(this);
  }

  override _write(chunk: Buffer, _enc: unknown, cb: () => void): void {
    // Bytes after the gzip stream's end (zlib stops at zero padding) are
    // nobody's.
    if (this.ended) return cb();
    // A copy of the view alone, handed over: cloning the view would copy
    // all of the memory it lies in.
    const own = new Uint8Array(chunk);
    this.worker.send({ op: 'data', id: this.id, chunk: own }, [own.buffer]);
    if (++this.queued < MAX_QUEUED_INPUT) return cb();
    this.blocked = cb;
  }

  override _final(cb: () => void): void {
    if (this.ended) return cb();
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
      case 'done': {
        this.ended = true;
        this.worker.forget(this.id);
        this.push(null);
        const cb = this.blocked;
        this.blocked = undefined;
        return cb?.();
      }
      case 'error':
        this.destroy(new Error(r.message));
    }
  }
}

/** The process's inflate worker and the streams it serves. */
class InflateWorker {
  private static readonly running = new Map<InflateEngine, InflateWorker>();
  private readonly streams = new Map<number, OffThreadGunzip>();
  private next = 1;

  private constructor(
    private readonly engine: InflateEngine,
    private readonly worker: Worker,
  ) {
    worker.unref();
    worker.on('message', (r: Report) => this.streams.get(r.id)?.hear(r));
    worker.on('error', (err) => this.fail(err));
    worker.on('exit', (code) =>
      this.fail(new Error(`inflate worker exited with code ${code}`)),
    );
  }

  /** The running worker of `engine`, started when there is none. */
  static shared(engine: InflateEngine): InflateWorker {
    let running = InflateWorker.running.get(engine);
    if (!running) {
      const workerData = { addon: engine === 'isal' ? addonPath() : undefined };
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        execArgv: [],
        workerData,
      });
      running = new InflateWorker(engine, worker);
      InflateWorker.running.set(engine, running);
    }
    return running;
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
    if (InflateWorker.running.get(this.engine) === this) {
      InflateWorker.running.delete(this.engine);
    }
    for (const s of [...this.streams.values()]) s.destroy(err);
    this.streams.clear();
  }
}

function addonPath(): string {
  const addon = isalAddon();
  if ('path' in addon) return addon.path;
  throw new ClaroError('INTERNAL', `Cannot inflate with ISA-L: ${addon.why}`);
}
