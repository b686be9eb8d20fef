/**
 * Downloaded blobs kept by digest under claro's cache folder:
 * `<cache>/blobs/sha256/<hex>`, written under `<cache>/blobs/tmp/` and
 * renamed into place only once their bytes match their digest, so a
 * reader never sees a partial or wrong blob. The folder is kept under a
 * size limit by removing the least recently used blobs (a blob's mtime is
 * set when it is used).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import {
  mkdir,
  readdir,
  rename,
  rm,
  stat,
  unlink,
  utimes,
} from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { ClaroError, errorMessage } from '../../errors.js';
import { gather } from '../../layer/gather.js';
import { checkingOwnDigest } from '../source.js';
import { silentLogger, type Logger } from '../../log.js';

/** The cache's size limit unless told otherwise: 2 GiB. */
export const DEFAULT_CACHE_MAX_BYTES = 2 * 1024 ** 3;
/** The environment variable that sets the limit (`--cache-max-size`). */
export const CACHE_MAX_SIZE_ENV = 'CLARO_CACHE_MAX_SIZE';

const SHA256 = /^sha256:([a-f0-9]{64})$/;
/**
 * Bytes a cache file may lag behind the download before the download
 * waits for the disk: several chunks go to each write (writev), and the
 * layer reader is not held back by every chunk's write.
 */
const WRITE_AHEAD = 8 << 20;

/** Where a BlobCache keeps its blobs, and how many bytes of them. */
export interface BlobCacheOptions {
  /** claro's cache folder; blobs go to its `blobs/` subfolder. */
  readonly dir: string;
  /** Largest total size of the blobs kept; 0 keeps none. */
  readonly maxBytes: number;
  readonly log?: Logger;
}

/** A content-addressed blob store with a size limit. */
export class BlobCache {
  private readonly root: string;
  private readonly log: Logger;
  private evicting: Promise<void> = Promise.resolve();

  constructor(private readonly opts: BlobCacheOptions) {
    this.root = path.join(opts.dir, 'blobs');
    this.log = opts.log ?? silentLogger();
  }

  /** Where the blob is kept. */
  pathOf(digest: string): string {
    return path.join(this.root, 'sha256', hexOf(digest));
  }

  /**
   * The kept blob's bytes, marked as just used; undefined when it is not
   * kept, or its size differs from `size`, or its bytes no longer hash to
   * `digest` (a damaged file: it is then removed, and the caller fetches
   * the blob again). The bytes are hashed before they are handed out, so
   * that a damaged blob never reaches a parser as if it were the image's;
   * the stream is marked as checked (see `checkingOwnDigest`).
   */
  async open(digest: string, size?: number): Promise<Readable | undefined> {
    const file = this.pathOf(digest);
    const info = await stat(file).catch(() => undefined);
    if (!info) return undefined;
    const damage = !info.isFile()
      ? 'not a file'
      : size !== undefined && info.size !== size
        ? `${info.size} bytes, not ${size}`
        : (await hashFile(file).catch(() => undefined)) !== digest
          ? 'bytes that hash to another digest'
          : undefined;
    if (damage !== undefined) {
      // Removed, so that the blob fetched again can take its place.
      this.log.warn({ blob: digest, file, damage }, 'damaged cached blob');
      await rm(file, { recursive: true, force: true }).catch(() => {});
      return undefined;
    }
    const now = new Date();
    await utimes(file, now, now).catch(() => {});
    return checkingOwnDigest(
      createReadStream(file, { highWaterMark: 1 << 20 }),
    );
  }

  /** Whether a blob of `size` bytes may be kept at all. */
  accepts(size: number | undefined): boolean {
    return this.opts.maxBytes > 0 && (size ?? 0) <= this.opts.maxBytes;
  }

  /**
   * Passes `source` through unchanged while writing it to the cache. At
   * its end the bytes are checked against `digest`: when they match, the
   * blob is renamed into place (and older blobs evicted past the limit);
   * when they do not, the stream fails with ClaroError 'DIGEST_MISMATCH'
   * naming `what`, and nothing is kept (the stream is marked as checking
   * its own digest). A failure to write the cache file
   * (a full disk) only loses the cache copy, with a warning.
   */
  store(digest: string, source: Readable, what: string): Readable {
    const tmp = path.join(
      this.root,
      'tmp',
      `${hexOf(digest)}.${process.pid}.${randomBytes(4).toString('hex')}`,
    );
    const tee = new CacheTee(tmp, this.log);
    const out = new Transform({
      transform: (chunk: Buffer, _enc, cb) => tee.write(chunk, cb),
      flush: (cb) => {
        tee
          .finish()
          .then((done) => this.commit(digest, done, tmp, what))
          .then(() => cb(), cb);
      },
    });
    // Gathered chunks: one hash update, file write and downstream chunk
    // per MiB rather than per network read.
    const gathered = gather();
    source.on('error', (err) => gathered.destroy(err));
    gathered.on('error', (err) => out.destroy(err));
    out.on('close', () => tee.discard());
    return checkingOwnDigest(source.pipe(gathered).pipe(out));
  }

