import { ownershipFinding } from '../indexer/ownership.js';
import type { LayerFiles, Scanner } from '../indexer/scanner.js';
import type {
  Notice,
  OwnershipFinding,
  PackageFinding,
  ScanResult,
} from '../indexer/types.js';
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

/**
 * dpkg's file lists, one per installed package: `<package>.list`, or
 * `<package>:<arch>.list` for packages of multi-arch `same`; each line
 * is one absolute path the package installed (dpkg(1), FILES, `info`).
 */
export const DPKG_INFO_DIR = 'var/lib/dpkg/info';

/** Package databases may be large (texlive images): 64 MiB. */
const MAX_DB_SIZE = 64 * 1024 * 1024;

/**
 * Finds the installed dpkg packages of one layer, one PackageFinding per
 * database file, keyed (and `packageDb`) by its layer path, as Clair does.
 * An empty database still yields a finding with no packages: the layer
 * holds a database, and it lists nothing.
 *
 * Each file list of the layer that names files language scanners could
 * report (indexer/ownership.ts) yields an OwnershipFinding keyed by the
 * list's path, so that the coalescer shows those language packages as
 * part of their dpkg package.
 */
export const dpkgScanner: Scanner = {
  name: 'dpkg',
  version: '2',
  kind: 'package',
  selector: {
    exact: [DPKG_STATUS_PATH],
    children: [DPKG_STATUS_DIR],
    patterns: [`${DPKG_INFO_DIR}/*.list`],
  },
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

  const owned = ownedFiles(files);
  return {
    packages,
    distributions: [],
    notices,
    ...(owned.length > 0 ? { owned } : {}),
  };
}

function ownedFiles(files: LayerFiles): OwnershipFinding[] {
  const out: OwnershipFinding[] = [];
  for (const path of files.paths()) {
    const name = listedPackage(path);
    if (name === undefined) continue;
    const data = files.read(path);
    if (data === undefined) continue;

    const lines = data.toString('utf8').split('\n');
    const found = ownershipFinding(path, [{ name, files: lines }]);
    if (found) out.push(found);
  }
  return out;
}

/** The package a file list belongs to, architecture qualifier dropped. */
function listedPackage(path: string): string | undefined {
  const prefix = `${DPKG_INFO_DIR}/`;
  if (!path.startsWith(prefix) || !path.endsWith('.list')) return undefined;

  const file = path.slice(prefix.length, -'.list'.length);
  if (file === '' || file.includes('/')) return undefined;
  const colon = file.indexOf(':');
  return colon < 0 ? file : file.slice(0, colon);
}

function isStatusDirEntry(path: string): boolean {
  const prefix = `${DPKG_STATUS_DIR}/`;
  if (!path.startsWith(prefix)) return false;

  const name = path.slice(prefix.length);
  return name !== '' && !name.includes('/') && !name.endsWith('.md5sums');
}
