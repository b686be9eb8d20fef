import type { LayerFiles, Scanner } from '../indexer/scanner.js';
import type { Notice, PackageFinding, ScanResult } from '../indexer/types.js';
import { readDpkgStatus } from './status.js';
import { dpkgScheme } from './version.js';

/** dpkg's status database (dpkg(1), FILES). */
export const DPKG_STATUS_PATH = 'var/lib/dpkg/status';

/**
 * Distroless images have no status file; they keep one file of stanzas per
 * package in this folder, beside `<package>.md5sums` files that are not
 * package records.
 */
export const DPKG_STATUS_DIR = 'var/lib/dpkg/status.d';

/** Package databases may be large (texlive images): 64 MiB. */
const MAX_DB_SIZE = 64 * 1024 * 1024;

/**
 * Finds the installed dpkg packages of one layer, one PackageFinding per
 * database file, keyed (and `packageDb`) by its layer path, as Clair does.
 * An empty database still yields a finding with no packages: the layer
 * holds a database, and it lists nothing.
 */
export const dpkgScanner: Scanner = {
  name: 'dpkg',
  version: '1',
  kind: 'package',
  selector: { exact: [DPKG_STATUS_PATH], children: [DPKG_STATUS_DIR] },
  maxFileSize: MAX_DB_SIZE,
  scan: scanDpkg,
};

function scanDpkg(files: LayerFiles): ScanResult {
  const packages: PackageFinding[] = [];
  const notices: Notice[] = [];

  for (const path of files.paths()) {
    const statusOptional = isStatusDirEntry(path);
    if (!statusOptional && path !== DPKG_STATUS_PATH) continue;

    const data = files.read(path);
    if (data === undefined) continue;

    const read = readDpkgStatus(data.toString('utf8'), {
      path,
      statusOptional,
      validVersion: (v) => dpkgScheme.valid(v),
    });
    packages.push({ path, packages: read.packages });
    notices.push(...read.notices);
  }

  return { packages, distributions: [], notices };
}

function isStatusDirEntry(path: string): boolean {
  const prefix = `${DPKG_STATUS_DIR}/`;
  if (!path.startsWith(prefix)) return false;

  const name = path.slice(prefix.length);
  return name !== '' && !name.includes('/') && !name.endsWith('.md5sums');
}
