import { alpineMatcher } from '../alpine/matcher.js';
import { debianMatcher } from '../debian/matcher.js';
import type { Matcher } from './matcher.js';

/** The built-in matchers; each package goes to those that accept it. */
export const DEFAULT_MATCHERS: readonly Matcher[] = [
  debianMatcher,
  alpineMatcher,
];
