import type { Scanner } from '../indexer/scanner.js';
import type { DistributionRecord } from '../indexer/types.js';
import type { ReleaseFamily } from '../osrelease/os-release.js';
import {
  createReleaseFileScanner,
  firstLine,
  rollingFamily,
} from '../osrelease/release-file.js';

/**
 * SUSE Linux Enterprise and openSUSE. Their os-release VERSION_ID is the
 * key of their advisories as written: `major.servicepack` for SUSE Linux
 * Enterprise (`15.3` is 15 SP3, `12` is 12 GA), the release for openSUSE
 * Leap (`15.2`) and SLE Micro (`5.3`); claro keeps it. openSUSE
 * Tumbleweed is a rolling release whose VERSION_ID is a snapshot date:
 * its versionId is empty and the date goes to `version`.
 */
export const SUSE_ROLLING_FAMILIES: readonly ReleaseFamily[] = [
  'opensuse-tumbleweed',
  'opensuse-microos',
  'opensuse-slowroll',
].map(rollingFamily);

/** The release file of SUSE releases before os-release (SLES 11, 12). */
export const SUSE_RELEASE_PATH = 'etc/SuSE-release';

/** First-line names and the os-release ID their releases carry. */
const SUSE_NAMES: readonly (readonly [RegExp, string])[] = [
  [/^SUSE Linux Enterprise Server\b/, 'sles'],
  [/^SUSE Linux Enterprise Desktop\b/, 'sled'],
  [/^openSUSE\b/, 'opensuse'],
];

const SUSE_FIELD = /^([A-Z_]+)\s*=\s*(.*)$/;

/**
 * Reads `etc/SuSE-release`: a first line naming the product and machine
 * (`SUSE Linux Enterprise Server 12 (x86_64)`), then `VERSION = 12` and,
 * for SUSE Linux Enterprise, `PATCHLEVEL = 3`. The versionId is what
 * os-release would say: `12.3` for 12 SP3, `12` for 12 GA, `42.3` for
 * openSUSE 42.3. Undefined for other text.
 */
export function parseSuseRelease(text: string): DistributionRecord | undefined {
  const name = firstLine(text).replace(/\s*\([^()]*\)$/, '');
  const did = SUSE_NAMES.find(([prefix]) => prefix.test(name))?.[1];
  const fields = suseFields(text);
  const version = fields.get('VERSION') ?? '';
  if (did === undefined || !/^\d+(\.\d+)?$/.test(version)) return undefined;

  const patch = fields.get('PATCHLEVEL') ?? '0';
  const servicePack = /^[1-9]\d*$/.test(patch) ? patch : '';
  return {
    did,
    name,
    versionId: servicePack ? `${version}.${servicePack}` : version,
    version: servicePack ? `${version}-SP${servicePack}` : version,
    versionCodeName: fields.get('CODENAME') ?? '',
    prettyName: name,
  };
}

function suseFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split('\n').slice(1)) {
    const m = SUSE_FIELD.exec(line.trim());
    if (m?.[1] !== undefined && m[2] !== undefined) fields.set(m[1], m[2]);
  }
  return fields;
}

/** The fallback SUSE scanner, for layers without os-release. */
export const suseReleaseScanner: Scanner = createReleaseFileScanner({
  name: 'suse-release',
  version: '1',
  files: [{ path: SUSE_RELEASE_PATH, priority: 2, parse: parseSuseRelease }],
});
