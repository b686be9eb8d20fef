import type { PackageRecord } from '../indexer/types.js';
import type { GoBuildInfo } from './buildinfo.js';
import type { GoModule } from './modinfo.js';

/** OSV's ecosystem name for Go modules and the standard library. */
export const GO_ECOSYSTEM = 'Go';
/** Version scheme id of Go module and toolchain versions. */
export const GO_SCHEME = 'go';
/**
 * The name the Go vulnerability database gives the standard library; its
 * version is the toolchain's.
 */
export const STDLIB = 'stdlib';
/** What Go records for a module built from a directory, not a release. */
export const DEVEL_VERSION = '(devel)';

/**
 * The packages one Go binary declares, each with `packageDb` the binary's
 * layer path, ecosystem `Go` and scheme `go`, in this order:
 *
 * 1. `stdlib` at the toolchain version, without the ` X:<experiments>`
 *    suffix that GOEXPERIMENT builds add (`go1.22.1 X:loopvar` gives
 *    `go1.22.1`); versions keep Go's own spelling (`go1.22.1`, and
 *    `v1.2.3` for modules), which the `go` scheme reads.
 * 2. The main module, when the binary was built in module mode, at its
 *    recorded version; `(devel)` (built from a checkout, version unknown)
 *    is kept as such rather than guessed from `-ldflags`.
 * 3. Every dependency module.
 *
 * A replaced module is reported as its replacement, path and version (the
 * code in the binary is the replacement's: Trivy, Syft and OSV-Scalibr
 * report it so too), and the module it replaced is kept as its `source`
 * (`name` the original path, `version` the original version). Matchers
 * match `name`, never `source`, for Go. A replacement by a local directory
 * has no path or version worth matching: the module keeps its original
 * path, with version `(devel)` as a main module built from a directory
 * has, and no `source`.
 */
export function goPackages(
  info: GoBuildInfo,
  packageDb: string,
): PackageRecord[] {
  const out: PackageRecord[] = [record(STDLIB, stdlibVersion(info), packageDb)];

  if (info.main !== undefined && info.main.path !== '') {
    out.push(moduleRecord(info.main, packageDb));
  }
  for (const dep of info.deps) {
    if (dep.path === '') continue;
    out.push(moduleRecord(dep, packageDb));
  }
  return out;
}

/** The toolchain version as the standard library's version. */
export function stdlibVersion(info: GoBuildInfo): string {
  return info.goVersion.replace(/ X:\S*$/, '');
}

function moduleRecord(mod: GoModule, packageDb: string): PackageRecord {
  const r = mod.replace;
  if (r === undefined) return record(mod.path, mod.version, packageDb);

  if (r.version === '') return record(mod.path, DEVEL_VERSION, packageDb);
  return record(r.path, r.version, packageDb, {
    name: mod.path,
    version: mod.version,
  });
}

function record(
  name: string,
  version: string,
  packageDb: string,
  source?: { name: string; version: string },
): PackageRecord {
  return {
    name,
    version,
    kind: 'binary',
    ...(source !== undefined ? { source } : {}),
    packageDb,
    scheme: GO_SCHEME,
    ecosystem: GO_ECOSYSTEM,
  };
}
