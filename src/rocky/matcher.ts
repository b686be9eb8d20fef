/**
 * The Rocky Linux matcher: rpm packages of Rocky Linux releases against
 * the OSV records of Rocky's advisories (RLSA, RLBA), which name binary
 * packages in the ecosystem `Rocky Linux:<major>` and are stored under
 * did `rocky` and the major release.
 */
import type { Matcher } from '../matcher/matcher.js';
import { rpmMatcher } from '../osv/matcher.js';

/** Matches Rocky Linux packages by binary name, major release, rpm order. */
export const rockyMatcher: Matcher = rpmMatcher({
  name: 'rocky',
  did: 'rocky',
  updater: 'osv-rocky',
});