  /** Removes the least recently used blobs until the total fits. */
  evict(): Promise<void> {
    this.evicting = this.evicting.then(() => this.evictNow());
    return this.evicting;
  }

  /** Hands the verified file on, or fails a download that is wrong. */
  private async commit(
    digest: string,
    done: { digest: string; written: boolean },
    tmp: string,
    what: string,
  ): Promise<void> {
    if (done.digest !== digest) {
      await unlink(tmp).catch(() => {});
      throw new ClaroError(
        'DIGEST_MISMATCH',
        `Cannot read ${what}: its bytes hash to ${done.digest}`,
      );
    }
    if (!done.written) return;
    const file = this.pathOf(digest);
    try {
      await mkdir(path.dirname(file), { recursive: true });
      await rename(tmp, file);
    } catch (err) {
      this.log.warn({ err: errorMessage(err) }, 'blob not cached');
      await unlink(tmp).catch(() => {});
      return;
    }
    this.log.debug({ digest }, 'blob cached');
    await this.evict();
  }

  private async evictNow(): Promise<void> {
    const folder = path.join(this.root, 'sha256');
    const names = await readdir(folder).catch(() => [] as string[]);
    const blobs = [];
    for (const name of names) {
      const info = await stat(path.join(folder, name)).catch(() => undefined);
      if (info?.isFile())
        blobs.push({ name, size: info.size, used: info.mtimeMs });
    }
    let total = blobs.reduce((sum, b) => sum + b.size, 0);
    blobs.sort((a, b) => a.used - b.used);
    for (const b of blobs) {
      if (total <= this.opts.maxBytes) break;
      await unlink(path.join(folder, b.name)).catch(() => {});
      total -= b.size;
      this.log.debug({ blob: b.name, size: b.size }, 'blob evicted');
    }
  }
}

/**
 * The cache copy of one download: hashes every chunk and writes it to
 * the temporary file, waiting for the disk when it lags (backpressure).
 */
class CacheTee {
  private readonly hash = createHash('sha256');
  private file: WriteStream | undefined;
  private failed = false;
  private done = false;
  private readonly ready: Promise<void>;

  constructor(
    private readonly tmp: string,
    private readonly log: Logger,
  ) {
    this.ready = mkdir(path.dirname(tmp), { recursive: true }).then(
      () => {
        if (this.failed) return;
        this.file = createWriteStream(tmp, {
          mode: 0o444,
          highWaterMark: WRITE_AHEAD,
        });
        this.file.on('error', (err) => this.lose(err));
      },
      (err: unknown) => this.lose(err),
    );
  }

  write(chunk: Buffer, cb: (err: null, chunk: Buffer) => void): void {
    this.hash.update(chunk);
    void this.ready.then(() => {
      const file = this.file;
      if (this.failed || !file || file.write(chunk)) return cb(null, chunk);
      // Wait for the disk; a file that fails or closes meanwhile no
      // longer holds the download back.
      const go = () => {
        file.off('drain', go).off('close', go);
        cb(null, chunk);
      };
      file.once('drain', go).once('close', go);
    });
  }

  /**
   * The bytes' digest, and whether the file holds them all. The digest is
   * taken before the file is finished, so that a wrong blob fails its
   * stream as soon as its last byte has passed.
   */
  async finish(): Promise<{ digest: string; written: boolean }> {
    const digest = `sha256:${this.hash.digest('hex')}`;
    await this.ready;
    const file = this.file;
    if (!this.failed && file) {
      await new Promise<void>((resolve) => {
        file.end(() => resolve());
        file.once('error', () => resolve());
      });
    }
    this.done = !this.failed;
    return { digest, written: !this.failed };
  }

  /** Drops the temporary file unless it was handed on. */
  discard(): void {
    if (this.done) return;
    this.failed = true;
    this.file?.destroy();
    void unlink(this.tmp).catch(() => {});
  }

  private lose(err: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.log.warn({ err: errorMessage(err) }, 'blob not cached');
  }
}

/**
 * Parses a size: bytes, or a number with a unit K, M, G, T (powers of
 * 1024, with or without "iB"/"B"): `2GiB`, `500M`, `0`.
 */
export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(text);
  if (m === null) {
    throw new ClaroError(
      'INVALID_ARGUMENT',
      `Cannot read size "${text}": expected bytes, or a number with K, ` +
        'M, G or T (KiB, MiB, GiB, TiB)',
    );
  }
  const power = ' kmgt'.indexOf((m[2] ?? '').toLowerCase() || ' ');
  return Math.floor(Number(m[1]) * 1024 ** power);
}

function hexOf(digest: string): string {
  const m = SHA256.exec(digest);
  if (m === null) {
    throw new ClaroError(
      'INVALID_ARGUMENT',
      `Cannot cache blob ${digest}: not a sha256 digest`,
    );
  }
  return m[1]!;
}

/** `sha256:<hex>` of a file's bytes. */
async function hashFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, {
    highWaterMark: 1 << 20,
  })) {
    hash.update(chunk as Buffer);
  }
  return `sha256:${hash.digest('hex')}`;
}
