import { parseReference } from '../image/registry/reference.js';
import { clairManifestOf, resolveImage } from '../image/registry/pull.js';
import type { Logger } from '../log.js';
import { pullOptions, type RegistryFlags } from './registry-options.js';

/**
 * `claro manifest REF`: resolves the reference in its registry (indexes
 * included, by `--platform`) and prints the image's Clair v4 Manifest,
 * which `POST /indexer/api/v1/index_report` accepts: the manifest digest,
 * and each layer's digest, blob URL and the header fields that grant
 * access to it (a Bearer token lasts as long as the registry's token
 * service says). No blob is downloaded. Returns the exit code.
 */
export async function manifest(
  text: string,
  flags: RegistryFlags,
  log: Logger,
): Promise<number> {
  const ref = parseReference(text);
  const image = await resolveImage(ref, await pullOptions(ref, flags, log));
  const out = JSON.stringify(clairManifestOf(image), null, 2) + '\n';
  await new Promise<void>((resolve, reject) => {
    process.stdout.write(out, (err) => (err ? reject(err) : resolve()));
  });
  return 0;
}
