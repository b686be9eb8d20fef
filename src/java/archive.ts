import type { Notice, PackageRecord } from '../indexer/types.js';
import { parseManifest } from './manifest.js';
import { parseProperties } from './properties.js';
import { readZipDirectory, readZipEntry, type ZipEntry } from './zip.js';

/** OSV's ecosystem name for Maven artifacts. */
export const MAVEN_ECOSYSTEM = 'Maven';
/** Version scheme id of Maven versions. */
export const MAVEN_SCHEME = 'maven';

/**
 * File name endings of Java archives, compared without case: jars, web
 * and enterprise archives, and Jenkins plugins (jars by another name).
 */
export const JAVA_ARCHIVE_EXTENSIONS: readonly string[] = [
  '.jar',
  '.war',
  '.ear',
  '.jpi',
  '.hpi',
];

/** Joins an archive's path and the path of an archive inside it. */
export const NESTED_SEPARATOR = '!/';

/** Archives inside archives are followed this many levels down. */
export const MAX_NESTING = 4;
/** Largest nested archive inflated into memory: 64 MiB. */
export const MAX_NESTED_SIZE = 64 * 1024 * 1024;
/** Bytes of nested archives inflated for one outer archive: 256 MiB. */
export const NESTED_BUDGET = 256 * 1024 * 1024;
/** Largest `pom.properties` or manifest read: 1 MiB. */
const MAX_METADATA_SIZE = 1024 * 1024;

const MANIFEST_PATH = 'META-INF/MANIFEST.MF';
const POM_PROPERTIES = 'pom.properties';

/** Packages of one archive (nested ones included) and what was skipped. */
export interface JavaArchiveResult {
  readonly packages: PackageRecord[];
  readonly notices: Notice[];
}

/** True when `path` ends in a Java archive extension. */
export function isJavaArchivePath(path: string): boolean {
  const lower = path.toLowerCase();
  return JAVA_ARCHIVE_EXTENSIONS.some((ext) => lower.endsWith(ext));
}

/**
 * Finds the Maven packages of the Java archive `data`, found at layer path
 * `path`, and of the archives nested in it (`WEB-INF/lib/*.jar`,
 * `BOOT-INF/lib/*.jar`, any entry with an archive extension), at most
 * MAX_NESTING levels down and within MAX_NESTED_SIZE and NESTED_BUDGET.
 *
 * Each archive is identified by the first of these that yields anything:
 *
 * 1. Every `pom.properties` it holds (Maven writes them as
 *    `META-INF/maven/<groupId>/<artifactId>/pom.properties`; shading tools
 *    copy those of the artifacts they embed, so all are reported): name
 *    `groupId:artifactId` and `version`, all three required.
 * 2. The main section of `META-INF/MANIFEST.MF`: `Implementation-Title`
 *    with `Implementation-Version`, else `Bundle-SymbolicName` (without
 *    its `;` directives) with `Bundle-Version`. With an
 *    `Implementation-Vendor-Id` (the group id Maven's archiver writes) the
 *    name is `<vendor-id>:<title>`, else the bare title or symbolic name.
 * 3. The file name, `<artifact>-<version>.<ext>`, the version starting at
 *    the first `-` followed by a digit: `log4j-api-2.14.jar` is
 *    `log4j-api` at `2.14`. The name has no group.
 *
 * Every package's `packageDb` is the archive's path; a nested archive's
 * path is its outer archive's path, `!/` and its entry name, as Java's
 * `jar:` URLs write it (`app.war!/WEB-INF/lib/log4j-1.2.17.jar`).
 */
export function readJavaArchive(data: Buffer, path: string): JavaArchiveResult {
  const walk = new ArchiveWalk();
  walk.archive(data, path, 0);
  return { packages: walk.packages, notices: walk.notices };
}

class ArchiveWalk {
  readonly packages: PackageRecord[] = [];
  readonly notices: Notice[] = [];
  private budget = NESTED_BUDGET;

  archive(data: Buffer, path: string, depth: number): void {
    const entries = readZipDirectory(data);
    if (typeof entries === 'string') {
      this.skip(path, `not a readable zip archive (${entries})`);
      return;
    }

    this.packages.push(...this.identify(data, entries, path));
    for (const e of entries) {
      if (!isNestedArchive(e)) continue;
      this.nested(data, e, `${path}${NESTED_SEPARATOR}${e.name}`, depth + 1);
    }
  }

