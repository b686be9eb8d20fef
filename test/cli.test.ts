import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { makeTar, makeTarGz } from '../src/testutil/tar.js';
import { FEEDS, SHARED, tempDir } from './helpers.js';

const MINI = `${SHARED}/fixtures/alpine-minirootfs`;
const ALPINE_320 = `${MINI}/alpine-minirootfs-3.20.3-x86_64.tar.gz`;
const DEBIAN = `${SHARED}/images/debian-bookworm-3layer.oci.tar`;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

interface RunOptions {
  readonly input?: string;
  readonly cache?: string;
  readonly env?: Readonly<Record<string, string>>;
}

const tmp = tempDir('claro-cli-');
const cache = join(tmp.dir, 'cache');
const db = join(cache, 'claro.db');

/** Runs `claro ARGS` as a child process, from the project root. */
function claro(args: readonly string[], opts: RunOptions = {}): Promise<Run> {
  const env = { ...process.env, CLARO_CACHE_DIR: opts.cache ?? cache };
  delete env['CLARO_FEEDS'];
  delete env['CLARO_DEBUG'];
  delete env['CLARO_INFLATE'];
  Object.assign(env, opts.env);
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', ...args],
    { cwd: process.cwd(), env, stdio: 'pipe' },
  );
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  child.stdin.end(opts.input ?? '');
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
  });
}

/**
 * Parsed JSON output; the tests check it field by field, so `any` stands
 * for "whatever claro printed" and each assertion pins the shape.
 */
type Json = Record<string, any>;

/** Scans with `--format json` and parses the report. */
async function scanJson(path: string): Promise<Json> {
  const r = await claro(['scan', path, '--format', 'json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Json;
}

function sha256(body: Buffer): string {
  return `sha256:${createHash('sha256').update(body).digest('hex')}`;
}

/** A failure reads as one "claro: Cannot ..." line with these parts. */
function assertOneLine(r: Run, exit: number, parts: readonly string[]) {
  assert.equal(r.code, exit, r.stderr);
  assert.equal(r.stdout, '');
  const lines = r.stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /^claro: Cannot /);
  for (const part of parts) {
    assert.ok(lines[0]!.includes(part), `${lines[0]} says ${part}`);
  }
  assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
}

/**
 * Writes an OCI image layout (OCI image spec, "image-layout") holding
 * the given gzip-compressed layers in order, with true sha256 digests.
 */
function writeOciLayout(dir: string, layers: readonly Buffer[]): string[] {
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  const blob = (body: Buffer, mediaType: string) => {
    const digest = sha256(body);
    writeFileSync(join(dir, 'blobs', digest.replace(':', '/')), body);
    return { mediaType, digest, size: body.length };
  };
  const layerDescs = layers.map((l) =>
    blob(l, 'application/vnd.oci.image.layer.v1.tar+gzip'),
  );
  const config = {
    architecture: 'amd64',
    os: 'linux',
    rootfs: {
      type: 'layers',
      diff_ids: layers.map((l) => sha256(gunzipSync(l))),
    },
  };
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: blob(
      Buffer.from(JSON.stringify(config)),
      'application/vnd.oci.image.config.v1+json',
    ),
    layers: layerDescs,
  };
  const index = {
    schemaVersion: 2,
    manifests: [
      blob(Buffer.from(JSON.stringify(manifest)), manifest.mediaType),
    ],
  };
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  writeFileSync(join(dir, 'index.json'), JSON.stringify(index));
  return layerDescs.map((d) => d.digest);
}

// One store for the rest of the file, loaded once by `claro update`.
before(async () => {
  const r = await claro(['update', '--feeds', FEEDS]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /^alpine-secdb-v3\.20-main: updated \(\d+ records\)$/m,
  );
  // The mirror holds no Debian tracker JSON: skipped, saying why.
  assert.match(r.stdout, /^debian-tracker: skipped \(the feed is absent\)$/m);
  assert.ok(existsSync(db));
});
after(() => tmp.remove());

