import { almalinuxMatcher } from '../almalinux/matcher.js';
import { alpineMatcher } from '../alpine/matcher.js';
import { debianMatcher } from '../debian/matcher.js';
import { LANGUAGE_MATCHERS } from '../osv/matcher.js';
import { rockyMatcher } from '../rocky/matcher.js';
import type { Matcher } from './matcher.js';

/** The built-in matchers; each package goes to those that accept it. */
export const DEFAULT_MATCHERS: readonly Matcher[] = [
  debianMatcher,
  alpineMatcher,
  almalinuxMatcher,
  rockyMatcher,
  ...LANGUAGE_MATCHERS,
];
