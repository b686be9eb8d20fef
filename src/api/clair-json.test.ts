import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isClaroError } from '../errors.js';
import { vulnerabilityId } from '../matcher/engine.js';
import type { UpdateOperation } from '../store/store.js';
import {
  clairUpdateOperations,
  isDigest,
  isRef,
  parseAffectedRequest,
} from './clair-json.js';

const clairVuln = {
  id: '42',
  updater: 'alpine-secdb-v3.20-main',
  name: 'CVE-2024-9143',
  description: '',
  issued: '0001-01-01T00:00:00Z',
  links: 'https://security.alpinelinux.org/vuln/CVE-2024-9143',
  severity: '',
  normalized_severity: 'Unknown',
  package: { id: '', name: 'openssl', version: '', kind: 'binary' },
  distribution: { id: '', did: 'alpine', version_id: '3.20', name: '' },
  repository: null,
  fixed_in_version: '3.3.2-r1',
};

describe('parseAffectedRequest', () => {
  it("reads Clair's Vulnerability JSON into records", () => {
    const [v] = parseAffectedRequest({ vulnerabilities: [clairVuln] });
    assert.deepEqual(v, {
      id: '42',
      updater: 'alpine-secdb-v3.20-main',
      name: 'CVE-2024-9143',
      description: '',
      issued: '',
      links: 'https://security.alpinelinux.org/vuln/CVE-2024-9143',
      severity: '',
      normalizedSeverity: 'Unknown',
      packageName: 'openssl',
      packageKind: 'binary',
      distribution: { did: 'alpine', versionId: '3.20', versionCodeName: '' },
      fixedInVersion: '3.3.2-r1',
      scheme: '',
    });
  });

  it('gives a record without an id its claro id', () => {
    const [v] = parseAffectedRequest({
      vulnerabilities: [{ ...clairVuln, id: '' }],
    });
    const { id, ...record } = v!;
    assert.equal(id, vulnerabilityId(record));
  });

  it('leaves out records without a package or a distribution', () => {
    const body = {
      vulnerabilities: [
        { ...clairVuln, package: null },
        { ...clairVuln, distribution: undefined },
      ],
    };
    assert.deepEqual(parseAffectedRequest(body), []);
  });

  it('throws INVALID_ARGUMENT naming the first problem', () => {
    assert.throws(
      () => parseAffectedRequest({ vulnerabilities: [{ id: '1' }] }),
      (err: unknown) =>
        isClaroError(err, 'INVALID_ARGUMENT') &&
        err.message ===
          'Cannot read vulnerabilities: vulnerabilities.0.name: ' +
            'Invalid input: expected string, received undefined',
    );
  });
});

describe('clairUpdateOperations', () => {
  const op = (updater: string, ref: string): UpdateOperation => ({
    ref,
    updater,
    fingerprint: `fp-${ref}`,
    date: '2026-01-01T00:00:00.000Z',
    count: 1,
  });
  const ops = [op('a', '3'), op('a', '1'), op('b', '2')];

  it('groups by updater in the given (newest first) order', () => {
    const out = clairUpdateOperations(ops, false);
    assert.deepEqual(
      Object.fromEntries(
        Object.entries(out).map(([u, l]) => [u, l.map((o) => o.ref)]),
      ),
      { a: ['3', '1'], b: ['2'] },
    );
    assert.deepEqual(out['b']![0], {
      ref: '2',
      updater: 'b',
      fingerprint: 'fp-2',
      date: '2026-01-01T00:00:00.000Z',
      kind: 'vulnerability',
    });
  });

  it('keeps only the newest of each with latest', () => {
    const out = clairUpdateOperations(ops, true);
    assert.deepEqual(
      Object.values(out).map((l) => l.map((o) => o.ref)),
      [['3'], ['2']],
    );
  });
});

describe('isDigest and isRef', () => {
  it('accept sha256 and sha512 digests and UUIDs only', () => {
    assert.equal(isDigest(`sha256:${'a'.repeat(64)}`), true);
    assert.equal(isDigest(`sha512:${'a'.repeat(128)}`), true);
    assert.equal(isDigest(`sha256:${'A'.repeat(64)}`), false);
    assert.equal(isDigest(`md5:${'a'.repeat(32)}`), false);
    assert.equal(isRef('123e4567-e89b-12d3-a456-426614174000'), true);
    assert.equal(isRef('123e4567'), false);
  });
});
