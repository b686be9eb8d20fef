import type { ReleaseFamily } from '../osrelease/os-release.js';
import { rollingFamily } from '../osrelease/release-file.js';

/**
 * Wolfi and Chainguard OS (apk based, rolling releases): their os-release
 * VERSION_ID is a build date (`20220914`), not a release their security
 * data is keyed by (one secdb per distribution), so their versionId is
 * empty and the date goes to `version`.
 */
export const WOLFI_FAMILIES: readonly ReleaseFamily[] = [
  'wolfi',
  'chainguard',
].map(rollingFamily);
