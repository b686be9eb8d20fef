import type { SourcePackage } from '../indexer/types.js';
import {
  RPM_TAG,
  badHeader,
  parseRpmHeader,
  type RpmHeader,
} from './header.js';

/** What claro takes from one installed package's header. */
export interface RpmPackage {
  readonly name: string;
  /** EPOCH, when the header has one. */
  readonly epoch?: number;
  readonly version: string;
  readonly release: string;
  /** ARCH; absent for `gpg-pubkey` pseudo-packages. */
  readonly arch?: string;
  /** SOURCERPM, the source package's file name: `bash-5.1.8-6.el9.src.rpm`. */
  readonly sourceRpm?: string;
  /** MODULARITYLABEL, `name:stream:version:context`, when built in a module. */
  readonly modularityLabel?: string;
  /**
   * Absolute paths of the files the package owns, from BASENAMES,
   * DIRNAMES and DIRINDEXES (or OLDFILENAMES in old headers), in header
   * order.
   */
  readonly files: readonly string[];
  /** FILEMODES, one per file, when the header has them (st_mode bits). */
  readonly fileModes?: readonly number[];
}

/**
 * Reads a package from one header blob of an rpm database.
 *
 * @throws ClaroError INVALID_LAYER when the header is malformed or lacks
 *   NAME, VERSION or RELEASE.
 */
export function readRpmPackage(blob: Uint8Array): RpmPackage {
  const header = parseRpmHeader(blob);
  const name = required(header, RPM_TAG.name, 'NAME');
  const version = required(header, RPM_TAG.version, 'VERSION');
  const release = required(header, RPM_TAG.release, 'RELEASE');
  const epoch = header.numbers(RPM_TAG.epoch)?.[0];
  const arch = header.string(RPM_TAG.arch);
  const sourceRpm = header.string(RPM_TAG.sourceRpm);
  const modularityLabel = header.string(RPM_TAG.modularityLabel);
  const fileModes = header.numbers(RPM_TAG.fileModes);
  return {
    name,
    ...(epoch !== undefined ? { epoch } : {}),
    version,
    release,
    ...(arch ? { arch } : {}),
    ...(sourceRpm ? { sourceRpm } : {}),
    ...(modularityLabel ? { modularityLabel } : {}),
    files: fileNames(header),
    ...(fileModes ? { fileModes } : {}),
  };
}

/**
 * The full version of a package as the `rpm` scheme reads it:
 * `[epoch:]version-release`, the epoch written when it is not 0 (a
 * missing epoch and epoch 0 compare equal).
 */
export function rpmPackageVersion(pkg: RpmPackage): string {
  const evr = `${pkg.version}-${pkg.release}`;
  return pkg.epoch ? `${pkg.epoch}:${evr}` : evr;
}

/**
 * The module stream of a MODULARITYLABEL (`name:stream:version:context`,
 * Fedora's modularity documentation): `name:stream`, or undefined when
 * the label has fewer than two non-empty parts.
 */
export function moduleStream(label: string | undefined): string | undefined {
  const [name, stream] = (label ?? '').split(':');
  return name && stream ? `${name}:${stream}` : undefined;
}

const SOURCE_RPM = /^(.+)-([^-]+)-([^-]+)\.(?:no)?src\.rpm$/;

/**
 * The source package named by a SOURCERPM file name,
 * `name-version-release.src.rpm` (or `.nosrc.rpm`): name, and version
 * `version-release`. The file name carries no epoch, and none is
 * invented. Undefined when the name is not of that shape.
 */
export function parseSourceRpm(fileName: string): SourcePackage | undefined {
  const m = SOURCE_RPM.exec(fileName);
  if (!m?.[1] || !m[2] || !m[3]) return undefined;
  return { name: m[1], version: `${m[2]}-${m[3]}` };
}

function required(header: RpmHeader, tag: number, label: string): string {
  const value = header.string(tag);
  if (!value) throw badHeader(`no ${label}`);
  return value;
}

/**
 * rpm's file list: DIRNAMES entries end in `/`, and file i is
 * DIRNAMES[DIRINDEXES[i]] + BASENAMES[i]; headers older than rpm 4.0's
 * compressed file names carry OLDFILENAMES instead.
 */
function fileNames(header: RpmHeader): string[] {
  const baseNames = header.strings(RPM_TAG.baseNames);
  if (baseNames === undefined) {
    return header.strings(RPM_TAG.oldFileNames) ?? [];
  }

  const dirNames = header.strings(RPM_TAG.dirNames) ?? [];
  const dirIndexes = header.numbers(RPM_TAG.dirIndexes) ?? [];
  if (dirIndexes.length !== baseNames.length) {
    throw badHeader('BASENAMES and DIRINDEXES differ in length');
  }
  return baseNames.map((base, i) => {
    const dir = dirNames[dirIndexes[i] ?? -1];
    if (dir === undefined) throw badHeader(`file ${base} has no directory`);
    return dir + base;
  });
}
