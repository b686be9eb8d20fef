import { createHash } from 'node:crypto';
import { compileSelector } from '../layer/selector.js';
import type { Scanner } from './scanner.js';

/**
 * Version of the layer reader: bumped when its record format or what it
 * reads from a layer changes (3: its own tar parser), so that layers are
 * read again.
 */
export const READER_VERSION = 3;

/**
 * The indexer's state: an opaque token (hex SHA-256) that changes whenever
 * the layer reader's version, the scanners' paths, or any scanner's name,
 * kind or version does. Clair serves it at `GET /indexer/api/v1/index_state`
 * and as the ETag of index reports: a client seeing it change knows that
 * manifests indexed before may index differently now.
 *
 * Scanner order is part of the state, since coalescing reads findings in
 * that order.
 */
export function indexState(scanners: readonly Scanner[]): string {
  const h = createHash('sha256');
  h.update(`layer-reader/${READER_VERSION}\n`);
  h.update(`selector/${compileSelector(scanners).fingerprint}\n`);
  for (const s of scanners) {
    h.update(`scanner\u0000${s.kind}\u0000${s.name}\u0000${s.version}\n`);
  }
  return h.digest('hex');
}
