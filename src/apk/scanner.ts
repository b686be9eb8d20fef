import type { LayerFiles, Scanner } from '../indexer/scanner.js';
import type { Notice, PackageFinding, ScanResult } from '../indexer/types.js';
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
 */
export const apkScanner: Scanner = {
  name: 'apk',
  version: '1',
  kind: 'package',
  selector: { exact: APK_INSTALLED_PATHS },
  maxFileSize: MAX_DB_SIZE,
  scan: scanApk,
};

function scanApk(files: LayerFiles): ScanResult {
  const packages: PackageFinding[] = [];
  const notices: Notice[] = [];

  for (const path of APK_INSTALLED_PATHS) {
    const data = files.read(path);
    if (data === undefined) continue;

    const read = readApkInstalled(data.toString('utf8'), {
      path,
      validVersion: (v) => apkScheme.valid(v),
    });
    packages.push({ path, packages: read.packages });
    notices.push(...read.notices);
  }

  return { packages, distributions: [], notices };
}
