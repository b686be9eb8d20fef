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
 * Which layer paths a scanner wants. `exact` paths match whole; `children`
 * folders match their direct regular-file children.
 */
export interface PathSelector {
  readonly exact?: readonly string[];
  readonly children?: readonly string[];
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
  /** Largest file, in bytes, this scanner wants kept in memory. */
  readonly maxFileSize: number;
  scan(files: LayerFiles): ScanResult;
}