describe('claro on an empty store', () => {
  it('loads the vulnerability data itself on the first scan', async () => {
    const empty = join(tmp.dir, 'empty-cache');
    const r = await claro(['scan', ALPINE_320, '--feeds', FEEDS], {
      cache: empty,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stderr,
      `claro: no vulnerability data yet, loading it from the mirror ${FEEDS}\n`,
    );
    assert.match(r.stdout, /busybox\s+1\.36\.1-r29\s+CVE-2024-58251/);
    assert.ok(existsSync(join(empty, 'claro.db')));

    const again = await claro(['scan', ALPINE_320, '--feeds', FEEDS], {
      cache: empty,
    });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stderr, '', 'loaded only once');
    assert.equal(again.stdout, r.stdout);
  });
});

describe('claro scan --format json', { concurrency: true }, () => {
  it('prints an Alpine scan as a Clair v4 VulnerabilityReport', async () => {
    const r = await scanJson(ALPINE_320);
    const digest = sha256(readFileSync(ALPINE_320));
    assert.deepEqual(Object.keys(r), [
      'manifest_hash',
      'packages',
      'distributions',
      'repository',
      'environments',
      'vulnerabilities',
      'package_vulnerabilities',
      'enrichments',
      'lower_layers_only',
      'notices',
    ]);
    assert.deepEqual(Object.keys(r['lower_layers_only']), [
      'packages',
      'environments',
      'package_vulnerabilities',
    ]);
    assert.equal(r['manifest_hash'], digest);
    assert.deepEqual([r['repository'], r['enrichments']], [{}, {}]);
    assert.deepEqual(r['notices'], []);
    const dists = Object.values(r['distributions']) as any[];
    assert.deepEqual(
      dists.map((d) => [d.did, d.version_id]),
      [['alpine', '3.20']],
    );
    const envs = Object.values(r['environments']).flat() as any[];
    assert.equal(envs.length, 14);
    for (const e of envs) assert.equal(e.introduced_in, digest);

    const pkgs = r['packages'] as Record<string, any>;
    const busybox = Object.values(pkgs).find((p) => p.name === 'busybox');
    const ids = r['package_vulnerabilities'][busybox.id] as string[];
    const vulns = ids.map((id) => r['vulnerabilities'][id]);
    assert.deepEqual(
      vulns
        .map((v) => [v.name, v.fixed_in_version, v.normalized_severity])
        .sort(),
      [
        ['CVE-2024-58251', '1.36.1-r31', 'Unknown'],
        ['CVE-2025-46394', '1.36.1-r31', 'Unknown'],
      ],
    );
  });

  it('prints purged openssl of the Debian image in lower_layers_only', async () => {
    const r = await scanJson(DEBIAN);
    const lower = r['lower_layers_only'];
    const names = Object.values(lower.packages).map((p: any) => p.name);
    assert.deepEqual(names, ['openssl']);
    const installed = Object.values(r['packages']).map((p: any) => p.name);
    assert.ok(!installed.includes('openssl'));
    assert.deepEqual(
      (r['notices'] as any[]).map((n) => n.code),
      ['no-vulnerability-data'],
    );
    assert.match(r['notices'][0].message, /debian 12 \(bookworm\)/);
  });
});

