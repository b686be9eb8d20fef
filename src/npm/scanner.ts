import { z } from 'zod';
import type { LayerFiles, Scanner } from '../indexer/scanner.js';
import type {
  Notice,
  PackageFinding,
  PackageRecord,
  ScanResult,
} from '../indexer/types.js';
import { compileGlob } from '../layer/glob.js';

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
export const npmScanner: Scanner = {
  name: 'npm',
  version: '1',
  kind: 'package',
  selector: { patterns: NPM_PATTERNS },
  maxFileSize: MAX_MANIFEST_SIZE,
  scan: scanNpm,
};

const GLOBS = NPM_PATTERNS.map(compileGlob);

function scanNpm(files: LayerFiles): ScanResult {
  const packages: PackageFinding[] = [];
  const notices: Notice[] = [];
  for (const path of files.paths()) {
    if (!GLOBS.some((g) => g.matches(path))) continue;
    const data = files.read(path);
    if (data === undefined) continue;

    const pkg = npmPackage(path, data.toString('utf8'));
    if (pkg === undefined) continue;
    if ('skip' in pkg) notices.push(skipped(path, pkg.skip));
    else packages.push({ path, packages: [pkg] });
  }
  return { packages, distributions: [], notices };
}

function npmPackage(
  path: string,
  text: string,
): PackageRecord | { skip: string } | undefined {
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

function skipped(path: string, why: string): Notice {
  return {
    code: 'skipped-record',
    message: `Skipped npm manifest ${path}: ${why}`,
    path,
  };
}
