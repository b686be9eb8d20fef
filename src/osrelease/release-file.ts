import type { LayerFiles, Scanner } from '../indexer/scanner.js';
import type {
  DistributionFinding,
  DistributionRecord,
  Notice,
  ScanResult,
} from '../indexer/types.js';
import {
  MAX_RELEASE_FILE_SIZE,
  skippedFile,
  type OsReleaseFields,
  type ReleaseFamily,
} from './os-release.js';

/**
 * A distribution-specific release file (`etc/redhat-release`,
 * `etc/SuSE-release`...), read when a layer has no usable os-release.
 */
export interface ReleaseFile {
  /** Layer path: `etc/redhat-release`. */
  readonly path: string;
  /**
   * Rank among distribution findings (lower wins); os-release files have
   * 0 and 1, so release files take 2 or more.
   */
  readonly priority: number;
  /**
   * The distribution the file's text describes; undefined when the text is
   * not of this file's form, or names no distribution claro knows.
   */
  parse(text: string): DistributionRecord | undefined;
  /**
   * Whether text `parse` rejects is still expected here (a file that
   * other distributions also ship, such as `etc/system-release`), so that
   * rejecting it deserves no notice.
   */
  readonly shared?: boolean;
}

/** What a release-file scanner is: a name, a version and its files. */
export interface ReleaseFileScannerOptions {
  readonly name: string;
  readonly version: string;
  readonly files: readonly ReleaseFile[];
}

/**
 * Builds a distribution scanner over release files: one
 * DistributionFinding per file present and understood, at the file's
 * priority; a file not understood gives a `skipped-file` notice unless it
 * is `shared`.
 */
export function createReleaseFileScanner(
  options: ReleaseFileScannerOptions,
): Scanner {
  return {
    name: options.name,
    version: options.version,
    kind: 'distribution',
    selector: { exact: options.files.map((f) => f.path) },
    maxFileSize: MAX_RELEASE_FILE_SIZE,
    scan: (files) => scanReleaseFiles(files, options.files),
  };
}

function scanReleaseFiles(
  files: LayerFiles,
  releaseFiles: readonly ReleaseFile[],
): ScanResult {
  const distributions: DistributionFinding[] = [];
  const notices: Notice[] = [];
  for (const file of releaseFiles) {
    const data = files.read(file.path);
    if (data === undefined) continue;

    const distribution = file.parse(data.toString('utf8'));
    if (distribution !== undefined) {
      distributions.push({
        path: file.path,
        priority: file.priority,
        distribution,
      });
    } else if (!file.shared) {
      notices.push(skippedFile(file.path, 'no release claro knows'));
    }
  }
  return { packages: [], distributions, notices };
}

/** The leading number of a version (`8` of `8.10`), or ''. */
export function majorVersion(version: string | undefined): string {
  return /^\d+/.exec(version ?? '')?.[0] ?? '';
}

/** The first line of a file, trimmed. */
export function firstLine(text: string): string {
  return (text.split('\n', 1)[0] ?? '').trim();
}

/**
 * The family of a rolling distribution whose os-release VERSION_ID is a
 * snapshot or build date rather than a release its security data is keyed
 * by: versionId empty, the date kept in `version` when VERSION is missing.
 */
export function rollingFamily(did: string): ReleaseFamily {
  return { did, companions: [], refine: refineRolling };
}

function refineRolling(
  base: DistributionRecord,
  fields: OsReleaseFields,
): DistributionRecord {
  const snapshot = fields.get('VERSION_ID') ?? '';
  return { ...base, versionId: '', version: base.version || snapshot };
}