describe('claro scan --exit-code', { concurrency: true }, () => {
  const cases: [string, string[], number][] = [
    ['Alpine findings are counted', [], 3],
    ['no CRITICAL in secdb (all Unknown)', ['--severity', 'CRITICAL'], 0],
    ['UNKNOWN selected explicitly', ['--severity', 'unknown,high'], 3],
  ];
  for (const [name, flags, exit] of cases) {
    it(`exits ${exit}: ${name}`, async () => {
      const r = await claro(['scan', ALPINE_320, '--exit-code', '3', ...flags]);
      assert.equal(r.code, exit, r.stderr);
      assert.equal(r.stderr, '');
    });
  }

  it('counts lower-layers-only findings with --count-lower-layers', async () => {
    const dir = join(tmp.dir, 'apk-removed');
    const whiteout = await makeTarGz([{ name: 'lib/apk/db/.wh.installed' }]);
    const digests = writeOciLayout(dir, [readFileSync(ALPINE_320), whiteout]);
    const json = await scanJson(dir);
    assert.deepEqual(json['packages'], {});
    const lower = json['lower_layers_only'];
    assert.equal(Object.keys(lower.packages).length, 14);
    for (const envs of Object.values(lower.environments) as any[][]) {
      assert.equal(envs[0].introduced_in, digests[0]);
      assert.equal(envs[0].removed_in, digests[1]);
    }
    assert.ok(Object.keys(lower.package_vulnerabilities).length > 0);

    const base = ['scan', dir, '--exit-code', '3'];
    const plain = await claro(base);
    assert.equal(plain.code, 0, plain.stderr);
    const counted = await claro([...base, '--count-lower-layers']);
    assert.equal(counted.code, 3, counted.stderr);
  });
});

/** Writes a layout whose index.json names a manifest blob that is absent. */
function layoutMissingManifest(dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  const digest = sha256(Buffer.from('no such manifest'));
  const manifests = [
    {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest,
      size: 16,
    },
  ];
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({ schemaVersion: 2, manifests }),
  );
  return digest;
}

/**
 * Writes a valid one-layer layout, then deletes the layer's blob. The
 * layer is new to the store: an indexed layer is reused without reading.
 */
async function layoutMissingLayer(dir: string): Promise<string> {
  const body = `ID=alpine\nVERSION_ID=3.20.3\n# ${dir}\n`;
  const layer = await makeTarGz([{ name: 'etc/os-release', body }]);
  const [digest] = writeOciLayout(dir, [layer]);
  rmSync(join(dir, 'blobs', digest!.replace(':', '/')));
  return digest!;
}

describe('claro on bad input', { concurrency: true }, () => {
  const bad = join(tmp.dir, 'bad');
  mkdirSync(bad, { recursive: true });
  const absent = join(bad, 'absent.tar');
  const notImage = join(bad, 'notes.txt');
  writeFileSync(notImage, 'not an image\n');
  const truncated = join(bad, 'truncated.tar.gz');
  const mini = readFileSync(ALPINE_320);
  writeFileSync(truncated, mini.subarray(0, mini.length >> 1));
  const malformed = join(bad, 'malformed-index');
  mkdirSync(malformed);
  writeFileSync(join(malformed, 'oci-layout'), '{}');
  writeFileSync(join(malformed, 'index.json'), '{"manifests": [');
  const noManifest = join(bad, 'missing-manifest');
  const manifest = layoutMissingManifest(noManifest);
  const noLayer = join(bad, 'missing-layer');

  const cases: [string, string[], number, string[]][] = [
    ['a missing path', ['scan', absent], 66, [absent]],
    ['a file that is not an image', ['scan', notImage], 65, [notImage]],
    ['a truncated .tar.gz', ['scan', truncated], 65, [truncated]],
    [
      'a malformed index.json',
      ['scan', malformed],
      65,
      [malformed, 'index.json is not valid JSON'],
    ],
    [
      'a missing manifest blob',
      ['scan', noManifest],
      65,
      [noManifest, `blob ${manifest} is missing`],
    ],
    [
      'an unknown --severity word',
      ['scan', ALPINE_320, '--severity', 'HIGH,SEVERE'],
      64,
      ['"SEVERE"'],
    ],
  ];
  for (const [name, args, exit, parts] of cases) {
    it(`exits ${exit} with one line for ${name}`, async () => {
      assertOneLine(await claro(args), exit, parts);
    });
  }

  it('exits 65 with one line for a missing layer blob', async () => {
    const layer = await layoutMissingLayer(noLayer);
    const r = await claro(['scan', noLayer]);
    assertOneLine(r, 65, [noLayer, `blob ${layer} is missing`]);
  });

  it('exits 64 naming the command when the parser refuses the line', async () => {
    const cases: [string[], string][] = [
      [['scan', ALPINE_320, '--format', 'xml'], "claro scan: option '--format"],
      [['scan', ALPINE_320, '--bogus'], "claro scan: unknown option '--bogus'"],
      [['scan'], "claro scan: missing required argument 'image'"],
      [['scan', ALPINE_320, '--exit-code', '300'], 'claro scan: option'],
      [['scan', ALPINE_320, '--exit-code', '0x10'], 'claro scan: option'],
      [['scan', ALPINE_320, '--exit-code', ''], 'claro scan: option'],
      [['versions', 'compare'], 'claro versions compare: required option'],
      [['bogus'], "claro: unknown command 'bogus'"],
    ];
    for (const [args, first] of cases) {
      const r = await claro(args);
      assert.equal(r.code, 64, `${args.join(' ')}: ${r.stderr}`);
      assert.ok(r.stderr.startsWith(first), r.stderr);
    }
    const help = await claro(['scan', '--help']);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /^Usage: claro scan/);
  });

  it('exits 64 for bad settings before reading the image, even a stored one', async () => {
    // The Alpine layers are already in the store: nothing would inflate.
    assert.equal((await claro(['scan', ALPINE_320])).code, 0);
    const inflater = await claro(['scan', ALPINE_320], {
      env: { CLARO_INFLATE: 'pigz' },
    });
    assertOneLine(inflater, 64, ['CLARO_INFLATE=pigz names none']);
    const size = await claro(['scan', ALPINE_320, '--cache-max-size', '12Q']);
    assertOneLine(size, 64, ['"12Q"']);
  });

  it('exits 64 with one line for an unknown version scheme', async () => {
    const r = await claro(['versions', 'compare', '--scheme', 'nope'], {
      input: '1 2\n',
    });
    assertOneLine(r, 64, ['"nope"']);
  });
});

