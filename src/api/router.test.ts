import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Route } from './route.js';
import { Router } from './router.js';

const noop = async () => {};
const one: Route = {
  template: '/a/v1/report/{digest}',
  methods: { GET: noop },
};
const all: Route = { template: '/a/v1/report', methods: { POST: noop } };
const router = new Router([all, one]);

describe('Router', () => {
  it('matches a literal path exactly', () => {
    assert.deepEqual(router.match('/a/v1/report'), { route: all, params: {} });
  });

  it('captures one segment for a parameter', () => {
    assert.deepEqual(router.match('/a/v1/report/sha256:ab'), {
      route: one,
      params: { digest: 'sha256:ab' },
    });
  });

  it('matches no trailing slash, empty or extra segment', () => {
    for (const path of [
      '/a/v1/report/',
      '/a/v1/report/x/y',
      '/a/v1/reports',
      '/',
    ]) {
      assert.equal(router.match(path), undefined, path);
    }
  });
});
