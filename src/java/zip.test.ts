import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readZipDirectory, readZipEntry, type ZipEntry } from './zip.js';
import { makeZip } from './testdata/zip.js';

const POM = 'groupId=org.example\nartifactId=demo\nversion=1.0\n';
const BIG = 'x'.repeat(100_000);

function entries(zip: Buffer): ZipEntry[] {
  const got = readZipDirectory(zip);
  assert.ok(Array.isArray(got), String(got));
  return got;
}

function contents(zip: Buffer, max = 1 << 20): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of entries(zip)) {
    const body = readZipEntry(zip, e, max);
    out[e.name] = typeof body === 'string' ? `! ${body}` : body.toString();
  }
  return out;
}

describe('readZipDirectory and readZipEntry', () => {
  it('reads stored and deflated entries', () => {
    const zip = makeZip([
      { name: 'META-INF/', body: '', deflate: false },
      { name: 'a/pom.properties', body: POM },
      { name: 'b.txt', body: 'plain', deflate: false },
    ]);
    assert.deepEqual(contents(zip), {
      'META-INF/': '',
      'a/pom.properties': POM,
      'b.txt': 'plain',
    });
  });

  it('reads Zip64 end records and extra fields', () => {
    const zip = makeZip(
      [
        { name: 'one', body: 'first' },
        { name: 'two', body: 'second', deflate: false },
      ],
      { zip64: true },
    );
    assert.deepEqual(contents(zip), { one: 'first', two: 'second' });
  });

  for (const zip64 of [false, true]) {
    it(`reads an archive after a launch script (zip64 ${zip64})`, () => {
      const prefix = Buffer.from('#!/bin/sh\nexec java -jar "$0"\n');
      const zip = makeZip([{ name: 'x', body: 'y' }], { prefix, zip64 });
      assert.deepEqual(contents(zip), { x: 'y' });
    });
  }

  it('decodes names as UTF-8', () => {
    const zip = makeZip([{ name: 'lib/café-1.0.jar', body: '' }]);
    assert.deepEqual(
      entries(zip).map((e) => e.name),
      ['lib/café-1.0.jar'],
    );
  });

  it('finds the end record behind an archive comment', () => {
    const zip = makeZip([{ name: 'x', body: 'y' }]);
    const comment = Buffer.from('built by hand');
    zip.writeUInt16LE(comment.length, zip.length - 2);
    assert.deepEqual(contents(Buffer.concat([zip, comment])), { x: 'y' });
  });

  it('refuses entries larger than the limit before and while inflating', () => {
    const zip = makeZip([{ name: 'big', body: BIG }]);
    assert.deepEqual(contents(zip, 1000), {
      big: '! larger than 1000 bytes',
    });
    const [e] = entries(zip);
    const lying = { ...e!, size: 10 };
    assert.equal(readZipEntry(zip, lying, 1000), 'larger than 1000 bytes');
  });

  it('refuses encrypted entries and unknown methods', () => {
    const zip = makeZip([
      { name: 'secret', body: 'x', flags: 1 },
      { name: 'bzip2', body: 'x', deflate: false, method: 12 },
    ]);
    assert.deepEqual(contents(zip), {
      secret: '! entry is encrypted',
      bzip2: '! unsupported compression method 12',
    });
  });

  it('reports corrupt deflate data', () => {
    const zip = makeZip([{ name: 'x', body: Buffer.from([0xff, 0xff]) }]);
    const [e] = entries(zip);
    const broken = Buffer.from(zip);
    broken.fill(0xff, 30 + 1, 30 + 1 + e!.compressedSize);
    assert.equal(readZipEntry(broken, e!, 100), 'deflate data is corrupt');
  });

  it('answers why a file is not a zip archive', () => {
    assert.equal(
      readZipDirectory(Buffer.from('not a zip at all, not even close')),
      'no end of central directory record',
    );
    assert.equal(
      readZipDirectory(Buffer.alloc(3)),
      'no end of central directory record',
    );
  });

  it('reports a truncated central directory', () => {
    const zip = makeZip([{ name: 'x', body: 'y' }]);
    zip.writeUInt16LE(5, zip.length - 12);
    zip.writeUInt16LE(5, zip.length - 14);
    assert.equal(readZipDirectory(zip), 'entry 1: directory truncated');
  });

  it('reports a local header offset outside the file', () => {
    const zip = makeZip([{ name: 'x', body: 'y' }]);
    const [e] = entries(zip);
    const moved = { ...e!, localOffset: zip.length };
    assert.equal(readZipEntry(zip, moved, 100), 'local header out of range');
  });
});
