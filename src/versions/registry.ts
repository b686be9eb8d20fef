import { ClaroError } from '../errors.js';
import type { VersionScheme } from './scheme.js';
import { dpkgScheme } from '../dpkg/version.js';
import { apkScheme } from '../apk/version.js';
import { rpmScheme } from '../rpm/version.js';
import { semverScheme } from '../npm/version.js';
import { pep440Scheme } from '../python/version.js';
import { mavenScheme } from '../maven/version.js';
import { gemScheme } from '../rubygems/version.js';
import { goScheme } from '../golang/version.js';

/** Every built-in version scheme, keyed by id. */
export const VERSION_SCHEMES: ReadonlyMap<string, VersionScheme> = new Map(
  [
    dpkgScheme,
    apkScheme,
    rpmScheme,
    semverScheme,
    pep440Scheme,
    mavenScheme,
    gemScheme,
    goScheme,
  ].map((s) => [s.id, s]),
);

/** Looks up a scheme by id, or throws INVALID_ARGUMENT naming the choices. */
export function versionScheme(id: string): VersionScheme {
  const scheme = VERSION_SCHEMES.get(id);
  if (scheme) return scheme;

  const known = [...VERSION_SCHEMES.keys()].join(', ');
  throw new ClaroError(
    'INVALID_ARGUMENT',
    `Cannot use version scheme "${id}": unknown (known: ${known})`,
  );
}
