import type { LayerFiles, Scanner } from '../indexer/scanner.js';
import type {
  Notice,
  PackageFinding,
  PackageRecord,
  ScanResult,
} from '../indexer/types.js';
import { compileGlob } from '../layer/glob.js';
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
export const rubyGemsScanner: Scanner = {
  name: 'rubygems',
  version: '1',
  kind: 'package',
  selector: { patterns: GEM_PATTERNS },
  maxFileSize: MAX_GEMSPEC_SIZE,
  scan: scanGems,
};

const GLOBS = GEM_PATTERNS.map(compileGlob);

function scanGems(files: LayerFiles): ScanResult {
  const packages: PackageFinding[] = [];
  const notices: Notice[] = [];
  for (const path of files.paths()) {
    if (!GLOBS.some((g) => g.matches(path))) continue;
    const data = files.read(path);
    if (data === undefined) continue;

    const spec = readGemSpec(data.toString('utf8'));
    if (spec) packages.push({ path, packages: [gem(path, spec)] });
    else notices.push(skipped(path));
  }
  return { packages, distributions: [], notices };
}

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

function skipped(path: string): Notice {
  return {
    code: 'skipped-record',
    message: `Skipped gem specification ${path}: no name and version found`,
    path,
  };
}
