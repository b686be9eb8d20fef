import type { Scanner } from '../indexer/scanner.js';
import type { DistributionRecord } from '../indexer/types.js';
import {
  createReleaseFileScanner,
  firstLine,
} from '../osrelease/release-file.js';

/**
 * VMware Photon OS's release file. Its os-release VERSION_ID (`4.0`) is
 * the key of its advisories as written, so claro reads its os-release
 * generically.
 */
export const PHOTON_RELEASE_PATH = 'etc/photon-release';

const PHOTON_LINE = /^(VMware Photon (?:OS|Linux))\s+(\d+\.\d+)\b/;

/**
 * Reads `etc/photon-release`: `VMware Photon OS 4.0` (`VMware Photon
 * Linux 2.0` before 3.0), then `PHOTON_BUILD_NUMBER=...`. versionId is
 * the `major.minor` release, as os-release's VERSION_ID. Undefined for
 * other text.
 */
export function parsePhotonRelease(
  text: string,
): DistributionRecord | undefined {
  const line = firstLine(text);
  const [, name, release] = PHOTON_LINE.exec(line) ?? [];
  if (name === undefined || release === undefined) return undefined;
  return {
    did: 'photon',
    name: 'VMware Photon OS',
    versionId: release,
    version: release,
    versionCodeName: '',
    prettyName: line,
  };
}

/** The fallback Photon OS scanner, for layers without os-release. */
export const photonReleaseScanner: Scanner = createReleaseFileScanner({
  name: 'photon-release',
  version: '1',
  files: [
    { path: PHOTON_RELEASE_PATH, priority: 2, parse: parsePhotonRelease },
  ],
});
