import type { Readable } from 'node:stream';

/** How an image was given to claro, as recognised from its content. */
export type SourceKind =
  | 'oci-layout'
  | 'oci-archive'
  | 'docker-archive'
  | 'rootfs-archive'
  | 'rootfs-folder'
  /** A Clair manifest: layers fetched over HTTP. */
  | 'manifest'
  /** An image pulled from a registry by reference. */
  | 'registry';

/**
 * Blob streams that check their own digest: such a stream fails with
 * ClaroError 'DIGEST_MISMATCH' at its end rather than ending on wrong
 * bytes, so a reader need not hash it again.
 */
const selfChecking = new WeakSet<Readable>();

/** Marks `stream` as checking its own digest (see `checksOwnDigest`). */
export function checkingOwnDigest<T extends Readable>(stream: T): T {
  selfChecking.add(stream);
  return stream;
}

/** Whether `stream` fails by itself on bytes that miss its digest. */
export function checksOwnDigest(stream: Readable): boolean {
  return selfChecking.has(stream);
}

/** One layer of an image: its digest and a way to read its blob. */
export interface LayerSource {
  /** Digest under which the manifest names the layer: `sha256:<hex>`. */
  readonly digest: string;
  /** Opens the blob's bytes, as stored (possibly compressed). */
  open(): Promise<Readable>;
}

/**
 * An image to index: its manifest digest and its layers, bottom first.
 * A root filesystem folder has no digest and no layers; it is read in
 * place through `folder`.
 */
export interface ImageSource {
  readonly kind: SourceKind;
  /** `sha256:<hex>`, or empty for a folder. */
  readonly manifestHash: string;
  readonly layers: readonly LayerSource[];
  /** Root folder, for kind `rootfs-folder`. */
  readonly folder?: string;
  close(): Promise<void>;
}
