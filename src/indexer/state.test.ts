import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Scanner } from './scanner.js';
import { DEFAULT_SCANNERS } from './scanners.js';
import { indexState } from './state.js';

const [first, second] = DEFAULT_SCANNERS as [Scanner, Scanner];

describe('indexState', () => {
  it('is a hex SHA-256 that stays the same for the same scanners', () => {
    const state = indexState(DEFAULT_SCANNERS);
    assert.match(state, /^[0-9a-f]{64}$/);
    assert.equal(indexState([...DEFAULT_SCANNERS]), state);
  });

  it('changes when a scanner version changes', () => {
    const bumped = { ...first, version: `${first.version}.1` };
    assert.notEqual(indexState([bumped, second]), indexState([first, second]));
  });

  it('changes when a scanner is added, removed or renamed', () => {
    const base = indexState([first]);
    assert.notEqual(indexState([first, second]), base);
    assert.notEqual(indexState([]), base);
    assert.notEqual(indexState([{ ...first, name: 'other' }]), base);
  });

  it('changes when a scanner selects other paths', () => {
    const wider = { ...first, selector: { exact: ['etc/other-file'] } };
    assert.notEqual(indexState([wider]), indexState([first]));
  });

  it('does not read a name and version boundary ambiguously', () => {
    const a = { ...first, name: 'ab', version: 'c' };
    const b = { ...first, name: 'a', version: 'bc' };
    assert.notEqual(indexState([a]), indexState([b]));
  });
});
