import type { Scanner } from './scanner.js';
import { alpineReleaseScanner } from '../alpine/release.js';
import { apkScanner } from '../apk/scanner.js';
import { debianVersionScanner } from '../debian/release.js';
import { dpkgScanner } from '../dpkg/scanner.js';
import { npmScanner } from '../npm/scanner.js';
import { osReleaseScanner } from '../osrelease/scanner.js';
import { pythonScanner } from '../python/scanner.js';
import { rubyGemsScanner } from '../rubygems/scanner.js';

/**
 * Every built-in scanner, run on each layer. Names are stable ids: results
 * are stored under (layer digest, scanner name, scanner version).
 *
 * Distribution findings rank by priority: os-release (0, then 1 for
 * `usr/lib/os-release`) before the per-family fallbacks
 * `etc/debian_version` and `etc/alpine-release` (2).
 */
export const DEFAULT_SCANNERS: readonly Scanner[] = [
  dpkgScanner,
  apkScanner,
  osReleaseScanner,
  debianVersionScanner,
  alpineReleaseScanner,
  pythonScanner,
  npmScanner,
  rubyGemsScanner,
];
