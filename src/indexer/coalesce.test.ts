import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LayerRecord } from '../layer/record.js';
import { coalesce, type IndexedLayer } from './coalesce.js';
import type {
  OwnershipFinding,
  PackageFinding,
  PackageRecord,
} from './types.js';

const SITE = 'usr/lib/python3/dist-packages';
const SIX = `${SITE}/six-1.16.0.dist-info/METADATA`;
const LIST = 'var/lib/dpkg/info/python3-six.list';

function six(path = SIX): PackageRecord {
  return {
    name: 'six',
    version: '1.16.0',
    kind: 'binary',
    packageDb: path,
    scheme: 'pep440',
    ecosystem: 'PyPI',
  };
}

/** One layer: the paths it holds, what it removes, what scanners found. */
function layer(
  digest: string,
  holds: {
    packages?: PackageFinding[];
    owned?: OwnershipFinding[];
    paths?: string[];
    whiteouts?: string[];
    replaced?: string[];
  },
): IndexedLayer {
  const found = [
    ...(holds.packages ?? []).map((f) => f.path),
    ...(holds.owned ?? []).map((f) => f.path),
  ];
  const record: LayerRecord = {
    whiteouts: holds.whiteouts ?? [],
    opaqueDirs: [],
    replaced: holds.replaced ?? [],
    paths: [...new Set([...found, ...(holds.paths ?? [])])].sort(),
    notices: [],
  };
  const result = {
    packages: holds.packages ?? [],
    distributions: [],
    notices: [],
    ...(holds.owned ? { owned: holds.owned } : {}),
  };
  return { digest, record, results: [result] };
}

const listing = (path: string, name: string, files: string[]) => ({
  path,
  owners: [{ name, files }],
});

describe('coalesce, language packages', () => {
  it('marks a language package an OS file list names as owned', () => {
    const c = coalesce([
      layer('sha256:a', {
        packages: [{ path: SIX, packages: [six()] }],
        owned: [listing(LIST, 'python3-six', [SIX])],
      }),
    ]);
    const [pkg] = Object.values(c.installed.packages);
    assert.deepEqual(pkg?.ownedBy, { name: 'python3-six', listedIn: LIST });
  });

  it('follows the owning list across layers, and its removal', () => {
    const base = layer('sha256:a', {
      packages: [{ path: SIX, packages: [six()] }],
      owned: [listing(LIST, 'python3-six', [SIX])],
    });
    const kept = layer('sha256:b', { paths: ['etc/x'] });
    const dropped = layer('sha256:c', { whiteouts: [LIST] });
    const owner = (layers: IndexedLayer[]) =>
      Object.values(coalesce(layers).installed.packages)[0]?.ownedBy;
    assert.equal(owner([base, kept])?.name, 'python3-six');
    assert.equal(owner([base, kept, dropped]), undefined);
  });

  it('uses the top version of a list, which may no longer name it', () => {
    const c = coalesce([
      layer('sha256:a', {
        packages: [{ path: SIX, packages: [six()] }],
        owned: [listing(LIST, 'python3-six', [SIX])],
      }),
      layer('sha256:b', { paths: [LIST] }),
    ]);
    const [pkg] = Object.values(c.installed.packages);
    assert.equal(pkg?.ownedBy, undefined);
  });

  it('matches /bin and /usr/bin of merged-/usr systems', () => {
    const app: PackageRecord = {
      name: 'stdlib',
      version: '1.21.0',
      kind: 'binary',
      packageDb: 'usr/bin/app',
      scheme: 'go',
      ecosystem: 'Go',
    };
    const c = coalesce([
      layer('sha256:a', {
        packages: [{ path: 'usr/bin/app', packages: [app] }],
        owned: [listing('var/lib/dpkg/info/app.list', 'app', ['usr/bin/app'])],
      }),
    ]);
    assert.equal(Object.values(c.installed.packages)[0]?.ownedBy?.name, 'app');
  });

  it('never marks an OS package', () => {
    const bash: PackageRecord = {
      name: 'bash',
      version: '5.2',
      kind: 'binary',
      packageDb: 'var/lib/dpkg/status',
      scheme: 'dpkg',
    };
    const c = coalesce([
      layer('sha256:a', {
        packages: [{ path: 'var/lib/dpkg/status', packages: [bash] }],
        owned: [listing(LIST, 'x', ['var/lib/dpkg/status'])],
      }),
    ]);
    assert.equal(Object.values(c.installed.packages)[0]?.ownedBy, undefined);
  });

  it('moves a package whose metadata folder is whited out to lower layers', () => {
    const c = coalesce([
      layer('sha256:a', {
        packages: [{ path: SIX, packages: [six()] }],
        owned: [listing(LIST, 'python3-six', [SIX])],
      }),
      layer('sha256:b', {
        whiteouts: [`${SITE}/six-1.16.0.dist-info`, LIST],
      }),
    ]);
    assert.deepEqual(c.installed.packages, {});
    const [id, pkg] = Object.entries(c.lowerLayersOnly.packages)[0]!;
    assert.equal(pkg.ownedBy?.name, 'python3-six');
    assert.deepEqual(c.lowerLayersOnly.environments[id], [
      {
        packageDb: SIX,
        introducedIn: 'sha256:a',
        distributionId: '',
        removedIn: 'sha256:b',
      },
    ]);
  });

  it('hides packages below a folder replaced by a link', () => {
    const c = coalesce([
      layer('sha256:a', { packages: [{ path: SIX, packages: [six()] }] }),
      layer('sha256:b', { replaced: [SITE] }),
    ]);
    assert.deepEqual(c.installed.packages, {});
    assert.equal(Object.keys(c.lowerLayersOnly.packages).length, 1);
  });

  it('takes an upgraded package from the layer that rewrote it', () => {
    const upgraded = `${SITE}/six-1.17.0.dist-info/METADATA`;
    const c = coalesce([
      layer('sha256:a', { packages: [{ path: SIX, packages: [six()] }] }),
      layer('sha256:b', {
        packages: [
          {
            path: upgraded,
            packages: [{ ...six(upgraded), version: '1.17.0' }],
          },
        ],
        whiteouts: [`${SITE}/six-1.16.0.dist-info`],
      }),
    ]);
    assert.deepEqual(
      Object.values(c.installed.packages).map((p) => p.version),
      ['1.17.0'],
    );
    assert.deepEqual(
      Object.values(c.lowerLayersOnly.packages).map((p) => p.version),
      ['1.16.0'],
    );
  });
});
