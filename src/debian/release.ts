import type { LayerFiles, Scanner } from '../indexer/scanner.js';
import type { DistributionRecord, ScanResult } from '../indexer/types.js';
import {
  MAX_RELEASE_FILE_SIZE,
  skippedFile,
  type OsReleaseFields,
  type ReleaseFamily,
} from '../osrelease/os-release.js';

/** Written by base-files: the point release, or `<codename>/sid`. */
export const DEBIAN_VERSION_PATH = 'etc/debian_version';

/** Ranks after both os-release files (priorities 0 and 1). */
export const DEBIAN_VERSION_PRIORITY = 2;

const DEBIAN_NAME = 'Debian GNU/Linux';

/** Debian release numbers and their code names (debian.org/releases). */
export const DEBIAN_CODENAMES: ReadonlyMap<string, string> = new Map([
  ['7', 'wheezy'],
  ['8', 'jessie'],
  ['9', 'stretch'],
  ['10', 'buster'],
  ['11', 'bullseye'],
  ['12', 'bookworm'],
  ['13', 'trixie'],
  ['14', 'forky'],
]);

/** A Debian release as claro identifies it. */
export interface DebianRelease {
  /** The major release number: `12`; empty for testing and unstable. */
  readonly versionId: string;
  /** `bookworm`; for testing/unstable the testing code name, or `sid`. */
  readonly codeName: string;
}

const POINT_RELEASE = /^(\d+)(?:\.\d+)*$/;
const TESTING = /^([a-z]+)(?:\/sid)?$/;

/**
 * Reads `etc/debian_version`: a point release (`12.5`, `7.11`) gives its
 * major number; `<codename>/sid`, which testing and unstable both carry,
 * gives no number and the testing code name, since the file cannot tell
 * the two apart and testing is the release of the pair with security
 * tracking. Returns undefined for anything else.
 */
export function parseDebianVersion(text: string): DebianRelease | undefined {
  const value = text.trim();
  const point = POINT_RELEASE.exec(value);
  if (point?.[1] !== undefined) {
    const versionId = point[1];
    return { versionId, codeName: DEBIAN_CODENAMES.get(versionId) ?? '' };
  }

  const testing = TESTING.exec(value);
  if (testing?.[1] !== undefined)
    return { versionId: '', codeName: testing[1] };
  return undefined;
}

/**
 * Debian's refinement of os-release. The version number is VERSION_ID
 * (Debian writes the major release there), else the first number of
 * VERSION (`7 (wheezy)`), else a point release in `etc/debian_version` of
 * the same layer (distroless images may omit VERSION_ID). The code name
 * is VERSION_CODENAME, else the parenthesised name in VERSION, else the
 * number's name, else the testing name of a `<codename>/sid` PRETTY_NAME
 * or debian_version. Testing and unstable thus get versionId '' and the
 * testing code name. Distroless images (PRETTY_NAME `Distroless`, ID
 * debian) are the Debian release of their VERSION_ID. A missing NAME or
 * PRETTY_NAME (Debian 7's os-release has only ID and VERSION_ID) is
 * written as Debian writes it.
 */
export const debianFamily: ReleaseFamily = {
  did: 'debian',
  companions: [DEBIAN_VERSION_PATH],
  refine: refineDebian,
};

function refineDebian(
  base: DistributionRecord,
  fields: OsReleaseFields,
  files: LayerFiles,
): DistributionRecord {
  const version = fields.get('VERSION') ?? '';
  const fromFile = readDebianVersion(files);
  const versionId =
    majorOf(fields.get('VERSION_ID')) ||
    (/\d+/.exec(version)?.[0] ?? '') ||
    (fromFile?.versionId ?? '');
  const versionCodeName =
    fields.get('VERSION_CODENAME') ||
    (/\(([a-z]+)\)/.exec(version)?.[1] ?? '') ||
    (DEBIAN_CODENAMES.get(versionId) ?? '') ||
    (TESTING_PRETTY.exec(fields.get('PRETTY_NAME') ?? '')?.[1] ?? '') ||
    (fromFile?.codeName ?? '');
  const name = fields.get('NAME') ? base.name : DEBIAN_NAME;
  const prettyName =
    fields.get('PRETTY_NAME') || prettyDebian(versionId, versionCodeName);
  return { ...base, name, versionId, versionCodeName, prettyName };
}

/** A PRETTY_NAME in Debian's style, for files that lack one. */
function prettyDebian(versionId: string, codeName: string): string {
  if (versionId === '') return `${DEBIAN_NAME} ${codeName}`.trim();
  return `${DEBIAN_NAME} ${versionId}${codeName ? ` (${codeName})` : ''}`;
}

const TESTING_PRETTY = /\b([a-z]+)\/sid\b/;

function majorOf(versionId: string | undefined): string {
  return /^\d+/.exec(versionId ?? '')?.[0] ?? '';
}

function readDebianVersion(files: LayerFiles): DebianRelease | undefined {
  const data = files.read(DEBIAN_VERSION_PATH);
  return data === undefined
    ? undefined
    : parseDebianVersion(data.toString('utf8'));
}

/**
 * The fallback Debian scanner for layers without os-release (Debian 6 and
 * older, some distroless layers): one finding from `etc/debian_version`
 * at priority 2. Ubuntu ships this file too (`trixie/sid` and the like),
 * so it must rank after os-release, which names Ubuntu.
 */
export const debianVersionScanner: Scanner = {
  name: 'debian-version',
  version: '1',
  kind: 'distribution',
  selector: { exact: [DEBIAN_VERSION_PATH] },
  maxFileSize: MAX_RELEASE_FILE_SIZE,
  scan: scanDebianVersion,
};

function scanDebianVersion(files: LayerFiles): ScanResult {
  const data = files.read(DEBIAN_VERSION_PATH);
  if (data === undefined)
    return { packages: [], distributions: [], notices: [] };

  const text = data.toString('utf8');
  const release = parseDebianVersion(text);
  if (release === undefined) {
    const notice = skippedFile(DEBIAN_VERSION_PATH, 'not a Debian release');
    return { packages: [], distributions: [], notices: [notice] };
  }

  const distribution = debianRecord(text.trim(), release);
  return {
    packages: [],
    distributions: [
      {
        path: DEBIAN_VERSION_PATH,
        priority: DEBIAN_VERSION_PRIORITY,
        distribution,
      },
    ],
    notices: [],
  };
}

/** The record for a debian_version file whose content is `raw`. */
function debianRecord(raw: string, release: DebianRelease): DistributionRecord {
  const { versionId, codeName } = release;
  const pretty =
    versionId === ''
      ? `${DEBIAN_NAME} ${raw}`
      : prettyDebian(versionId, codeName);
  return {
    did: 'debian',
    name: DEBIAN_NAME,
    versionId,
    version: raw,
    versionCodeName: codeName,
    prettyName: pretty,
  };
}
