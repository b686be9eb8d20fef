import { errorMessage } from '../errors.js';
import { ownershipFinding } from '../indexer/ownership.js';
import type { LayerFiles, Scanner } from '../indexer/scanner.js';
import type {
  Notice,
  OwnershipFinding,
  PackageFinding,
  PackageRecord,
  ScanResult,
} from '../indexer/types.js';
import { readRpmDatabase } from './database.js';
import {
  moduleStream,
  parseSourceRpm,
  rpmPackageVersion,
  type RpmPackage,
} from './package.js';
import { rpmScheme } from './version.js';

/**
 * The folders rpm keeps its database in: `var/lib/rpm` (the historical
 * place) and `usr/lib/sysimage/rpm` (Fedora 36 and later, openSUSE;
 * `var/lib/rpm` is then often a symbolic link to it, which claro does not
 * follow for folders, so each database is read once).
 */
export const RPM_DB_FOLDERS: readonly string[] = [
  'var/lib/rpm',
  'usr/lib/sysimage/rpm',
];

/**
 * The database files of each folder, in the order claro prefers them when
 * one folder holds several (a leftover of a backend conversion): SQLite
 * (rpm 4.16 and later), ndb (SUSE), Berkeley DB (rpm before 4.16).
 */
export const RPM_DB_FILES: readonly string[] = [
  'rpmdb.sqlite',
  'Packages.db',
  'Packages',
];

/** Every path the scanner reads, in order of preference per folder. */
export const RPM_DB_PATHS: readonly string[] = RPM_DB_FOLDERS.flatMap(
  (folder) => RPM_DB_FILES.map((file) => `${folder}/${file}`),
);

/**
 * rpm databases grow with the number of packages and files: a few MB for
 * a minimal image, tens of MB for a full one, more for Berkeley DB files
 * that were never compacted.
 */
const MAX_DB_SIZE = 512 * 1024 * 1024;

/** rpm's pseudo-package for an imported signing key; not software. */
const GPG_PUBKEY = 'gpg-pubkey';

/**
 * The rpm scanner. For each folder of {@link RPM_DB_FOLDERS}, the first
 * database file of {@link RPM_DB_FILES} present in the layer gives one
 * PackageFinding, keyed (and `packageDb`) by its layer path, and, when
 * some package owns files language scanners could report, one
 * OwnershipFinding under the same path: each package's regular files
 * (by FILEMODES; folders and links left out) that
 * `isOwnershipCandidate` (indexer/ownership.ts) keeps, such as
 * `site-packages/*.dist-info/METADATA`, `node_modules/x/package.json`,
 * jars, gem specifications and programs in `bin` folders.
 *
 * Each package is a `binary` package of the `rpm` scheme, its version
 * `[epoch:]version-release`, its source package the one its SOURCERPM
 * names (version `version-release`, no epoch: the file name has none),
 * its module the `name:stream` of its MODULARITYLABEL. `gpg-pubkey`
 * entries are left out. A database that cannot be read gives a
 * `skipped-file` notice, a header that cannot be read a `skipped-record`
 * notice.
 */
export const rpmScanner: Scanner = {
  name: 'rpm',
  version: '1',
  kind: 'package',
  selector: { exact: RPM_DB_PATHS },
  maxFileSize: MAX_DB_SIZE,
  scan: scanRpm,
};

function scanRpm(files: LayerFiles): ScanResult {
  const packages: PackageFinding[] = [];
  const owned: OwnershipFinding[] = [];
  const notices: Notice[] = [];
  for (const folder of RPM_DB_FOLDERS) {
    const found = firstDatabase(files, folder);
    if (found === undefined) continue;

    const read = readDatabase(found.path, found.data);
    notices.push(...read.notices);
    if (read.finding !== undefined) packages.push(read.finding);
    if (read.owned !== undefined) owned.push(read.owned);
  }

  const result = { packages, distributions: [], notices };
  return owned.length > 0 ? { ...result, owned } : result;
}

function firstDatabase(
  files: LayerFiles,
  folder: string,
): { path: string; data: Buffer } | undefined {
  for (const file of RPM_DB_FILES) {
    const path = `${folder}/${file}`;
    const data = files.read(path);
    if (data !== undefined) return { path, data };
  }
  return undefined;
}

interface DatabaseRead {
  readonly finding?: PackageFinding;
  readonly owned?: OwnershipFinding | undefined;
  readonly notices: readonly Notice[];
}

function readDatabase(path: string, data: Buffer): DatabaseRead {
  let database;
  try {
    database = readRpmDatabase(data);
  } catch (err) {
    return { notices: [skippedFile(path, errorMessage(err))] };
  }

  const notices = database.skipped.map((s) =>
    skippedRecord(path, `header ${s.index + 1}: ${s.reason}`),
  );
  const records: PackageRecord[] = [];
  const owners: { name: string; files: string[] }[] = [];
  for (const pkg of database.packages) {
    if (pkg.name === GPG_PUBKEY) continue;

    const record = packageRecord(pkg, path);
    if (typeof record === 'string') {
      notices.push(skippedRecord(path, record));
      continue;
    }
    records.push(record);
    owners.push({ name: pkg.name, files: regularFiles(pkg) });
  }
  return {
    finding: { path, packages: records },
    owned: ownershipFinding(path, owners),
    notices,
  };
}

/** The record for one package, or why it cannot be one. */
function packageRecord(pkg: RpmPackage, path: string): PackageRecord | string {
  const version = rpmPackageVersion(pkg);
  if (!rpmScheme.valid(version)) {
    return `package ${pkg.name}: bad version "${version}"`;
  }

  const source = pkg.sourceRpm ? parseSourceRpm(pkg.sourceRpm) : undefined;
  const module = moduleStream(pkg.modularityLabel);
  return {
    name: pkg.name,
    version,
    kind: 'binary',
    ...(source ? { source } : {}),
    packageDb: path,
    ...(pkg.arch ? { arch: pkg.arch } : {}),
    scheme: rpmScheme.id,
    ...(module ? { module } : {}),
  };
}

/** The package's regular files, by FILEMODES when the header has them. */
function regularFiles(pkg: RpmPackage): string[] {
  const modes = pkg.fileModes;
  if (modes === undefined) return [...pkg.files];
  return pkg.files.filter((_, i) => ((modes[i] ?? 0) & S_IFMT) === S_IFREG);
}

/** File type bits of st_mode and the type of a regular file (inode(7)). */
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;

function skippedFile(path: string, reason: string): Notice {
  return { code: 'skipped-file', message: reason, path };
}

function skippedRecord(path: string, reason: string): Notice {
  return {
    code: 'skipped-record',
    message: `Cannot read rpm database ${path}: ${reason}`,
    path,
  };
}
