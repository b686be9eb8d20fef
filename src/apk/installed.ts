import type { Notice, PackageRecord } from '../indexer/types.js';

/** How to read one apk installed database. */
export interface ApkInstalledOptions {
  /** Layer path of the file: recorded as `packageDb` and in notices. */
  readonly path: string;
  /** The apk version scheme's validity check (apk-tools). */
  readonly validVersion: (version: string) => boolean;
}

/** Packages of one installed database and the records skipped. */
export interface ApkInstalledResult {
  readonly packages: PackageRecord[];
  readonly notices: Notice[];
}

/** The fields claro reads from one package record. */
interface ApkRecord {
  readonly line: number;
  name?: string;
  version?: string;
  arch?: string;
  origin?: string;
}

/**
 * Reads apk-tools' installed database (`lib/apk/db/installed`; apk-tools
 * doc "apk-package(5)" and the index format of `APKINDEX`): one record per
 * package, records separated by a blank line, each line `K:value` with a
 * one-letter key. claro reads `P:` name, `V:` version, `A:` architecture
 * and `o:` origin; file entries (`F:`, `R:`, `Z:`, ...) are ignored.
 *
 * The source package is the origin aport with the package's own version,
 * as Alpine's security database is keyed by origin; a package without
 * `o:` is its own origin. A record without `P:` or `V:`, or whose version
 * the apk scheme rejects, is skipped with a `skipped-record` notice; lines
 * not of the `K:value` shape are ignored.
 */
export function readApkInstalled(
  text: string,
  options: ApkInstalledOptions,
): ApkInstalledResult {
  const packages: PackageRecord[] = [];
  const notices: Notice[] = [];

  for (const record of parseRecords(text)) {
    const read = recordPackage(record, options);
    if (typeof read === 'string') {
      notices.push(skipped(record, read, options.path));
      continue;
    }
    packages.push(read);
  }

  return { packages, notices };
}

function parseRecords(text: string): ApkRecord[] {
  const records: ApkRecord[] = [];
  let current: ApkRecord | undefined;
  let lineNo = 0;

  for (let start = 0; start < text.length;) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end).trimEnd();
    start = end + 1;
    lineNo++;

    if (line === '') {
      current = undefined;
      continue;
    }
    if (current === undefined) {
      current = { line: lineNo };
      records.push(current);
    }
    if (line.charCodeAt(1) === 0x3a) setField(current, line[0], line.slice(2));
  }

  return records;
}

/** Keeps the first value of each field claro reads. */
function setField(record: ApkRecord, key: string | undefined, value: string) {
  switch (key) {
    case 'P':
      record.name ??= value;
      break;
    case 'V':
      record.version ??= value;
      break;
    case 'A':
      record.arch ??= value;
      break;
    case 'o':
      record.origin ??= value;
      break;
  }
}

function recordPackage(
  record: ApkRecord,
  options: ApkInstalledOptions,
): PackageRecord | string {
  const { name, version, arch, origin } = record;
  if (!name) return 'no P: (name) field';
  if (!version) return 'no V: (version) field';
  if (!options.validVersion(version)) return `bad version "${version}"`;

  return {
    name,
    version,
    kind: 'binary',
    source: { name: origin || name, version },
    packageDb: options.path,
    ...(arch ? { arch } : {}),
    scheme: 'apk',
  };
}

function skipped(record: ApkRecord, reason: string, path: string): Notice {
  const what = record.name ? ` (P:${record.name})` : '';
  return {
    code: 'skipped-record',
    message:
      `Cannot read apk record at line ${record.line}${what} ` +
      `of ${path}: ${reason}`,
    path,
  };
}
