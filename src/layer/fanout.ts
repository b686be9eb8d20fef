import { errorMessage } from '../errors.js';
import type { ExtractedFile, FileSink, Scanner } from '../indexer/scanner.js';
import type { Selection } from './selector.js';

/**
 * Starts taking in one selected regular file, for the layer reader and
 * the folder reader alike: a buffer when scanners keep it (and it is
 * within their size), a sink per extracting scanner that takes it.
 * Anything skipped is reported through `to.skipped` or `to.failed`.
 */
export function fanOut(
  file: ExtractedFile,
  sel: Selection,
  to: SinkTargets,
): EntrySink {
  const keep = keepBuffer(file, sel.keep, to);
  const sinks = sel.extract.flatMap((s) => openSink(s, file, to));
  return new EntrySink(keep, sinks, to);
}

function keepBuffer(
  file: ExtractedFile,
  max: number | undefined,
  to: SinkTargets,
): Buffer | undefined {
  if (max === undefined) return undefined;
  if (file.size <= max) return Buffer.allocUnsafe(file.size);
  to.skipped(`larger than ${max} bytes`);
  return undefined;
}

function openSink(
  s: Scanner,
  file: ExtractedFile,
  to: SinkTargets,
): ActiveSink[] {
  if (file.size > s.maxFileSize) {
    to.skipped(`larger than ${s.maxFileSize} bytes (scanner ${s.name})`);
    return [];
  }
  try {
    const sink = s.extract!(file);
    return sink ? [{ scanner: s, sink }] : [];
  } catch (err) {
    to.failed(s, errorMessage(err));
    return [];
  }
}

/** An extracting scanner's sink for one file. */
export interface ActiveSink {
  readonly scanner: Scanner;
  readonly sink: FileSink;
}

/** Where one selected file's bytes go, and what is said when not. */
export interface SinkTargets {
  /** The whole file, for scanners that keep it. */
  kept(body: Buffer): void;
  /** What an extracting scanner's sink returned. */
  extracted(s: Scanner, body: Buffer): void;
  /** The file is not kept: over the size scanners want. */
  skipped(why: string): void;
  /** An extracting scanner's sink threw. */
  failed(s: Scanner, why: string): void;
}

/**
 * Fans one file's chunks out to its keep buffer and its scanners' sinks.
 * A sink that throws is dropped with a notice; one that declines more
 * bytes gets none, and its `end` when the file is over.
 */
export class EntrySink {
  private at = 0;
  private readonly wanting: Set<ActiveSink>;
  private readonly dropped = new Set<ActiveSink>();

  constructor(
    private readonly keep: Buffer | undefined,
    private readonly sinks: readonly ActiveSink[],
    private readonly to: SinkTargets,
  ) {
    this.wanting = new Set(sinks);
  }

  write(chunk: Buffer): void {
    if (this.keep) chunk.copy(this.keep, this.at);
    this.at += chunk.length;
    for (const a of this.wanting) {
      try {
        if (a.sink.write(chunk) === false) this.wanting.delete(a);
      } catch (err) {
        this.drop(a, err);
      }
    }
  }

  end(): void {
    if (this.keep) {
      const n = Math.min(this.at, this.keep.length);
      this.to.kept(
        n === this.keep.length ? this.keep : this.keep.subarray(0, n),
      );
    }
    for (const a of this.sinks) {
      if (this.dropped.has(a)) continue;
      try {
        const out = a.sink.end();
        if (out) this.to.extracted(a.scanner, out);
      } catch (err) {
        this.drop(a, err);
      }
    }
  }

  private drop(a: ActiveSink, err: unknown): void {
    this.wanting.delete(a);
    this.dropped.add(a);
    this.to.failed(a.scanner, errorMessage(err));
  }
}