  private nested(outer: Buffer, e: ZipEntry, path: string, depth: number) {
    if (depth > MAX_NESTING) {
      this.skip(path, `nested more than ${MAX_NESTING} archives deep`);
      return;
    }
    const max = Math.min(MAX_NESTED_SIZE, this.budget);
    const data = readZipEntry(outer, e, max);
    if (typeof data === 'string') {
      const why = max < MAX_NESTED_SIZE ? ' (nested archive budget spent)' : '';
      this.skip(path, data + why);
      return;
    }
    this.budget -= data.length;
    this.archive(data, path, depth);
  }

  private identify(
    data: Buffer,
    entries: readonly ZipEntry[],
    path: string,
  ): PackageRecord[] {
    const fromPom = this.pomPackages(data, entries, path);
    if (fromPom.length > 0) return fromPom;

    const manifest = entries.find((e) => e.name === MANIFEST_PATH);
    const text = manifest && this.text(data, manifest, path, 'utf8');
    const fromManifest = text && manifestPackage(parseManifest(text), path);
    if (fromManifest) return [fromManifest];

    const fromName = fileNamePackage(path);
    return fromName ? [fromName] : [];
  }

  private pomPackages(
    data: Buffer,
    entries: readonly ZipEntry[],
    path: string,
  ): PackageRecord[] {
    const seen = new Map<string, PackageRecord>();
    for (const e of entries) {
      if (baseName(e.name) !== POM_PROPERTIES) continue;
      const text = this.text(data, e, path, 'latin1');
      if (text === undefined) continue;

      const pkg = pomPackage(parseProperties(text), path);
      if (typeof pkg === 'string') {
        this.skip(`${path}${NESTED_SEPARATOR}${e.name}`, pkg, 'skipped-record');
        continue;
      }
      seen.set(`${pkg.name}@${pkg.version}`, pkg);
    }
    return [...seen.values()];
  }

  private text(
    data: Buffer,
    e: ZipEntry,
    path: string,
    encoding: 'utf8' | 'latin1',
  ): string | undefined {
    const body = readZipEntry(data, e, MAX_METADATA_SIZE);
    if (typeof body !== 'string') return body.toString(encoding);
    this.skip(`${path}${NESTED_SEPARATOR}${e.name}`, body);
    return undefined;
  }

  private skip(
    path: string,
    why: string,
    code: Notice['code'] = 'skipped-file',
  ): void {
    this.notices.push({
      code,
      message: `Cannot read Java archive ${path}: ${why}`,
      path,
    });
  }
}

function isNestedArchive(e: ZipEntry): boolean {
  return !e.name.endsWith('/') && isJavaArchivePath(e.name);
}

function pomPackage(
  props: ReadonlyMap<string, string>,
  packageDb: string,
): PackageRecord | string {
  const group = props.get('groupId')?.trim() ?? '';
  const artifact = props.get('artifactId')?.trim() ?? '';
  const version = props.get('version')?.trim() ?? '';
  if (group === '' || artifact === '' || version === '') {
    return 'pom.properties lacks groupId, artifactId or version';
  }
  return mavenPackage(`${group}:${artifact}`, version, packageDb);
}

/** Manifest header names, lower-cased as parseManifest returns them. */
const H = {
  title: 'implementation-title',
  version: 'implementation-version',
  vendorId: 'implementation-vendor-id',
  symbolicName: 'bundle-symbolicname',
  bundleVersion: 'bundle-version',
} as const;

function manifestPackage(
  m: ReadonlyMap<string, string>,
  packageDb: string,
): PackageRecord | undefined {
  const group = m.get(H.vendorId) ?? '';
  const prefix = group === '' ? '' : `${group}:`;
  const title = m.get(H.title) ?? '';
  const version = m.get(H.version) ?? '';
  if (title !== '' && version !== '') {
    return mavenPackage(prefix + title, version, packageDb);
  }

  const symbolic = (m.get(H.symbolicName) ?? '').split(';')[0]!.trim();
  const bundleVersion = m.get(H.bundleVersion) ?? '';
  if (symbolic !== '' && bundleVersion !== '') {
    return mavenPackage(prefix + symbolic, bundleVersion, packageDb);
  }
  return undefined;
}

/** `<artifact>-<version>.<ext>`: the version starts with a digit. */
const FILE_NAME = /^(.+?)-(\d.*)\.[^.]+$/;

function fileNamePackage(path: string): PackageRecord | undefined {
  const m = FILE_NAME.exec(baseName(path));
  if (m === null) return undefined;
  return mavenPackage(m[1]!, m[2]!, path);
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function mavenPackage(
  name: string,
  version: string,
  packageDb: string,
): PackageRecord {
  return {
    name,
    version,
    kind: 'binary',
    packageDb,
    scheme: MAVEN_SCHEME,
    ecosystem: MAVEN_ECOSYSTEM,
  };
}
