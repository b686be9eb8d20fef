import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Transform, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { readLayer } from '../src/layer/reader.js';
import { compileSelector } from '../src/layer/selector.js';
import { TarParser } from '../src/tar/stream.js';
import { gunzipWith, type BlobRange, type GunzipSettings } from './baseline.js';
import type { Plugins } from './plugins.js';
import { median, timeRuns } from './stats.js';

/** One step of the cold path, timed over every layer in turn. */
interface Stage {
  readonly label: string;
  run(blob: () => Readable, r: BlobRange): Promise<void>;
}

/**
 * Times the cold path built up one stage at a time over the same blobs,
 * one layer after another, so each stage's cost is the difference from
 * the one before: read, +sha256, gunzip alone, gunzip+sha256, +tar
 * parsing (claro's tar parser, every entry passed over), the same with
 * 1 MiB output chunks, then claro's `readLayer` (whose gzip is inflated
 * on the worker thread). Every gunzip stage inflates as the baseline does
 * (its engine and settings).
 */
export async function measurePhases(
  archive: string,
  ranges: readonly BlobRange[],
  gz: GunzipSettings,
  opts: { runs: number; plugins: Plugins },
): Promise<{ label: string; ms: number }[]> {
  const open = (r: BlobRange) => () =>
    createReadStream(archive, {
      start: r.start,
      end: r.start + r.size - 1,
      highWaterMark: 1 << 20,
    });
  const out: { label: string; ms: number }[] = [];
  for (const stage of stages(gz, opts.plugins)) {
    const times = await timeRuns(opts.runs, async () => {
      for (const r of ranges) await stage.run(open(r), r);
    });
    out.push({ label: stage.label, ms: median(times) });
  }
  return out;
}

/** Output chunks of 1 MiB: fewer hand-offs to tar parsing. */
const BIG_CHUNK = 1 << 20;

function stages(gz: GunzipSettings, plugins: Plugins): Stage[] {
  const gunzip = () => gunzipWith(gz);
  const bigGunzip = () => gunzipWith({ ...gz, chunkSize: BIG_CHUNK });
  const selector = compileSelector(plugins.scanners);
  return [
    { label: 'read', run: (b) => pipeline(b(), sink()) },
    { label: 'read+sha256', run: (b) => pipeline(b(), hashTap(), sink()) },
    { label: 'gunzip', run: (b) => pipeline(b(), gunzip(), sink()) },
    {
      label: 'sha256+gunzip',
      run: (b) => pipeline(b(), hashTap(), gunzip(), sink()),
    },
    {
      label: 'sha256+gunzip+tar',
      run: (b) => drainTar(b().pipe(hashTap()).pipe(gunzip())),
    },
    {
      label: 'same, 1 MiB output chunks',
      run: (b) => drainTar(b().pipe(hashTap()).pipe(bigGunzip())),
    },
    {
      label: 'readLayer',
      run: async (b, r) => {
        await readLayer(b(), { selector, digest: r.digest, name: r.digest });
      },
    },
  ];
}

/** Parses a tar stream with claro's tar parser, passing every entry over. */
async function drainTar(input: Readable): Promise<void> {
  const parser = new TarParser(() => undefined);
  for await (const chunk of input) parser.write(chunk as Buffer);
  parser.end();
}

function hashTap(): Transform {
  const hash = createHash('sha256');
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      cb(null, chunk);
    },
    flush(cb) {
      hash.digest();
      cb();
    },
  });
}

function sink(): Writable {
  return new Writable({
    highWaterMark: 1 << 20,
    write: (_c, _e, cb) => cb(),
  });
}
