import { ownershipFinding } from '../indexer/ownership.js';
import type { LayerFiles, Scanner } from '../indexer/scanner.js';
import type {
  Notice,
  OwnershipFinding,
  PackageFinding,
  ScanResult,
} from '../indexer/types.js';
import { readApkInstalled } from './installed.js';
import { apkScheme } from './version.js';

/**
 * Where apk-tools keeps its installed database: `lib/apk/db/installed`
 * (apk-tools 2), and `usr/lib/apk/db/installed` on merged-/usr systems.
 */
export const APK_INSTALLED_PATHS: readonly string[] = [
  'lib/apk/db/installed',
  'usr/lib/apk/db/installed',
];

/** Package databases may be large: 64 MiB. */
const MAX_DB_SIZE = 64 * 1024 * 1024;

/**
 * Finds the installed apk packages of one layer, one PackageFinding per
 * database file, keyed (and `packageDb`) by its layer path. An empty
 * database still yields a finding with no packages.
 *
 * The files each package installed that language scanners could report
 * (indexer/ownership.ts) yield one OwnershipFinding per database, so that
 * the coalescer shows those language packages as part of their apk
 * package.
 */
export const apkScanner: Scanner = {
  name: 'apk',
  version: '2',
  kind: 'package',
  selector: { exact: APK_INSTALLED_PATHS },
  maxFileSize: MAX_DB_SIZE,
  scan: scanApk,
};

function scanApk(files: LayerFiles): ScanResult {
  const packages: PackageFinding[] = [];
  const notices: Notice[] = [];

  const owned: OwnershipFinding[] = [];
  for (const path of APK_INSTALLED_PATHS) {
    const data = files.read(path);
    if (data === undefined) continue;

    const text = data.toString('utf8');
    const read = readApkInstalled(text, {
      path,
      validVersion: (v) => apkScheme.valid(v),
    });
    packages.push({ path, packages: read.packages });
    notices.push(...read.notices);
    const found = ownershipFinding(path, installedFiles(text));
    if (found) owned.push(found);
  }

  return {
    packages,
    distributions: [],
    notices,
    ...(owned.length > 0 ? { owned } : {}),
  };
}

/**
 * Each package's files in an installed database (apk-package(5) and the
 * installed database's format): after a record's `P:` name, each `F:`
 * line names a folder (relative to the root) and each `R:` line a file in
 * the folder named last.
 */
function installedFiles(text: string): { name: string; files: string[] }[] {
  const out: { name: string; files: string[] }[] = [];
  let pkg: { name: string; files: string[] } | undefined;
  let folder = '';
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (line === '') {
      pkg = undefined;
      folder = '';
      continue;
    }
    if (!pkg) out.push((pkg = { name: '', files: [] }));
    const value = line.slice(2);
    if (line.startsWith('P:')) pkg.name = value;
    else if (line.startsWith('F:')) folder = value;
    else if (line.startsWith('R:')) {
      pkg.files.push(folder === '' ? value : `${folder}/${value}`);
    }
  }
  return out.filter((p) => p.name !== '');
}
