import type { LayerFiles, Scanner } from '../indexer/scanner.js';
import type {
  DistributionFinding,
  Notice,
  ScanResult,
} from '../indexer/types.js';
import { alpineFamily } from '../alpine/release.js';
import { amazonFamily } from '../amazon/release.js';
import { debianFamily } from '../debian/release.js';
import { RED_HAT_LIKE_FAMILIES } from '../rhel/release.js';
import { SUSE_ROLLING_FAMILIES } from '../suse/release.js';
import { WOLFI_FAMILIES } from '../wolfi/release.js';
import {
  MAX_RELEASE_FILE_SIZE,
  distributionFromOsRelease,
  parseOsRelease,
  skippedFile,
  type ReleaseFamily,
} from './os-release.js';

/**
 * The os-release files and their priorities (lower wins): os-release(5)
 * says `etc/os-release` takes precedence over `usr/lib/os-release`.
 * Family fallbacks such as `etc/debian_version` rank after both.
 */
export const OS_RELEASE_FILES: readonly {
  readonly path: string;
  readonly priority: number;
}[] = [
  { path: 'etc/os-release', priority: 0 },
  { path: 'usr/lib/os-release', priority: 1 },
];

/** The families whose os-release claro refines beyond the generic reading. */
export const RELEASE_FAMILIES: readonly ReleaseFamily[] = [
  debianFamily,
  alpineFamily,
  ...RED_HAT_LIKE_FAMILIES,
  amazonFamily,
  ...SUSE_ROLLING_FAMILIES,
  ...WOLFI_FAMILIES,
];

/**
 * Builds the os-release scanner: one DistributionFinding per os-release
 * file of the layer, read generically and refined by the family its ID
 * names. A file that cannot be parsed gives a `skipped-file` notice.
 */
export function createOsReleaseScanner(
  families: readonly ReleaseFamily[],
): Scanner {
  const byId = new Map(families.map((f) => [f.did, f]));
  const companions = families.flatMap((f) => f.companions);
  return {
    name: 'os-release',
    version: '2',
    kind: 'distribution',
    selector: {
      exact: [...OS_RELEASE_FILES.map((f) => f.path), ...companions],
    },
    maxFileSize: MAX_RELEASE_FILE_SIZE,
    scan: (files) => scanOsRelease(files, byId),
  };
}

/** The os-release scanner with claro's built-in families. */
export const osReleaseScanner: Scanner =
  createOsReleaseScanner(RELEASE_FAMILIES);

function scanOsRelease(
  files: LayerFiles,
  families: ReadonlyMap<string, ReleaseFamily>,
): ScanResult {
  const distributions: DistributionFinding[] = [];
  const notices: Notice[] = [];

  for (const { path, priority } of OS_RELEASE_FILES) {
    const data = files.read(path);
    if (data === undefined) continue;

    const parsed = parseOsRelease(data.toString('utf8'));
    if (!parsed.ok) {
      notices.push(skippedFile(path, parsed.reason));
      continue;
    }

    const base = distributionFromOsRelease(parsed.fields);
    const family = families.get(base.did);
    const distribution = family
      ? family.refine(base, parsed.fields, files)
      : base;
    distributions.push({ path, priority, distribution });
  }

  return { packages: [], distributions, notices };
}
