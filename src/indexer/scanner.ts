import type { ScanResult } from './types.js';

export type ScannerKind = 'distribution' | 'package';

/**
 * The files of one layer that scanners asked for, paths relative to the
 * root without a leading slash. Symbolic links inside the layer are
 * followed; a link whose target this layer lacks yields undefined.
 */
export interface LayerFiles {
  /** Contents of a regular file, or undefined when absent. */
  read(path: string): Buffer | undefined;
  /** Every captured regular file path, sorted. */
  paths(): readonly string[];
}

/**
 * Which layer entries a scanner wants; an entry any form selects is
 * selected. Every tar entry of every layer is tested against the union of
 * all scanners' selectors, so each form is cheap to test.
 *
 * Whiteouts, opaque folders and later entries at the same path apply to
 * every selected entry alike. A file or link standing where a lower layer
 * had a folder hides that folder's selected entries when the folder is an
 * ancestor of an `exact` path or a `children` folder, or a folder a
 * pattern names before its last `**` (`x/site-packages` for
 * `**\/site-packages/*.dist-info/METADATA`). Known limitation: a folder
 * matched only by a `**` (or holding executables) and replaced by a file
 * without a whiteout is not noticed; image builders write whiteouts for
 * removed folders.
 */
export interface PathSelector {
  /** Paths matched whole: `var/lib/dpkg/status`. */
  readonly exact?: readonly string[];
  /** Folders whose direct children match: `var/lib/dpkg/status.d`. */
  readonly children?: readonly string[];
  /**
   * Globs over the whole path (layer/glob.ts): `*` within one component,
   * `**` for any number of whole components, as in
   * `**\/node_modules/*\/package.json`. Keep the last component specific:
   * patterns are indexed by it.
   */
  readonly patterns?: readonly string[];
  /**
   * Regular files with any execute bit (mode & 0o111) whose contents begin
   * with one of these byte strings, in hex (`7f454c46` for ELF), wherever
   * they are. The reader looks at a candidate's first bytes before
   * deciding, so nothing is kept or recorded for other executables.
   */
  readonly executables?: { readonly magic: readonly string[] };
}

/** A selected regular file about to be streamed to a scanner. */
export interface ExtractedFile {
  /** Layer path, relative to the root. */
  readonly path: string;
  /** Size in bytes, from the tar header (or the folder's file). */
  readonly size: number;
  /** Permission bits, as the tar header (or the file) has them. */
  readonly mode: number;
}

/**
 * Receives one file's bytes while the layer streams by. Calls are
 * synchronous and in order: `write` for each chunk, then `end` once.
 */
export interface FileSink {
  /**
   * The next bytes of the file. The chunk is only valid during the call:
   * copy what is kept. Return false when no more bytes are needed; `end`
   * follows at the end of the file and no further `write` comes.
   */
  write(chunk: Buffer): boolean;
  /**
   * The file is over. Returns what `scan` reads at this path (the sink's
   * own small encoding of what it found: a blob, JSON), or undefined to
   * keep nothing. A throw drops the file with a `skipped-file` notice.
   */
  end(): Buffer | undefined;
}

/**
 * A scanner turns the files it asked for into findings for one layer.
 * Results are stored under (layer digest, name, version): bump the version
 * whenever the output for the same input changes, to force a rescan.
 */
export interface Scanner {
  readonly name: string;
  readonly version: string;
  readonly kind: ScannerKind;
  readonly selector: PathSelector;
  /**
   * Largest file, in bytes, this scanner wants: kept in memory, or with
   * `extract`, streamed to it. A larger selected file is skipped with a
   * `skipped-file` notice.
   */
  readonly maxFileSize: number;
  /**
   * Optional streaming mode, for files too big to keep (executables,
   * archives). When present, no file this scanner selects is kept whole
   * for it: each selected regular file (up to `maxFileSize`) is handed,
   * during the layer's one pass, to the sink this returns (undefined
   * declines the file), and `scan` then sees, at that file's path, what
   * the sink's `end` returned. Memory stays bounded by what sinks keep,
   * so a sink must keep little. Links to an extracted file read as its
   * extract, as links to kept files read as the file. A scanner either
   * extracts everything it selects or nothing.
   */
  extract?(file: ExtractedFile): FileSink | undefined;
  scan(files: LayerFiles): ScanResult;
}

/** What one read of a layer (or folder) gives the scanners. */
export interface ScannerInputs {
  /** Files kept whole, for scanners without `extract`. */
  readonly files: LayerFiles;
  /** Each extracting scanner's extracts, by scanner name. */
  readonly extracts: ReadonlyMap<string, LayerFiles>;
}

const NO_FILES: LayerFiles = { read: () => undefined, paths: () => [] };

/** The files `scanner.scan` reads from one layer's inputs. */
export function filesFor(inputs: ScannerInputs, scanner: Scanner): LayerFiles {
  if (!scanner.extract) return inputs.files;
  return inputs.extracts.get(scanner.name) ?? NO_FILES;
}
