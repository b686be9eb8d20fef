/**
 * The AlmaLinux matcher: rpm packages of AlmaLinux releases against the
 * OSV records of AlmaLinux's advisories (ALSA, ALBA, ALEA), which name
 * binary packages in the ecosystem `AlmaLinux:<major>` and are stored
 * under did `almalinux` and the major release.
 */
import type { Matcher } from '../matcher/matcher.js';
import { rpmMatcher } from '../osv/matcher.js';

/** Matches AlmaLinux packages by binary name, major release and rpm order. */
export const almalinuxMatcher: Matcher = rpmMatcher({
  name: 'almalinux',
  did: 'almalinux',
  updater: 'osv-almalinux',
});
