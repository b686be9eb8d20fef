import { createReadStream } from 'node:fs';
import { Writable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { openImage } from '../src/image/open.js';
import { indexTar, type TarEntry } from '../src/image/tar-index.js';
import { isalGunzip, loadIsal } from './isal-gunzip.js';
import { median, timeRuns } from './stats.js';

/** A layer blob's bytes inside an oci-archive file. */
export interface BlobRange {
  readonly digest: string;
  readonly start: number;
  readonly size: number;
}

/** Inflater and file stream settings of one baseline variant. */
export interface GunzipSettings {
  /** Node's zlib, or the ISA-L addon claro inflates with when built. */
  readonly engine: 'zlib' | 'isal';
  readonly chunkSize: number;
  readonly highWaterMark: number;
}

export interface BaselineResult {
  readonly best: GunzipSettings;
  /** Median ms of the best settings. */
  readonly ms: number;
  /** Median ms of every variant tried, labelled. */
  readonly tried: readonly { label: string; ms: number }[];
}

const KIB = 1024;
/**
 * Node's defaults (16 KiB zlib chunks, 64 KiB file reads) and tuned ones;
 * with the ISA-L addon built (claro then inflates with it), ISA-L too.
 */
function variants(): GunzipSettings[] {
  const sizes: [number, number][] = [
    [16 * KIB, 64 * KIB],
    [64 * KIB, 1024 * KIB],
    [256 * KIB, 1024 * KIB],
    [1024 * KIB, 1024 * KIB],
    [1024 * KIB, 4096 * KIB],
  ];
  const engines = loadIsal()
    ? (['zlib', 'isal'] as const)
    : (['zlib'] as const);
  return engines.flatMap((engine) =>
    sizes
      .filter(([chunk]) => engine === 'zlib' || chunk >= 256 * KIB)
      .map(([chunkSize, highWaterMark]) => ({
        engine,
        chunkSize,
        highWaterMark,
      })),
  );
}

/** An inflating transform with the settings' engine and output size. */
export function gunzipWith(s: GunzipSettings): Transform {
  return s.engine === 'isal'
    ? isalGunzip(s.chunkSize)
    : createGunzip({ chunkSize: s.chunkSize });
}

/**
 * Locates the image's layer blobs in the archive by tar header offsets
 * (OCI image layout: `blobs/<alg>/<hex>`), in manifest order.
 */
export async function layerRanges(archive: string): Promise<BlobRange[]> {
  const entries = new Map<string, TarEntry>();
  for (const e of await indexTar(archive)) entries.set(e.name, e);
  const source = await openImage(archive);
  await source.close();
  return source.layers.map((l) => {
    const e = entries.get(`blobs/${l.digest.replace(':', '/')}`);
    if (!e) throw new Error(`Cannot find layer ${l.digest} in ${archive}`);
    return { digest: l.digest, start: e.offset, size: e.size };
  });
}

/**
 * Gunzips each blob in turn, discarding the output: the least work any
 * reader of these layers must do, with the inflater it would use.
 */
export async function gunzipAll(
  archive: string,
  ranges: readonly BlobRange[],
  s: GunzipSettings,
): Promise<number> {
  let out = 0;
  for (const r of ranges) {
    const input = createReadStream(archive, {
      start: r.start,
      end: r.start + r.size - 1,
      highWaterMark: s.highWaterMark,
    });
    const sink = new Writable({
      highWaterMark: s.chunkSize,
      write(chunk: Buffer, _enc, cb) {
        out += chunk.length;
        cb();
      },
    });
    await pipeline(input, gunzipWith(s), sink);
  }
  return out;
}

/** Tries every variant `runs` times; the fastest median is the baseline. */
export async function measureBaseline(
  archive: string,
  ranges: readonly BlobRange[],
  runs: number,
): Promise<BaselineResult> {
  const tried: { label: string; ms: number; s: GunzipSettings }[] = [];
  for (const s of variants()) {
    const times = await timeRuns(runs, async () => {
      await gunzipAll(archive, ranges, s);
    });
    tried.push({ label: label(s), ms: median(times), s });
  }
  const best = tried.reduce((a, b) => (b.ms < a.ms ? b : a));
  return {
    best: best.s,
    ms: best.ms,
    tried: tried.map(({ label, ms }) => ({ label, ms })),
  };
}

function label(s: GunzipSettings): string {
  return `${s.engine} chunk ${s.chunkSize / KIB}K, read ${s.highWaterMark / KIB}K`;
}
