import type { Scanner } from '../indexer/scanner.js';
import type { DistributionRecord } from '../indexer/types.js';
import type {
  OsReleaseFields,
  ReleaseFamily,
} from '../osrelease/os-release.js';
import {
  createReleaseFileScanner,
  firstLine,
  majorVersion,
  type ReleaseFile,
} from '../osrelease/release-file.js';

/**
 * Red Hat Enterprise Linux (UBI images included: they are RHEL), its
 * rebuilds and relatives: the distributions whose release is one major
 * number for package updates and advisories, and whose release files read
 * `<name> release <version> [(<code name>)]`.
 */
interface RedHatLike {
  /** os-release ID. */
  readonly did: string;
  /** The start of the name its release files give. */
  readonly prefix: RegExp;
}

const RED_HAT_LIKE: readonly RedHatLike[] = [
  { did: 'rhel', prefix: /^Red Hat Enterprise Linux\b/ },
  { did: 'centos', prefix: /^CentOS\b/ },
  { did: 'rocky', prefix: /^Rocky Linux\b/ },
  { did: 'almalinux', prefix: /^AlmaLinux\b/ },
  { did: 'ol', prefix: /^Oracle Linux\b/ },
  { did: 'fedora', prefix: /^Fedora\b/ },
  { did: 'scientific', prefix: /^Scientific Linux\b/ },
];

/**
 * The os-release refinement shared by the Red Hat-like families: the
 * versionId is the major release, the key of their advisories and
 * package repositories (`9` for RHEL 9.4, AlmaLinux's OSV ecosystem
 * `AlmaLinux:9`, Rocky's `Rocky Linux:9`, Oracle's ELSA per `ol9`),
 * taken from VERSION_ID, else from VERSION. os-release's own numbers stay
 * in `version` (VERSION, or VERSION_ID when VERSION is missing) and in
 * `prettyName`, `cpe`.
 */
export const RED_HAT_LIKE_FAMILIES: readonly ReleaseFamily[] = RED_HAT_LIKE.map(
  ({ did }) => ({ did, companions: [], refine }),
);

function refine(
  base: DistributionRecord,
  fields: OsReleaseFields,
): DistributionRecord {
  const versionId =
    majorVersion(fields.get('VERSION_ID')) ||
    majorVersion(fields.get('VERSION')) ||
    base.versionId;
  const version = base.version || (fields.get('VERSION_ID') ?? '');
  return { ...base, versionId, version };
}

const RELEASE_LINE =
  /^(.+?)\s+release\s+(\d+(?:\.\d+)*)(?:\s+\(([^()]*)\))?(?:\s|$)/;

/**
 * Reads a Red Hat-style release file (`etc/redhat-release` and the
 * distribution-specific ones): its first line is
 * `<name> release <version> [(<code name>)]`, e.g. `Rocky Linux release
 * 8.4 (Green Obsidian)`. The distribution is the one whose name starts
 * the line, whatever the file is called (Oracle Linux ships an
 * `etc/redhat-release` naming RHEL). The record is what os-release would
 * give after {@link RED_HAT_LIKE_FAMILIES}: versionId the major release,
 * version the full one with its code name, prettyName the line.
 * Undefined for other text, or names claro does not know (old "Red Hat
 * Linux" among them).
 */
export function parseRedHatRelease(
  text: string,
): DistributionRecord | undefined {
  const line = firstLine(text);
  const m = RELEASE_LINE.exec(line);
  const [, name, number, codeName] = m ?? [];
  if (name === undefined || number === undefined) return undefined;

  const like = RED_HAT_LIKE.find((l) => l.prefix.test(name));
  if (like === undefined) return undefined;
  return {
    did: like.did,
    name,
    versionId: majorVersion(number),
    version: codeName ? `${number} (${codeName})` : number,
    versionCodeName: '',
    prettyName: line,
  };
}

/**
 * Distribution-specific release files rank before `etc/redhat-release`,
 * which the rebuilds keep for compatibility: on Oracle Linux it names
 * RHEL, and on the others it is a link to their own file.
 */
export const RED_HAT_RELEASE_FILES: readonly ReleaseFile[] = [
  ...[
    'etc/almalinux-release',
    'etc/rocky-release',
    'etc/centos-release',
    'etc/oracle-release',
    'etc/fedora-release',
  ].map((path) => ({ path, priority: 2, parse: parseRedHatRelease })),
  { path: 'etc/redhat-release', priority: 3, parse: parseRedHatRelease },
];

/**
 * The fallback scanner of the Red Hat-like distributions, for layers
 * without os-release (RHEL and CentOS 6 and older, some minimal images).
 */
export const redHatReleaseScanner: Scanner = createReleaseFileScanner({
  name: 'redhat-release',
  version: '1',
  files: RED_HAT_RELEASE_FILES,
});
