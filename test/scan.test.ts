import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { apkScheme } from '../src/apk/version.js';
import type { Store } from '../src/store/store.js';
import {
  SHARED,
  loadedStore,
  scanImage,
  tempDir,
  vulnsByPackage,
} from './helpers.js';

const DEBIAN = `${SHARED}/images/debian-bookworm-3layer.oci.tar`;
const MINI = `${SHARED}/fixtures/alpine-minirootfs`;
const ALPINE_320 = `${MINI}/alpine-minirootfs-3.20.3-x86_64.tar.gz`;
const ALPINE_313 = `${MINI}/alpine-minirootfs-3.13.12-x86_64.tar.gz`;
const ALPINE_311 = `${SHARED}/fixtures/trivy-docker-archive/alpine-311.tar.gz`;
const WHEEZY = `${SHARED}/fixtures/clair-v2/DistUpgrade/wheezy.tar.gz`;
const BUSYBOX = `${SHARED}/fixtures/busybox-oci/busybox-latest-musl-amd64`;

const LAYERS = [
  'sha256:76bbf2f86bdf0ca41e1bb6d4bdb6621e8f4d52665fcd485b5e2740cac146c103',
  'sha256:fc87fd10fc9e7a9023d1fcd39a35e599bccf3a20f61cf49a8823f2b8a3fc0c17',
  'sha256:37612f90841892ac5e48218423bcae2498ea7503aca8df9535541cfda156a062',
];

const tmp = tempDir('claro-scan-');
let store: Store;
before(async () => {
  store = await loadedStore(tmp.dir);
});
after(async () => {
  await store.close();
  tmp.remove();
});

describe('scanning the three-layer Debian 12 image', () => {
  it('reports debian 12 and each package with its layer', async () => {
    const r = await scanImage(DEBIAN, store);
    const dist = Object.values(r.index.distributions);
    assert.deepEqual(
      dist.map((d) => [d.did, d.versionId, d.versionCodeName]),
      [['debian', '12', 'bookworm']],
    );
    const pkgs = Object.values(r.index.packages);
    assert.equal(pkgs.length, 89);
    const layerOf = (name: string) => {
      const p = pkgs.find((x) => x.name === name)!;
      return r.index.environments[p.id]![0]!.introducedIn;
    };
    assert.equal(layerOf('libc6'), LAYERS[0]);
    assert.equal(layerOf('libssl3'), LAYERS[1]);
    for (const p of pkgs) {
      assert.ok(LAYERS.includes(layerOf(p.name)), p.name);
    }
  });

  it('keeps purged openssl apart, in the lower-layers-only set', async () => {
    const r = await scanImage(DEBIAN, store);
    const names = (ps: object) => Object.values(ps).map((p) => p.name);
    assert.ok(!names(r.index.packages).includes('openssl'));
    assert.ok(names(r.index.packages).includes('libssl3'));
    const lower = r.index.lowerLayersOnly;
    assert.deepEqual(names(lower.packages), ['openssl']);
    const [env] = Object.values(lower.environments)[0]!;
    assert.equal(env!.introducedIn, LAYERS[1]);
    assert.equal(env!.removedIn, LAYERS[2]);
  });

  it('says that no data exists for bookworm instead of "clean"', async () => {
    const r = await scanImage(DEBIAN, store);
    assert.deepEqual(r.packageVulnerabilities, {});
    const missing = r.notices.filter((n) => n.code === 'no-vulnerability-data');
    assert.equal(missing.length, 1);
    assert.match(missing[0]!.message, /debian 12 \(bookworm\)/);
  });

  it('does not scan an indexed layer again', async () => {
    const first = await scanImage(DEBIAN, store);
    const again = await scanImage(DEBIAN, store);
    assert.equal(again.scanned, 0);
    assert.equal(again.reused, 3);
    assert.deepEqual(again.index, first.index);
  });
});

