import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  findSection,
  hasGoBuildIdNote,
  parseElf,
  type ElfFile,
} from './elf.js';
import { makeElf } from './testdata/elf.js';

const GO_BINARY =
  '../shared/fixtures/osv-scalibr-gobinary/' +
  'binary_with_module_replacement-linux-arm64';

function elf(data: Buffer): ElfFile {
  const got = parseElf(data);
  assert.ok(typeof got !== 'string', String(got));
  return got;
}

describe('parseElf', () => {
  it('reads sections and segments of a Go binary', () => {
    const data = readFileSync(GO_BINARY);
    const got = elf(data);
    assert.equal(got.bits, 64);
    assert.equal(got.littleEndian, true);
    assert.deepEqual(findSection(got, '.go.buildinfo'), {
      name: '.go.buildinfo',
      type: 1,
      addr: 0x150000,
      offset: 0x140000,
      size: 0x220,
    });
  });

  it('reads only the program headers from a file head', () => {
    const data = readFileSync(GO_BINARY).subarray(0, 400);
    const got = parseElf(data, { sections: false });
    assert.ok(typeof got !== 'string');
    assert.deepEqual(got.sections, []);
    assert.ok(got.segments.length > 0);
    assert.equal(
      parseElf(data),
      'section header table past the end of the file',
    );
  });

  it('says why other files are not ELF', () => {
    assert.equal(parseElf(Buffer.from('#!/bin/sh\n')), 'not an ELF file');
    const odd = makeElf(Buffer.alloc(16), { bits: 64, littleEndian: true });
    odd[4] = 3;
    assert.equal(parseElf(odd), 'unknown ELF class 3');
  });
});

describe('hasGoBuildIdNote', () => {
  it('finds Go build ID notes in Go binaries', () => {
    const data = readFileSync(GO_BINARY);
    assert.equal(hasGoBuildIdNote(elf(data), data), true);
  });

  it('finds none in a C program', () => {
    const data = readFileSync('/bin/sh');
    assert.equal(hasGoBuildIdNote(elf(data), data), false);
  });

  it('cannot tell without note segments', () => {
    const data = makeElf(Buffer.alloc(16), { bits: 32, littleEndian: true });
    assert.equal(hasGoBuildIdNote(elf(data), data), undefined);
  });
});
