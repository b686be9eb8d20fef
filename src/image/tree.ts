import type { Readable } from 'node:stream';

/**
 * Read access to the files of an image container (an OCI layout folder,
 * or the tar that holds one or a `docker save` output). Paths are relative
 * and normalised as layer paths are.
 */
export interface FileTree {
  /** Where the tree comes from, for messages. */
  readonly name: string;
  has(path: string): boolean;
  /** Reads a whole file, refusing one larger than `max` bytes. */
  read(path: string, max: number): Promise<Buffer>;
  /** Streams a file's bytes. */
  open(path: string): Promise<Readable>;
  close(): Promise<void>;
}