describe('scanning Alpine root filesystems against secdb', () => {
  it('finds the v3.20 CVEs fixed after the installed versions', async () => {
    const r = await scanImage(ALPINE_320, store);
    const d = Object.values(r.index.distributions)[0]!;
    assert.deepEqual([d.did, d.versionId], ['alpine', '3.20']);
    const byPkg = vulnsByPackage(r);
    // busybox 1.36.1-r29: fixed in r31, not CVE-2023-42364 (fixed in r29).
    assert.deepEqual(byPkg['busybox'], ['CVE-2024-58251', 'CVE-2025-46394']);
    // musl 1.2.5-r0: every v3.20 musl fix is later.
    assert.deepEqual(byPkg['musl'], [
      'CVE-2025-26519',
      'CVE-2026-40200',
      'CVE-2026-6042',
    ]);
    // libcrypto3 answers to its origin openssl (3.3.2-r0).
    const crypto = byPkg['libcrypto3']!;
    assert.ok(crypto.includes('CVE-2024-9143'));
    assert.ok(crypto.includes('CVE-2024-13176'));
    assert.ok(!crypto.includes('CVE-2024-6119'), 'fixed in 3.3.2-r0');
    assert.ok(!crypto.includes('CVE-2022-1292'), 'secfixes key 0');
    assert.deepEqual(byPkg['libssl3'], crypto);
    assert.equal(byPkg['zlib'], undefined, 'only key-0 and older fixes');
  });

  it('reports no v3.11 CVE fixed at or before the installed version', async () => {
    const r = await scanImage(ALPINE_311, store);
    const d = Object.values(r.index.distributions)[0]!;
    assert.deepEqual([d.did, d.versionId], ['alpine', '3.11']);
    let checked = 0;
    for (const [pid, vids] of Object.entries(r.packageVulnerabilities)) {
      const pkg = r.index.packages[pid]!;
      for (const vid of vids) {
        const v = r.vulnerabilities[vid]!;
        if (v.fixedInVersion === '') continue;
        assert.equal(apkScheme.compare(pkg.version, v.fixedInVersion), -1);
        checked++;
      }
    }
    // Fixed exactly at the installed versions: openssl 1.1.1d-r3, musl
    // 1.1.24-r2 is past 1.1.23-r2; the feed has nothing newer for these.
    const all = Object.values(r.vulnerabilities).map((v) => v.name);
    assert.ok(!all.includes('CVE-2019-1551'));
    assert.ok(!all.includes('CVE-2019-14697'));
    assert.equal(checked, all.length);
    assert.equal(Object.keys(r.index.packages).length, 14);
    assert.ok(!r.notices.some((n) => n.code === 'no-vulnerability-data'));
  });

  it('detects 3.13 and says so plainly for busybox', async () => {
    const r313 = await scanImage(ALPINE_313, store);
    const d = Object.values(r313.index.distributions)[0]!;
    assert.deepEqual([d.did, d.versionId], ['alpine', '3.13']);

    const bb = await scanImage(BUSYBOX, store);
    assert.deepEqual(bb.index.distributions, {});
    assert.ok(bb.notices.some((n) => n.code === 'no-distribution'));
  });
});

describe('scanning the Debian 7 layer against the DSA and DLA lists', () => {
  it('names vulnerabilities per CVE, linked to their advisory', async () => {
    const r = await scanImage(WHEEZY, store);
    const d = Object.values(r.index.distributions)[0]!;
    assert.deepEqual([d.versionId, d.versionCodeName], ['7', 'wheezy']);
    const vulns = Object.values(r.vulnerabilities);
    const dpkg = vulns.find((v) => v.name === 'CVE-2015-0860')!;
    // DSA-3407-1: [wheezy] - dpkg 1.16.17; the layer has 1.16.16.
    assert.equal(dpkg.fixedInVersion, '1.16.17');
    assert.match(dpkg.links, /tracker\/DSA-3407-1/);
    // DSA-3480-1 lists seven CVEs for eglibc 2.13-38+deb7u10.
    const glibc = vulns.filter((v) => v.links.includes('DSA-3480-1'));
    assert.equal(glibc.length, 7);
    // DLA-680-2 lists no CVE: it is named by its own id.
    const bash = vulns.find((v) => v.name === 'DLA-680-2')!;
    assert.equal(bash.fixedInVersion, '4.2+dfsg-0.1+deb7u4');
    const names = vulns.map((v) => v.name);
    assert.equal(new Set(names).size, names.length, 'one per CVE');
  });
});
