import type { IndexedPackage, IndexReport } from '../../indexer/report.js';

/** A Debian-style package: binary `name` built from source `source`. */
export function debPackage(
  id: string,
  name: string,
  source: string | undefined,
  extra: Partial<IndexedPackage> = {},
): IndexedPackage {
  return {
    id,
    name,
    version: '3.0.11-1~deb12u2',
    kind: 'binary',
    ...(source === undefined
      ? {}
      : { source: { name: source, version: '3.0.11-1~deb12u2' } }),
    packageDb: 'var/lib/dpkg/status',
    arch: 'amd64',
    scheme: 'dpkg',
    ...extra,
  };
}

/**
 * A Debian 12 report as the indexer makes one: two layers, installed
 * packages (one without source, one without arch), lower-layers-only
 * packages with the layer that removed them, a notice and an index state.
 */
export function debianReport(manifest: string): IndexReport {
  const env = (introducedIn: string, removedIn?: string) => ({
    packageDb: 'var/lib/dpkg/status',
    introducedIn,
    distributionId: '1',
    ...(removedIn === undefined ? {} : { removedIn }),
  });
  return {
    manifestHash: manifest,
    state: 'IndexFinished',
    packages: {
      '1': debPackage('1', 'libssl3', 'openssl'),
      '2': debPackage('2', 'base-files', undefined, { version: '12.4' }),
      '3': debPackage('3', 'tzdata', 'tzdata', { arch: '' }),
      '4': debPackage('4', 'libc6', 'glibc', { version: '2.36-9+deb12u4' }),
    },
    environments: {
      '1': [env('sha256:l2')],
      '2': [env('sha256:l1')],
      '3': [env('sha256:l1'), { ...env('sha256:l2'), packageDb: 'other' }],
      '4': [env('sha256:l1')],
    },
    distributions: {
      '1': {
        id: '1',
        did: 'debian',
        name: 'Debian GNU/Linux',
        versionId: '12',
        version: '12 (bookworm)',
        versionCodeName: 'bookworm',
        prettyName: 'Debian GNU/Linux 12 (bookworm)',
        cpe: 'cpe:/o:debian:debian_linux:12',
      },
    },
    lowerLayersOnly: {
      packages: {
        '5': debPackage('5', 'curl', 'curl', { version: '7.88.1-10' }),
        '6': debPackage('6', 'libcurl4', 'curl', { version: '7.88.1-10' }),
      },
      environments: {
        '5': [env('sha256:l1', 'sha256:l2')],
        '6': [env('sha256:l1', 'sha256:l2')],
      },
    },
    layers: ['sha256:l1', 'sha256:l2'],
    notices: [
      {
        code: 'skipped-file',
        message: 'Cannot read usr/share/doc/x: too large',
        layer: 'sha256:l2',
        path: 'usr/share/doc/x',
      },
    ],
    success: true,
    err: '',
    indexState: 'claro/1:abc',
  };
}

/** A report of an index that failed: no packages, the error kept. */
export function failedReport(manifest: string): IndexReport {
  return {
    manifestHash: manifest,
    state: 'IndexError',
    packages: {},
    environments: {},
    distributions: {},
    lowerLayersOnly: { packages: {}, environments: {} },
    layers: ['sha256:l1'],
    notices: [],
    success: false,
    err: 'Cannot read layer sha256:l1: unexpected end of file',
  };
}

/** An Alpine report: ssl_client installed, libssl3 in lower layers only. */
export function alpineReport(manifest: string, versionId = '3.20') {
  const pkg = (id: string, name: string, source: string) => ({
    id,
    name,
    version: '1.36.1-r29',
    kind: 'binary' as const,
    source: { name: source, version: '1.36.1-r29' },
    packageDb: 'lib/apk/db/installed',
    arch: 'x86_64',
    scheme: 'apk',
  });
  const env = [
    {
      packageDb: 'lib/apk/db/installed',
      introducedIn: 'sha256:a1',
      distributionId: '1',
    },
  ];
  const report: IndexReport = {
    manifestHash: manifest,
    state: 'IndexFinished',
    packages: { '1': pkg('1', 'ssl_client', 'busybox') },
    environments: { '1': env },
    distributions: {
      '1': {
        id: '1',
        did: 'alpine',
        name: 'Alpine Linux',
        versionId,
        version: `${versionId}.3`,
        versionCodeName: '',
        prettyName: `Alpine Linux v${versionId}`,
      },
    },
    lowerLayersOnly: {
      packages: { '2': pkg('2', 'libssl3', 'openssl') },
      environments: { '2': env },
    },
    layers: ['sha256:a1'],
    notices: [],
    success: true,
    err: '',
  };
  return report;
}
