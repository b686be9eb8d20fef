import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  canonicalPath,
  isOwnershipCandidate,
  ownershipFinding,
} from './ownership.js';

describe('canonicalPath', () => {
  it('drops leading slashes and files merged-/usr folders under usr/', () => {
    const cases: [string, string][] = [
      ['/usr/bin/python3', 'usr/bin/python3'],
      ['/bin/bash', 'usr/bin/bash'],
      ['sbin/ip', 'usr/sbin/ip'],
      ['/lib/python3/dist-packages/x', 'usr/lib/python3/dist-packages/x'],
      ['/lib64', 'usr/lib64'],
      ['/libexec/x', 'libexec/x'],
      ['/binaries/x', 'binaries/x'],
      ['/opt/bin/x', 'opt/bin/x'],
    ];
    for (const [path, want] of cases) assert.equal(canonicalPath(path), want);
  });
});

describe('isOwnershipCandidate', () => {
  it('keeps the files language scanners and executables could be', () => {
    for (const path of [
      '/usr/lib/python3/dist-packages/requests-2.28.1.egg-info/PKG-INFO',
      '/usr/lib/python3/dist-packages/requests-2.28.1.egg-info',
      '/usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA',
      '/usr/share/nodejs/node_modules/semver/package.json',
      '/usr/lib/node_modules/@npmcli/arborist/package.json',
      '/usr/share/rubygems-integration/all/specifications/rake-13.0.6.gemspec',
      '/usr/share/java/commons-io.jar',
      '/usr/bin/docker',
      '/bin/ls',
      '/usr/sbin/runc',
      '/usr/libexec/docker/cli-plugins/docker-buildx',
    ]) {
      assert.ok(isOwnershipCandidate(path), path);
    }
  });

  it('drops everything else, near misses included', () => {
    for (const path of [
      '/usr/lib/python3/dist-packages/requests/__init__.py',
      '/usr/lib/python3/dist-packages/six-1.16.0.dist-info/RECORD',
      '/usr/lib/python3/dist-packages',
      '/usr/share/nodejs/semver/package.json',
      '/usr/share/doc/bash/copyright',
      '/usr/share/java/commons-io.jar.md5',
      '/usr/bin',
      '/usr/bin/x/y',
      '/etc/init.d/ssh',
      '/.',
    ]) {
      assert.ok(!isOwnershipCandidate(path), path);
    }
  });
});

describe('ownershipFinding', () => {
  it('keeps each owner’s candidate files, canonical, sorted, unique', () => {
    const got = ownershipFinding('var/lib/dpkg/info/x.list', [
      { name: 'a', files: ['/usr/share/doc/a', '/bin/a', '/usr/bin/a'] },
      { name: 'b', files: ['/etc/b.conf'] },
      { name: 'c', files: ['/usr/sbin/c', '/usr/bin/c'] },
    ]);
    assert.deepEqual(got, {
      path: 'var/lib/dpkg/info/x.list',
      owners: [
        { name: 'a', files: ['usr/bin/a'] },
        { name: 'c', files: ['usr/bin/c', 'usr/sbin/c'] },
      ],
    });
  });

  it('gives nothing when no owner has a candidate file', () => {
    const none = ownershipFinding('p', [{ name: 'a', files: ['/etc/a'] }]);
    assert.equal(none, undefined);
  });
});
