import type { Scanner } from '../indexer/scanner.js';
import type { DistributionRecord } from '../indexer/types.js';
import type {
  OsReleaseFields,
  ReleaseFamily,
} from '../osrelease/os-release.js';
import {
  createReleaseFileScanner,
  firstLine,
} from '../osrelease/release-file.js';

/** Amazon Linux's os-release ID. */
const AMAZON_ID = 'amzn';

/** Written by system-release on every Amazon Linux. */
export const AMAZON_RELEASE_PATH = 'etc/system-release';

/**
 * The Amazon Linux release as its advisories (ALAS) key it: `1` for every
 * Amazon Linux AMI (2011.09 to 2018.03, one update stream), `2` for Amazon
 * Linux 2, and the year for Amazon Linux 2023 and later, whose VERSION_ID
 * is the year and whose release files say `2023.5.20240624`. Undefined
 * for anything else.
 */
export function amazonVersionId(version: string): string | undefined {
  const m = /^(\d+)(?:\.(\d+))?/.exec(version.trim());
  const [, major, minor] = m ?? [];
  if (major === undefined) return undefined;

  const year = Number(major);
  if (year >= 2011 && year <= 2018 && minor !== undefined) return '1';
  if (year === 2 || year >= 2022) return major;
  return undefined;
}

/**
 * Amazon Linux's refinement of os-release: versionId as
 * {@link amazonVersionId} reads VERSION_ID (kept as written when it
 * cannot), version VERSION or else VERSION_ID.
 */
export const amazonFamily: ReleaseFamily = {
  did: AMAZON_ID,
  companions: [],
  refine: refineAmazon,
};

function refineAmazon(
  base: DistributionRecord,
  fields: OsReleaseFields,
): DistributionRecord {
  const raw = fields.get('VERSION_ID') ?? '';
  const versionId = amazonVersionId(raw) ?? base.versionId;
  return { ...base, versionId, version: base.version || raw };
}

const AMAZON_LINE =
  /^(Amazon Linux(?: AMI)?) release (\d+(?:\.\d+)*)(?:\s+\(([^()]*)\))?/;

/**
 * Reads `etc/system-release` as Amazon Linux writes it: `Amazon Linux AMI
 * release 2018.03`, `Amazon Linux release 2 (Karoo)`, `Amazon Linux
 * release 2023.5.20240624 (Amazon Linux)`. Other distributions ship the
 * file too (as a link to their own release file), so other text gives
 * undefined and no notice.
 */
export function parseAmazonRelease(
  text: string,
): DistributionRecord | undefined {
  const line = firstLine(text);
  const [, name, number, codeName] = AMAZON_LINE.exec(line) ?? [];
  if (name === undefined || number === undefined) return undefined;

  const versionId = amazonVersionId(number);
  if (versionId === undefined) return undefined;
  return {
    did: AMAZON_ID,
    name,
    versionId,
    version: codeName ? `${number} (${codeName})` : number,
    versionCodeName: '',
    prettyName: line,
  };
}

/** The fallback Amazon Linux scanner, for layers without os-release. */
export const amazonReleaseScanner: Scanner = createReleaseFileScanner({
  name: 'amazon-release',
  version: '1',
  files: [
    {
      path: AMAZON_RELEASE_PATH,
      priority: 2,
      parse: parseAmazonRelease,
      shared: true,
    },
  ],
});
