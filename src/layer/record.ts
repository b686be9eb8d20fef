import type { Notice } from '../indexer/types.js';

/**
 * What reading one layer leaves behind besides scanner findings: the
 * changes it makes to the paths below it. Stored per (layer digest, reader
 * version); the coalescer uses it to decide which lower files survive.
 */
export interface LayerRecord {
  /** Paths a whiteout (`.wh.NAME`) removes, without the prefix. */
  readonly whiteouts: readonly string[];
  /** Folders marked opaque (`.wh..wh..opq`): lower contents hidden. */
  readonly opaqueDirs: readonly string[];
  /**
   * Non-folder entries (links, files) at paths that lower layers may hold
   * as folders of interest: they hide everything below them.
   */
  readonly replaced: readonly string[];
  /** Every selected path present in this layer, file or link. */
  readonly paths: readonly string[];
  /** What the reader skipped (unsafe names, oversized files). */
  readonly notices: readonly Notice[];
}