describe('claro versions compare', { concurrency: true }, () => {
  it('prints <, > or = per dpkg pair', async () => {
    const r = await claro(['versions', 'compare', '--scheme', 'dpkg'], {
      input: '1.0 1.0-1\n2:1 1:9\n1.0 1.0\n',
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '<\n>\n=\n');
  });

  it('prints invalid for an unparsable version and exits non-zero', async () => {
    const r = await claro(['versions', 'compare', '--scheme', 'dpkg'], {
      input: '1.0 a:1\n1.0 1.0\n',
    });
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout, 'invalid\n=\n');
  });
});

describe('claro scan of a tar with unsafe entry names', () => {
  it('writes nothing outside and reports each skipped entry', async () => {
    const outer = join(tmp.dir, 'outer');
    const inner = join(outer, 'inner');
    mkdirSync(inner, { recursive: true });
    const tar = join(inner, 'evil.tar');
    const entries = [
      { name: '../evil', body: 'climbs out\n' },
      { name: '/abs', body: 'absolute\n' },
      { name: 'etc/os-release', body: 'ID=alpine\nVERSION_ID=3.20.3\n' },
    ];
    writeFileSync(tar, await makeTar(entries));
    const parent = dirname(tmp.dir);
    const before = readdirSync(parent).filter((n) => n.includes('evil'));

    const r = await claro(['scan', tar, '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);

    assert.deepEqual(readdirSync(outer), ['inner']);
    assert.deepEqual(readdirSync(inner), ['evil.tar']);
    assert.deepEqual(
      readdirSync(parent).filter((n) => n.includes('evil')),
      before,
    );
    assert.ok(!existsSync('/abs'));
    assert.ok(!existsSync(join(process.cwd(), '..', 'evil')));
    const skipped = (JSON.parse(r.stdout) as Json)['notices']
      .filter((n: Json) => n['code'] === 'skipped-entry')
      .map((n: Json) => n['path']);
    assert.deepEqual(skipped.sort(), ['../evil', '/abs']);
  });
});
