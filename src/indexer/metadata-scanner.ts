import { compileGlob } from '../layer/glob.js';
import type { LayerFiles, Scanner } from './scanner.js';
import type {
  Notice,
  PackageFinding,
  PackageRecord,
  ScanResult,
} from './types.js';

/**
 * What one metadata file gives: its package, a reason to skip it (which
 * becomes a notice), or undefined when it describes no package at all.
 */
export type MetadataRead =
  PackageRecord | { readonly skip: string } | undefined;

/** A language scanner that reads one package from each selected file. */
export interface MetadataScannerSpec {
  readonly name: string;
  readonly version: string;
  readonly patterns: readonly string[];
  readonly maxFileSize: number;
  /** The file kind, as skip notices name it: `npm manifest`. */
  readonly what: string;
  read(path: string, text: string): MetadataRead;
}

/**
 * Builds a package scanner over files matched by `patterns`, one
 * PackageFinding per file, keyed by its layer path. The layer holds other
 * scanners' files too, so each path is matched again before reading.
 */
export function metadataScanner(spec: MetadataScannerSpec): Scanner {
  const globs = spec.patterns.map(compileGlob);
  const scan = (files: LayerFiles): ScanResult => {
    const packages: PackageFinding[] = [];
    const notices: Notice[] = [];
    for (const path of files.paths()) {
      if (!globs.some((g) => g.matches(path))) continue;
      const data = files.read(path);
      if (data === undefined) continue;

      const pkg = spec.read(path, data.toString('utf8'));
      if (pkg === undefined) continue;
      if ('skip' in pkg) notices.push(skipped(spec.what, path, pkg.skip));
      else packages.push({ path, packages: [pkg] });
    }
    return { packages, distributions: [], notices };
  };
  return {
    name: spec.name,
    version: spec.version,
    kind: 'package',
    selector: { patterns: spec.patterns },
    maxFileSize: spec.maxFileSize,
    scan,
  };
}

function skipped(what: string, path: string, why: string): Notice {
  return {
    code: 'skipped-record',
    message: `Skipped ${what} ${path}: ${why}`,
    path,
  };
}
