import { z } from 'zod';
import type { Scanner } from '../indexer/scanner.js';
import {
  metadataScanner,
  type MetadataRead,
} from '../indexer/metadata-scanner.js';

/**
 * Where installed npm packages keep their manifest: npm, yarn and pnpm
 * install each package into `node_modules/<name>` or, for a scoped name,
 * `node_modules/@scope/<name>` (npm's "folders" documentation), nested
 * `node_modules` included (pnpm's `.pnpm/<id>/node_modules/<name>` too).
 * Other `package.json` files (a project's own, a package's test fixtures
 * or `"type"` markers in its subfolders) are not installed packages and
 * are not selected.
 */
export const NPM_PATTERNS: readonly string[] = [
  '**/node_modules/*/package.json',
  '**/node_modules/@*/*/package.json',
];

/** OSV's ecosystem name for the npm registry. */
export const NPM_ECOSYSTEM = 'npm';

/** Manifests of old npm releases embed the readme: 4 MiB. */
const MAX_MANIFEST_SIZE = 4 * 1024 * 1024;

/** The manifest fields claro reads (npm's package.json documentation). */
const Manifest = z.object({
  name: z.string().trim().min(1),
  version: z.string().trim().min(1),
});

/**
 * Finds installed npm packages, one PackageFinding per `package.json`,
 * keyed (and `packageDb`) by its layer path. The name is the manifest's
 * (`@scope/name` kept whole, an alias's folder name not used); versions
 * are compared with the `semver` scheme. A manifest without a name or a
 * version is not a published package and is passed over; one that is not
 * JSON is skipped with a notice.
 */
export const npmScanner: Scanner = metadataScanner({
  name: 'npm',
  version: '1',
  patterns: NPM_PATTERNS,
  maxFileSize: MAX_MANIFEST_SIZE,
  what: 'npm manifest',
  read: npmPackage,
});

function npmPackage(path: string, text: string): MetadataRead {
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    return { skip: 'not JSON' };
  }
  const m = Manifest.safeParse(json);
  if (!m.success) return undefined;
  return {
    name: m.data.name,
    version: m.data.version,
    kind: 'binary',
    packageDb: path,
    scheme: 'semver',
    ecosystem: NPM_ECOSYSTEM,
  };
}
