import type { LayerFiles, Scanner } from '../indexer/scanner.js';
import type { DistributionRecord, ScanResult } from '../indexer/types.js';
import {
  MAX_RELEASE_FILE_SIZE,
  skippedFile,
  type OsReleaseFields,
  type ReleaseFamily,
} from '../osrelease/os-release.js';

/** Written by alpine-base: the release, e.g. `3.20.3`. */
export const ALPINE_RELEASE_PATH = 'etc/alpine-release';

/** Ranks after both os-release files (priorities 0 and 1). */
export const ALPINE_RELEASE_PRIORITY = 2;

/** The versionId claro gives Alpine's development branch. */
export const ALPINE_EDGE = 'edge';

const ALPINE_NAME = 'Alpine Linux';

/** `3.20.3`, `3.21_alpha20240923`, `3.21.0_alpha20240923`, `3.6.5`. */
const RELEASE = /^(\d+)\.(\d+)(?:\.\d+)?(_[0-9A-Za-z]+)?$/;

/**
 * Alpine's versionId for an Alpine release string: `major.minor` (the
 * branch of Alpine's package repositories and security database, e.g.
 * `3.20` for `3.20.3`), or `edge` for a development snapshot, which
 * carries a `_alpha…` (or any other `_…`) suffix after the next release's
 * number. Returns undefined when `release` is not of this shape.
 */
export function alpineVersionId(release: string): string | undefined {
  const m = RELEASE.exec(release.trim());
  if (m === null) return undefined;
  return m[3] === undefined ? `${m[1]}.${m[2]}` : ALPINE_EDGE;
}

/**
 * Alpine's refinement of os-release: versionId from VERSION_ID as
 * {@link alpineVersionId} reads it, or `edge` when PRETTY_NAME says
 * `edge`; version is the full VERSION_ID (Alpine writes no VERSION).
 * An unreadable VERSION_ID is kept as it is.
 */
export const alpineFamily: ReleaseFamily = {
  did: 'alpine',
  companions: [],
  refine: refineAlpine,
};

function refineAlpine(
  base: DistributionRecord,
  fields: OsReleaseFields,
): DistributionRecord {
  const release = fields.get('VERSION_ID') ?? '';
  const edge = /\bedge\b/.test(fields.get('PRETTY_NAME') ?? '');
  const versionId = edge
    ? ALPINE_EDGE
    : (alpineVersionId(release) ?? base.versionId);
  return { ...base, versionId, version: base.version || release };
}

/**
 * The fallback Alpine scanner: one finding from `etc/alpine-release` at
 * priority 2, for layers whose os-release is missing.
 */
export const alpineReleaseScanner: Scanner = {
  name: 'alpine-release',
  version: '1',
  kind: 'distribution',
  selector: { exact: [ALPINE_RELEASE_PATH] },
  maxFileSize: MAX_RELEASE_FILE_SIZE,
  scan: scanAlpineRelease,
};

function scanAlpineRelease(files: LayerFiles): ScanResult {
  const data = files.read(ALPINE_RELEASE_PATH);
  if (data === undefined)
    return { packages: [], distributions: [], notices: [] };

  const release = data.toString('utf8').trim();
  const versionId = alpineVersionId(release);
  if (versionId === undefined) {
    const notice = skippedFile(ALPINE_RELEASE_PATH, 'not an Alpine release');
    return { packages: [], distributions: [], notices: [notice] };
  }

  const distribution = alpineRecord(release, versionId);
  return {
    packages: [],
    distributions: [
      {
        path: ALPINE_RELEASE_PATH,
        priority: ALPINE_RELEASE_PRIORITY,
        distribution,
      },
    ],
    notices: [],
  };
}

/** The record os-release would give for this release. */
function alpineRecord(release: string, versionId: string): DistributionRecord {
  const branch = versionId === ALPINE_EDGE ? 'edge' : `v${versionId}`;
  return {
    did: 'alpine',
    name: ALPINE_NAME,
    versionId,
    version: release,
    versionCodeName: '',
    prettyName: `${ALPINE_NAME} ${branch}`,
  };
}
