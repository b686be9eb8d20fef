import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClaroError, isClaroError } from '../errors.js';
import {
  configDigest,
  platformMiss,
  MEDIA_TYPES,
  chooseEntry,
  documentKind,
  parsePlatform,
  type Descriptor,
} from './descriptors.js';

const digest = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const entry = (n: number, platform?: Descriptor['platform']): Descriptor => ({
  digest: digest(n),
  ...(platform ? { platform } : {}),
});
const fail = (why: string) => new ClaroError('INVALID_IMAGE', why);

describe('chooseEntry', () => {
  const index = [
    entry(1, { os: 'linux', architecture: 'amd64' }),
    entry(2, { os: 'linux', architecture: 'arm', variant: 'v6' }),
    entry(3, { os: 'linux', architecture: 'arm', variant: 'v7' }),
    entry(4, { os: 'linux', architecture: 'arm64', variant: 'v8' }),
    entry(5, { os: 'linux', architecture: 'amd64' }),
    entry(6, { os: 'unknown', architecture: 'unknown' }),
  ];
  const table: [string, number][] = [
    ['linux/amd64', 1],
    ['linux/arm64', 4],
    ['linux/arm64/v8', 4],
    ['linux/aarch64', 4],
    ['linux/arm', 3],
    ['linux/arm/v7', 3],
    ['linux/arm/v6', 2],
    ['linux/x86_64', 1],
  ];
  for (const [text, n] of table) {
    it(`takes entry ${n} for ${text}`, () => {
      const got = chooseEntry(index, parsePlatform(text), {
        where: 'index',
        fail,
      });
      assert.equal(got.digest, digest(n));
    });
  }

  it('takes the only entry when it names no platform', () => {
    const got = chooseEntry([entry(7)], parsePlatform('linux/s390x'), {
      where: 'i',
      fail,
    });
    assert.equal(got.digest, digest(7));
  });

  it('names the platforms there are when none matches', () => {
    assert.throws(
      () =>
        chooseEntry(index.slice(0, 2), parsePlatform('linux/s390x'), {
          where: 'i',
          fail,
          missing: (why) => new ClaroError('NOT_FOUND', why),
        }),
      (err) => {
        assert.ok(isClaroError(err, 'NOT_FOUND'));
        assert.equal(
          err.message,
          'i has no manifest for linux/s390x (it has linux/amd64, linux/arm/v6)',
        );
        return true;
      },
    );
  });
});

describe('parsePlatform', () => {
  it('reads os/arch/variant', () => {
    assert.deepEqual(parsePlatform('linux/arm64/v8'), {
      os: 'linux',
      architecture: 'arm64',
      variant: 'v8',
    });
  });
  for (const bad of ['linux', 'linux/', '/amd64', 'a/b/c/d', 'Linux/AMD64 ']) {
    it(`refuses ${JSON.stringify(bad)}`, () => {
      assert.throws(
        () => parsePlatform(bad),
        (err) => isClaroError(err, 'INVALID_ARGUMENT'),
      );
    });
  }
});

describe('documentKind', () => {
  const table: [string, unknown, string, string][] = [
    ['an OCI index by content type', {}, MEDIA_TYPES.ociIndex, 'index'],
    [
      'a Docker list by its own media type',
      { mediaType: MEDIA_TYPES.dockerList },
      '',
      'index',
    ],
    ['an index by its shape', { manifests: [] }, 'application/json', 'index'],
    ['a Docker manifest', {}, MEDIA_TYPES.dockerManifest, 'manifest'],
    [
      'an OCI manifest with parameters',
      {},
      `${MEDIA_TYPES.ociManifest}; charset=utf-8`,
      'manifest',
    ],
    [
      'schema 1 by content type',
      {},
      MEDIA_TYPES.dockerSchema1Signed,
      'schema1',
    ],
    [
      'schema 1 by its shape',
      { schemaVersion: 1 },
      'application/json',
      'schema1',
    ],
  ];
  for (const [name, doc, type, want] of table) {
    it(`reads ${name}`, () => assert.equal(documentKind(doc, type), want));
  }
});

describe('image configs and --platform', () => {
  const amd64 = parsePlatform('linux/amd64');

  it('takes a config digest only as sha256', () => {
    const good = `sha256:${'a'.repeat(64)}`;
    const ctx = { where: 'manifest m', fail };
    assert.equal(configDigest({ config: { digest: good } }, ctx), good);
    assert.equal(configDigest({ layers: [] }, ctx), undefined);
    assert.throws(
      () => configDigest({ config: { digest: 'sha256:../../etc' } }, ctx),
      { message: 'manifest m names its config by "sha256:../../etc"' },
    );
  });

  it('says how a config misses the platform asked for', () => {
    const arm = { os: 'linux', architecture: 'arm64', variant: 'v8' };
    assert.equal(
      platformMiss(arm, amd64),
      'an image for linux/arm64/v8, not linux/amd64 as --platform asks',
    );
    assert.equal(platformMiss(arm, parsePlatform('linux/arm64')), undefined);
    assert.equal(platformMiss({ os: 'linux' }, amd64), undefined);
    assert.equal(platformMiss(null, amd64), undefined);
  });
});
