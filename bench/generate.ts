import { createCipheriv, createHash, type Cipher } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { pack, type Pack } from 'tar-stream';

/** Bump when the generated content changes, so old caches are not used. */
const GENERATOR_VERSION = 1;
const SEED = 'claro-bench-v1';
const KIB = 1024;
const MIB = 1024 * KIB;
/** Share of files filled with text-like, compressible bytes. */
const TEXT_SHARE = 0.15;

const MT_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const MT_CONFIG = 'application/vnd.oci.image.config.v1+json';
const MT_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';

const OS_RELEASE = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
`;

const DPKG_STATUS = [
  'base-files 12.4+deb12u5',
  'libc6 2.36-9+deb12u4',
  'zlib1g 1:1.2.13.dfsg-1',
]
  .map((p) => {
    const [name, version] = p.split(' ');
    return (
      `Package: ${name}\nStatus: install ok installed\nPriority: required\n` +
      `Architecture: amd64\nVersion: ${version}\n` +
      `Description: bench package ${name}\n`
    );
  })
  .join('\n');

/**
 * Generates (once, then reuses) an OCI image layout holding one gzip layer
 * of about `targetBytes` compressed: a Debian os-release and dpkg status,
 * then files of log-uniform sizes (512 B to 4 MiB) whose bytes are mostly
 * an AES-256-CTR keystream of a fixed seed, so gzip cannot shrink them and
 * every run writes the same image. Returns the layout folder.
 */
export async function syntheticImage(
  cacheDir: string,
  targetBytes: number,
): Promise<string> {
  const dir = join(cacheDir, `synthetic-v${GENERATOR_VERSION}-${targetBytes}`);
  if (existsSync(join(dir, 'index.json'))) return dir;

  const tmp = `${dir}.tmp`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(join(tmp, 'blobs', 'sha256'), { recursive: true });
  const layer = await writeLayer(tmp, targetBytes);
  await writeLayout(tmp, layer);
  await rename(tmp, dir);
  return dir;
}

interface LayerBlob {
  readonly digest: string;
  readonly diffId: string;
  readonly size: number;
}

async function writeLayer(dir: string, target: number): Promise<LayerBlob> {
  const tarHash = createHash('sha256');
  const gzHash = createHash('sha256');
  let size = 0;
  const tar = pack();
  const blobTmp = join(dir, 'blobs', 'layer.tmp');
  const done = pipeline(
    tar,
    tap((c) => tarHash.update(c)),
    createGzip(),
    tap((c) => {
      gzHash.update(c);
      size += c.length;
    }),
    createWriteStream(blobTmp),
  );
  await fillLayer(tar, () => size >= target);
  await done;

  const digest = `sha256:${gzHash.digest('hex')}`;
  await rename(blobTmp, blobPath(dir, digest));
  return { digest, diffId: `sha256:${tarHash.digest('hex')}`, size };
}

async function fillLayer(tar: Pack, full: () => boolean): Promise<void> {
  await addFile(tar, 'etc/os-release', Buffer.from(OS_RELEASE));
  await addFile(tar, 'var/lib/dpkg/status', Buffer.from(DPKG_STATUS));
  const gen = new Generator(SEED);
  for (let i = 0; !full(); i++) {
    const name = `usr/share/bench/d${i % 64}/f${i}.bin`;
    await addFile(tar, name, gen.file());
  }
  tar.finalize();
}

/**
 * Adds one entry. The entry's writes wait while the pack's reader lags, so
 * the callback marks the bytes as taken downstream.
 */
async function addFile(tar: Pack, name: string, body: Buffer): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const entry = tar.entry(
      { name, size: body.length, mode: 0o644, mtime: new Date(0) },
      (err) => (err ? reject(err) : resolve()),
    );
    entry.end(body);
  });
}

/** Deterministic file sizes and contents from one seed. */
class Generator {
  private state: number;
  private readonly keystream: Cipher;
  private readonly zeros = Buffer.alloc(4 * MIB);

  constructor(seed: string) {
    const key = createHash('sha256').update(seed).digest();
    this.state = key.readUInt32LE(0);
    this.keystream = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  }

  file(): Buffer {
    const size = Math.round(512 * 2 ** (this.next() * 13));
    if (this.next() < TEXT_SHARE) return this.text(size);
    return this.keystream.update(this.zeros.subarray(0, size));
  }

  private text(size: number): Buffer {
    const lines: string[] = [];
    for (let n = 0, i = 0; n < size; i++) {
      const line = `line ${i} value ${Math.floor(this.next() * 1e6)}\n`;
      lines.push(line);
      n += line.length;
    }
    return Buffer.from(lines.join('')).subarray(0, size);
  }

  /** mulberry32: a uniform float in [0, 1). */
  private next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

/** Config, manifest, index.json and oci-layout (OCI image spec v1.1). */
async function writeLayout(dir: string, layer: LayerBlob): Promise<void> {
  const config = await writeBlob(dir, {
    architecture: 'amd64',
    os: 'linux',
    config: {},
    rootfs: { type: 'layers', diff_ids: [layer.diffId] },
  });
  const manifest = await writeBlob(dir, {
    schemaVersion: 2,
    mediaType: MT_MANIFEST,
    config: { mediaType: MT_CONFIG, ...config },
    layers: [{ mediaType: MT_LAYER, digest: layer.digest, size: layer.size }],
  });
  await writeFile(
    join(dir, 'oci-layout'),
    JSON.stringify({ imageLayoutVersion: '1.0.0' }),
  );
  await writeFile(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ mediaType: MT_MANIFEST, ...manifest }],
    }),
  );
}

async function writeBlob(dir: string, doc: unknown) {
  const body = Buffer.from(JSON.stringify(doc));
  const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
  await writeFile(blobPath(dir, digest), body);
  return { digest, size: body.length };
}

function blobPath(dir: string, digest: string): string {
  return join(dir, 'blobs', ...digest.split(':'));
}

function tap(fn: (chunk: Buffer) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      fn(chunk);
      cb(null, chunk);
    },
  });
}

/** Size in bytes of the largest blob of a layout: its one layer. */
export async function largestBlob(dir: string): Promise<number> {
  const blobs = join(dir, 'blobs', 'sha256');
  let max = 0;
  for (const name of await readdir(blobs)) {
    max = Math.max(max, (await stat(join(blobs, name))).size);
  }
  return max;
}
