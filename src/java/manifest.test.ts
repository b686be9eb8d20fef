import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseManifest } from './manifest.js';

describe('parseManifest', () => {
  it('reads the main section with continuation lines', () => {
    const text = [
      'Manifest-Version: 1.0',
      'Bundle-SymbolicName: org.springframework.co',
      ' re;singleton:=true',
      'Implementation-Version: 2.5.6.SEC03',
      '',
      'Name: org/example/',
      'Implementation-Version: 9.9',
      '',
    ].join('\r\n');
    assert.deepEqual(
      [...parseManifest(text)],
      [
        ['manifest-version', '1.0'],
        ['bundle-symbolicname', 'org.springframework.core;singleton:=true'],
        ['implementation-version', '2.5.6.SEC03'],
      ],
    );
  });

  it('matches names without case and keeps the first of a repeat', () => {
    const m = parseManifest(
      'implementation-TITLE: a\nImplementation-Title: b\n',
    );
    assert.deepEqual([...m], [['implementation-title', 'a']]);
  });

  it('skips leading blank lines and lines without a colon', () => {
    const m = parseManifest('\n\nnot a header\nA: b\n');
    assert.deepEqual([...m], [['a', 'b']]);
  });
});
