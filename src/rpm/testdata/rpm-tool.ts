/**
 * Debian's rpm as a test oracle: `rpm -qa` on copies of databases (rpm
 * writes into the folder it is pointed at) and rpmbuild for real
 * packages. scripts/setup.sh installs it; CI must have it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * True when `rpm` runs; otherwise fails the test on CI and skips it
 * elsewhere, saying why.
 */
export function haveRpm(t: { skip(message: string): void }): boolean {
  const probe = spawnSync('rpm', ['--version']);
  if (probe.status === 0) return true;

  const message = 'rpm is not installed: cannot check against real rpm';
  if (process.env['CI'] === 'true') assert.fail(message);
  t.skip(message);
  return false;
}

/** What `rpm -qa` says of one package, fields as rpm prints them. */
export interface RpmQueryRow {
  readonly name: string;
  /** `(none)` when the package has no epoch. */
  readonly epoch: string;
  readonly version: string;
  readonly release: string;
  /** `(none)` for gpg-pubkey entries. */
  readonly arch: string;
  readonly sourceRpm: string;
}

const QUERY_FORMAT =
  '%{NAME}\\t%{EPOCH}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\t%{SOURCERPM}\\n';

/**
 * `rpm --dbpath <copy> -qa` over a copy of `file`, placed in a fresh
 * folder under the name rpm expects for its format, rows sorted.
 */
export function rpmQueryAll(file: string, dbName: string): RpmQueryRow[] {
  const dir = mkdtempSync(join(tmpdir(), 'claro-rpmdb-'));
  try {
    cpSync(file, join(dir, dbName));
    const out = run(['rpm', '--dbpath', dir, '-qa', '--qf', QUERY_FORMAT]);
    return out
      .split('\n')
      .filter((line) => line !== '')
      .map(queryRow)
      .sort(byFields);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function queryRow(line: string): RpmQueryRow {
  const [name, epoch, version, release, arch, sourceRpm] = line.split('\t');
  return {
    name: name ?? '',
    epoch: epoch ?? '',
    version: version ?? '',
    release: release ?? '',
    arch: arch ?? '',
    sourceRpm: sourceRpm ?? '',
  };
}

/** Orders rows by every field, for comparisons. */
export function byFields(a: RpmQueryRow, b: RpmQueryRow): number {
  const ka = Object.values(a).join('\t');
  const kb = Object.values(b).join('\t');
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** A package for {@link buildRpmDatabase}: spec preamble and files. */
export interface SpecPackage {
  /** Spec preamble lines: `Name: x`, `Version: 1`, `Epoch: 2`... */
  readonly preamble: readonly string[];
  /** Files to create, absolute paths; content is the path itself. */
  readonly files: readonly string[];
  /** Symbolic links to create: path → target. */
  readonly links?: Readonly<Record<string, string>>;
}

/**
 * Builds each package with rpmbuild and records them all, with
 * `rpm --justdb`, in a new SQLite database; returns its bytes.
 */
export function buildRpmDatabase(packages: readonly SpecPackage[]): Buffer {
  const top = mkdtempSync(join(tmpdir(), 'claro-rpmbuild-'));
  try {
    const rpms = packages.map((pkg, i) => buildPackage(top, pkg, i));
    const db = join(top, 'db');
    mkdirSync(db);
    run(['rpm', '--dbpath', db, '--initdb']);
    run(['rpm', '--dbpath', db, '-i', ...JUST_DB, ...rpms]);
    return readFileSync(join(db, 'rpmdb.sqlite'));
  } finally {
    rmSync(top, { recursive: true, force: true });
  }
}

/** Records packages without running scriptlets or checking anything. */
const JUST_DB = [
  '--justdb',
  '--nodeps',
  '--noscripts',
  '--ignorearch',
  '--ignoreos',
];

function buildPackage(top: string, pkg: SpecPackage, i: number): string {
  const install = [
    ...pkg.files.map(
      (f) =>
        `mkdir -p "%{buildroot}$(dirname '${f}')" && ` +
        `echo '${f}' > "%{buildroot}${f}" && chmod 755 "%{buildroot}${f}"`,
    ),
    ...Object.entries(pkg.links ?? {}).map(
      ([path, target]) =>
        `mkdir -p "%{buildroot}$(dirname '${path}')" && ` +
        `ln -s '${target}' "%{buildroot}${path}"`,
    ),
  ];
  const listed = [...pkg.files, ...Object.keys(pkg.links ?? {})];
  const spec = [
    ...pkg.preamble,
    'Summary: claro test package',
    'License: MIT',
    'BuildArch: noarch',
    '%description',
    'claro test package',
    '%install',
    ...install,
    '%files',
    ...listed,
    '',
  ].join('\n');
  const specFile = join(top, `p${i}.spec`);
  writeFileSync(specFile, spec);
  const out = run([
    'rpmbuild',
    '--define',
    `_topdir ${top}/top${i}`,
    '--define',
    '_build_id_links none',
    '-bb',
    specFile,
  ]);
  const wrote = /Wrote: (\S+\.rpm)/.exec(out);
  assert.ok(wrote?.[1], out);
  return wrote[1];
}

function run(argv: readonly string[]): string {
  const [command, ...args] = argv;
  const result = spawnSync(command ?? '', args, { encoding: 'utf8' });
  assert.equal(result.status, 0, `${argv.join(' ')}: ${result.stderr}`);
  return result.stdout;
}
