import type { Scanner } from '../indexer/scanner.js';
import type { DistributionRecord } from '../indexer/types.js';
import {
  createReleaseFileScanner,
  firstLine,
} from '../osrelease/release-file.js';

/**
 * Microsoft Azure Linux (os-release ID `azurelinux`, 3.0 and later) and
 * its earlier name CBL-Mariner (ID `mariner`, 1.0 and 2.0). Their
 * os-release VERSION_ID (`2.0`, `3.0`) is the key of their advisories as
 * written, so claro reads their os-release generically.
 */
export const MARINER_RELEASE_PATH = 'etc/mariner-release';

const RELEASE_LINE = /^(CBL-Mariner|Azure Linux) (\d+\.\d+)(\.\d+)?\b/;

/**
 * Reads `etc/mariner-release`, which both names write: `CBL-Mariner
 * 2.0.20240123` or `Azure Linux 3.0.20240624`, then
 * `MARINER_BUILD_NUMBER=...`. versionId is the `major.minor` release, as
 * os-release's VERSION_ID; version the full one, as os-release's VERSION.
 * Undefined for other text.
 */
export function parseMarinerRelease(
  text: string,
): DistributionRecord | undefined {
  const line = firstLine(text);
  const [, name, release, build] = RELEASE_LINE.exec(line) ?? [];
  if (name === undefined || release === undefined) return undefined;

  const mariner = name === 'CBL-Mariner';
  return {
    did: mariner ? 'mariner' : 'azurelinux',
    name: mariner ? 'Common Base Linux Mariner' : 'Microsoft Azure Linux',
    versionId: release,
    version: release + (build ?? ''),
    versionCodeName: '',
    prettyName: line,
  };
}

/** The fallback Azure Linux scanner, for layers without os-release. */
export const marinerReleaseScanner: Scanner = createReleaseFileScanner({
  name: 'mariner-release',
  version: '1',
  files: [
    { path: MARINER_RELEASE_PATH, priority: 2, parse: parseMarinerRelease },
  ],
});
