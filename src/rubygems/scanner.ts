import type { Scanner } from '../indexer/scanner.js';
import { metadataScanner } from '../indexer/metadata-scanner.js';
import type { PackageRecord } from '../indexer/types.js';
import { readGemSpec } from './gemspec.js';

/**
 * Where RubyGems records installed gems: `specifications/*.gemspec` in
 * each gem home (`/usr/local/bundle`, `/usr/lib/ruby/gems/<version>`,
 * `/var/lib/gems/<version>`), and `specifications/default/*.gemspec` for
 * the gems that come with Ruby itself.
 */
export const GEM_PATTERNS: readonly string[] = [
  '**/specifications/*.gemspec',
  '**/specifications/default/*.gemspec',
];

/** OSV's ecosystem name for rubygems.org. */
export const RUBYGEMS_ECOSYSTEM = 'RubyGems';

/** Specifications are short; signed ones carry certificates: 1 MiB. */
const MAX_GEMSPEC_SIZE = 1024 * 1024;

/**
 * Finds installed gems, one PackageFinding per specification, keyed (and
 * `packageDb`) by its layer path; versions compare with the `gem` scheme.
 * A specification without a literal name and version is skipped with a
 * notice.
 */
export const rubyGemsScanner: Scanner = metadataScanner({
  name: 'rubygems',
  version: '1',
  patterns: GEM_PATTERNS,
  maxFileSize: MAX_GEMSPEC_SIZE,
  what: 'gem specification',
  read: (path, text) => {
    const spec = readGemSpec(text);
    return spec ? gem(path, spec) : { skip: 'no name and version found' };
  },
});

function gem(
  path: string,
  spec: { name: string; version: string },
): PackageRecord {
  return {
    name: spec.name,
    version: spec.version,
    kind: 'binary',
    packageDb: path,
    scheme: 'gem',
    ecosystem: RUBYGEMS_ECOSYSTEM,
  };
}
