import type { Scanner } from '../indexer/scanner.js';
import { metadataScanner } from '../indexer/metadata-scanner.js';
import type { PackageRecord } from '../indexer/types.js';
import { normalizePythonName, readCoreMetadata } from './metadata.js';

/**
 * Where installers record installed distributions: pip and installers
 * following PyPA's "Recording installed projects" write
 * `<name>-<version>.dist-info/METADATA` into a `site-packages` folder
 * (`dist-packages` on Debian and Ubuntu); setuptools wrote
 * `<name>-<version>.egg-info`, a folder holding `PKG-INFO` or a file of
 * the same text.
 */
export const PYTHON_PATTERNS: readonly string[] = [
  '**/site-packages/*.dist-info/METADATA',
  '**/dist-packages/*.dist-info/METADATA',
  '**/site-packages/*.egg-info/PKG-INFO',
  '**/dist-packages/*.egg-info/PKG-INFO',
  '**/site-packages/*.egg-info',
  '**/dist-packages/*.egg-info',
];

/** OSV's ecosystem name for the Python Package Index. */
export const PYPI_ECOSYSTEM = 'PyPI';

/**
 * Metadata holds the project's long description, which can be large;
 * only its headers are read. 8 MiB.
 */
const MAX_METADATA_SIZE = 8 * 1024 * 1024;

/**
 * Finds installed Python distributions, one PackageFinding per metadata
 * file, keyed (and `packageDb`) by that file's layer path. Names are
 * normalised as PEP 503 says; versions are kept as written, for the
 * `pep440` scheme. A file without a name or version is skipped with a
 * notice.
 */
export const pythonScanner: Scanner = metadataScanner({
  name: 'python',
  version: '1',
  patterns: PYTHON_PATTERNS,
  maxFileSize: MAX_METADATA_SIZE,
  what: 'Python metadata',
  read: pythonPackage,
});

function pythonPackage(
  path: string,
  text: string,
): PackageRecord | { skip: string } {
  const { name, version } = readCoreMetadata(text);
  if (name === undefined) return { skip: 'no Name header' };
  if (version === undefined) return { skip: 'no Version header' };
  return {
    name: normalizePythonName(name),
    version,
    kind: 'binary',
    packageDb: path,
    scheme: 'pep440',
    ecosystem: PYPI_ECOSYSTEM,
  };
}
