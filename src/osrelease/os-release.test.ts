import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { distributionFromOsRelease, parseOsRelease } from './os-release.js';

const TXTAR = '../shared/fixtures/claircore-os-release/osrelease-txtar';

/** The sections of a txtar archive, by name. */
function txtar(file: string): Map<string, string> {
  const parts = readFileSync(file, 'utf8').split(/^-- (.+) --$\n/m);
  const sections = new Map<string, string>();
  for (let i = 1; i + 1 < parts.length; i += 2) {
    sections.set(parts[i] ?? '', parts[i + 1] ?? '');
  }
  return sections;
}

function fields(text: string): Map<string, string> {
  const parsed = parseOsRelease(text);
  assert.ok(parsed.ok, 'parses');
  return new Map(parsed.fields);
}

describe('parseOsRelease', () => {
  // Each archive holds a real os-release file and its expected assignments.
  for (const name of readdirSync(TXTAR).sort()) {
    it(`reads every assignment of ${name}`, () => {
      const archive = txtar(`${TXTAR}/${name}`);
      const expected: Record<string, string> = JSON.parse(
        archive.get('Parsed') ?? '',
      );
      const actual = fields(archive.get('os-release') ?? '');
      assert.deepEqual(Object.fromEntries(actual), expected);
    });
  }

  it('unescapes double quotes and keeps single quotes literal', () => {
    const text = 'A="say \\"hi\\" \\$x \\\\"\nB=\'a\\b "c"\'\nC=bare\\ word\n';
    assert.deepEqual(Object.fromEntries(fields(text)), {
      A: 'say "hi" $x \\',
      B: 'a\\b "c"',
      C: 'bare word',
    });
  });

  it('ignores comments, blank lines, broken quotes and non-assignments', () => {
    const text = [
      '# comment',
      '',
      '  ID=debian  ',
      'NAME="unterminated',
      "VERSION='x'y",
      'not an assignment',
      '1BAD=x',
      'ID_LIKE=',
    ].join('\n');
    assert.deepEqual(Object.fromEntries(fields(text)), {
      ID: 'debian',
      ID_LIKE: '',
    });
  });

  it('lets the last of a repeated variable win', () => {
    assert.equal(fields('ID=a\nID=b\n').get('ID'), 'b');
  });

  it('reads CRLF files', () => {
    assert.equal(
      fields('ID="alpine"\r\nVERSION_ID=3.20.3\r\n').get('ID'),
      'alpine',
    );
  });

  it('refuses a file with no assignment or with binary content', () => {
    assert.deepEqual(parseOsRelease(''), {
      ok: false,
      reason: 'no KEY=value assignment',
    });
    assert.deepEqual(parseOsRelease('hello\nworld\n'), {
      ok: false,
      reason: 'no KEY=value assignment',
    });
    assert.deepEqual(parseOsRelease('ID=x\0\n'), {
      ok: false,
      reason: 'binary content',
    });
  });
});

describe('distributionFromOsRelease', () => {
  it('maps the os-release fields one to one', () => {
    const archive = txtar(`${TXTAR}/Bionic.txtar`);
    assert.deepEqual(
      distributionFromOsRelease(fields(archive.get('os-release') ?? '')),
      {
        did: 'ubuntu',
        name: 'Ubuntu',
        versionId: '18.04',
        version: '18.04.3 LTS (Bionic Beaver)',
        versionCodeName: 'bionic',
        prettyName: 'Ubuntu 18.04.3 LTS',
      },
    );
  });

  it('keeps CPE_NAME and an empty VERSION_CODENAME', () => {
    const archive = txtar(`${TXTAR}/EmptyKey.txtar`);
    assert.deepEqual(
      distributionFromOsRelease(fields(archive.get('os-release') ?? '')),
      {
        did: 'fedora',
        name: 'Fedora',
        versionId: '30',
        version: '30 (Container Image)',
        versionCodeName: '',
        prettyName: 'Fedora 30 (Container Image)',
        cpe: 'cpe:/o:fedoraproject:fedora:30',
      },
    );
  });

  it("applies os-release(5)'s defaults for a missing ID and names", () => {
    assert.deepEqual(distributionFromOsRelease(fields('VERSION_ID=1\n')), {
      did: 'linux',
      name: 'Linux',
      versionId: '1',
      version: '',
      versionCodeName: '',
      prettyName: 'Linux',
    });
  });
});
