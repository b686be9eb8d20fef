import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isClaroError } from '../../errors.js';
import { formatReference, looksLikePath, parseReference } from './reference.js';

const D = `sha256:${'ab'.repeat(32)}`;

describe('parseReference', () => {
  const table: [string, string, string, string, string][] = [
    // text, registry, endpoint, repository, tag or digest
    ['alpine', 'docker.io', 'registry-1.docker.io', 'library/alpine', 'latest'],
    [
      'alpine:3.20',
      'docker.io',
      'registry-1.docker.io',
      'library/alpine',
      '3.20',
    ],
    ['user/app', 'docker.io', 'registry-1.docker.io', 'user/app', 'latest'],
    [
      'docker.io/alpine',
      'docker.io',
      'registry-1.docker.io',
      'library/alpine',
      'latest',
    ],
    [
      'index.docker.io/user/app:v1',
      'docker.io',
      'registry-1.docker.io',
      'user/app',
      'v1',
    ],
    ['localhost/x', 'localhost', 'localhost', 'x', 'latest'],
    ['localhost:5000/x', 'localhost:5000', 'localhost:5000', 'x', 'latest'],
    [
      '127.0.0.1:5000/a/b/c:t_1.x-y',
      '127.0.0.1:5000',
      '127.0.0.1:5000',
      'a/b/c',
      't_1.x-y',
    ],
    [`host:5000/repo@${D}`, 'host:5000', 'host:5000', 'repo', D],
    [`ghcr.io/o/r:tag@${D}`, 'ghcr.io', 'ghcr.io', 'o/r', D],
    ['[::1]:5000/x', '[::1]:5000', '[::1]:5000', 'x', 'latest'],
    ['Host/x', 'Host', 'Host', 'x', 'latest'],
    [
      'a__b/c-d.e--f',
      'docker.io',
      'registry-1.docker.io',
      'a__b/c-d.e--f',
      'latest',
    ],
  ];
  for (const [text, registry, endpoint, repository, pin] of table) {
    it(`reads ${text}`, () => {
      const ref = parseReference(text);
      assert.deepEqual(
        [ref.registry, ref.endpoint, ref.repository, ref.digest ?? ref.tag],
        [registry, endpoint, repository, pin],
      );
    });
  }

  it('keeps the tag beside a digest, for messages', () => {
    assert.deepEqual(parseReference(`ghcr.io/o/r:tag@${D}`), {
      registry: 'ghcr.io',
      endpoint: 'ghcr.io',
      repository: 'o/r',
      tag: 'tag',
      digest: D,
    });
  });

  const refused: [string, string][] = [
    ['', 'no repository name'],
    ['UPPER', 'repository names must be lower case'],
    ['host:5000/Repo', 'repository names must be lower case'],
    ['a//b', '"" is not a valid repository name component'],
    ['x/-y', '"-y" is not a valid repository name component'],
    ['x:bad!tag', '"bad!tag" is not a valid tag'],
    ['x@sha256:short', '"sha256:short" is not a valid digest'],
    [`x@sha512:${'ab'.repeat(64)}`, 'only sha256 digests'],
    ['-host.io:5000/x', '"-host.io:5000" is no registry host'],
    [
      '127.0.0.1:99999/x',
      'port 99999 of "127.0.0.1:99999" is not from 1 to 65535',
    ],
    ['127.0.0.1:0/x', 'port 0 of "127.0.0.1:0" is not from 1 to 65535'],
    [`a/${'b'.repeat(260)}`, 'the name is longer than 255 characters'],
  ];
  for (const [text, why] of refused) {
    it(`refuses ${JSON.stringify(text).slice(0, 40)}`, () => {
      assert.throws(
        () => parseReference(text),
        (err) => {
          assert.ok(isClaroError(err, 'INVALID_ARGUMENT'));
          assert.ok(
            err.message.startsWith(
              `Cannot read image reference ${JSON.stringify(text)}: ${why}`,
            ),
            err.message,
          );
          return true;
        },
      );
    });
  }
});

describe('formatReference', () => {
  it('writes the full name with its tag, or its digest', () => {
    assert.equal(
      formatReference(parseReference('alpine')),
      'docker.io/library/alpine:latest',
    );
    assert.equal(formatReference(parseReference(`h:1/r:t@${D}`)), `h:1/r@${D}`);
  });
});

describe('looksLikePath', () => {
  const table: [string, boolean][] = [
    ['/abs/image', true],
    ['./image', true],
    ['../image', true],
    ['.', true],
    ['~/x', true],
    ['image.tar', true],
    ['image.tar.gz', true],
    ['layout.oci', true],
    ['alpine', false],
    ['alpine:3.20', false],
    ['127.0.0.1:5000/x', false],
    ['user/app', false],
  ];
  for (const [text, want] of table) {
    it(`says ${want} for ${text}`, () =>
      assert.equal(looksLikePath(text), want));
  }
});
