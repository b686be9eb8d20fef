import type { Scanner } from './scanner.js';
import { alpineReleaseScanner } from '../alpine/release.js';
import { amazonReleaseScanner } from '../amazon/release.js';
import { apkScanner } from '../apk/scanner.js';
import { marinerReleaseScanner } from '../azurelinux/release.js';
import { debianVersionScanner } from '../debian/release.js';
import { dpkgScanner } from '../dpkg/scanner.js';
import { npmScanner } from '../npm/scanner.js';
import { goBinaryScanner } from '../golang/scanner.js';
import { javaArchiveScanner } from '../java/scanner.js';
import { osReleaseScanner } from '../osrelease/scanner.js';
import { pythonScanner } from '../python/scanner.js';
import { rubyGemsScanner } from '../rubygems/scanner.js';
import { photonReleaseScanner } from '../photon/release.js';
import { redHatReleaseScanner } from '../rhel/release.js';
import { rpmScanner } from '../rpm/scanner.js';
import { suseReleaseScanner } from '../suse/release.js';

/**
 * Every built-in scanner, run on each layer. Names are stable ids: results
 * are stored under (layer digest, scanner name, scanner version).
 *
 * Distribution findings rank by priority: os-release (0, then 1 for
 * `usr/lib/os-release`) before the per-family fallbacks
 * `etc/debian_version`, `etc/alpine-release`, the RPM distributions'
 * own release files (2) and `etc/redhat-release` (3).
 */
export const DEFAULT_SCANNERS: readonly Scanner[] = [
  dpkgScanner,
  apkScanner,
  rpmScanner,
  osReleaseScanner,
  debianVersionScanner,
  alpineReleaseScanner,
  pythonScanner,
  npmScanner,
  rubyGemsScanner,
  goBinaryScanner,
  javaArchiveScanner,
];
