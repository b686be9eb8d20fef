import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { PackageRecord } from '../indexer/types.js';
import { isJavaArchivePath, readJavaArchive } from './archive.js';
import { makeZip, type TestZipEntry } from './testdata/zip.js';

const FIXTURES = '../shared/fixtures';

/** name@version packageDb, one line per package. */
function summary(packages: readonly PackageRecord[]): string[] {
  return packages.map((p) => `${p.name}@${p.version} ${p.packageDb}`);
}

function fixture(path: string) {
  return readJavaArchive(readFileSync(`${FIXTURES}/${path}`), path);
}

function manifest(lines: string[]): TestZipEntry {
  return { name: 'META-INF/MANIFEST.MF', body: lines.join('\r\n') + '\r\n' };
}

describe('readJavaArchive', () => {
  it('reads pom.properties with ecosystem Maven and scheme maven', () => {
    const got = fixture('osv-scalibr-java/guava-31.1-jre.jar');
    assert.deepEqual(got, {
      packages: [
        {
          name: 'com.google.guava:guava',
          version: '31.1-jre',
          kind: 'binary',
          packageDb: 'osv-scalibr-java/guava-31.1-jre.jar',
          scheme: 'maven',
          ecosystem: 'Maven',
        },
      ],
      notices: [],
    });
  });

  it('reports every artifact a shaded jar embeds', () => {
    const db = 'trivy-java/hadoop-shaded-guava-1.1.0-SNAPSHOT.jar';
    assert.deepEqual(summary(fixture(db).packages), [
      `org.apache.hadoop.thirdparty:hadoop-shaded-guava@1.1.0-SNAPSHOT ${db}`,
      `com.google.j2objc:j2objc-annotations@1.3 ${db}`,
      `com.google.guava:guava@29.0-jre ${db}`,
      `com.google.guava:failureaccess@1.0.1 ${db}`,
      'com.google.guava:listenablefuture@' +
        `9999.0-empty-to-avoid-conflict-with-guava ${db}`,
    ]);
  });

  it('reads the application and its dependency from a Maven jar', () => {
    const db = 'syft-java/example-java-app-maven-0.1.0.jar';
    assert.deepEqual(summary(fixture(db).packages), [
      `org.anchore:example-java-app-maven@0.1.0 ${db}`,
      `joda-time:joda-time@2.9.2 ${db}`,
    ]);
  });

  it('reads the jars of WEB-INF/lib in a war', () => {
    const db = 'trivy-java/gradle.war';
    assert.deepEqual(summary(fixture(db).packages), [
      `commons-dbcp:commons-dbcp@1.4 ${db}!/WEB-INF/lib/commons-dbcp-1.4.jar`,
      `commons-pool:commons-pool@1.6 ${db}!/WEB-INF/lib/commons-pool-1.6.jar`,
      `log4j:log4j@1.2.17 ${db}!/WEB-INF/lib/log4j-1.2.17.jar`,
      'org.apache.commons:commons-compress@1.19 ' +
        `${db}!/WEB-INF/lib/commons-compress-1.19.jar`,
    ]);
  });

  it('follows archives nested in nested archives', () => {
    const db = 'trivy-java/nested.jar';
    const inner = `${db}!/META-INF/jars/nested2.jar`;
    assert.deepEqual(summary(fixture(db).packages), [
      `test:nested@0.0.1 ${db}`,
      `test:nested2@0.0.2 ${inner}`,
      `test:nested3@0.0.3 ${inner}!/META-INF/jars/nested3.jar`,
    ]);
  });

  it('reads pom.properties outside META-INF/maven once per version', () => {
    const db = 'trivy-java/io.quarkus.gizmo.gizmo-1.1.jar';
    assert.deepEqual(summary(fixture(db).packages), [
      `io.quarkus.gizmo:gizmo@1.1 ${db}`,
      `com.fasterxml.jackson.core:jackson-databind@2.12.3 ${db}`,
      `com.fasterxml.jackson.core:jackson-databind@2.13.4 ${db}`,
      `log4j:log4j@1.2.16 ${db}!/jars/log4j-1.2.16.jar`,
      `log4j:log4j@1.2.17 ${db}!/jars/log4j-1.2.17.jar`,
    ]);
  });

  it('falls back to file names in a Spring Boot style jar', () => {
    const db = 'claircore-java/inner.jar';
    const api = `${db}!/BOOT-INF/lib/log4j-api-2.14.jar`;
    const got = fixture(db);
    assert.deepEqual(summary(got.packages), [
      'jackson-annotations@2.13.0 ' +
        `${db}!/BOOT-INF/lib/jackson-annotations-2.13.0.jar`,
      `log4j-api@2.14 ${api}`,
      `log4j@2.14.0 ${api}!/META-INF/inner-jar/log4j-2.14.0.jar`,
    ]);
    assert.deepEqual(got.notices, []);
  });

  it('reads Implementation-Title and -Version from a manifest', () => {
    const got = fixture('trivy-java/test.jar');
    assert.deepEqual(summary(got.packages), [
      'Spring Framework@2.5.6.SEC03 trivy-java/test.jar',
    ]);
  });

  it('falls back to the file name past an empty manifest', () => {
    const db = 'trivy-java/heuristic-1.0.0-SNAPSHOT.jar';
    assert.deepEqual(summary(fixture(db).packages), [
      `heuristic@1.0.0-SNAPSHOT ${db}`,
    ]);
  });

  it('prefixes the manifest title with Implementation-Vendor-Id', () => {
    const zip = makeZip([
      manifest([
        'Implementation-Title: commons-text',
        'Implementation-Version: 1.9',
        'Implementation-Vendor-Id: org.apache.commons',
      ]),
    ]);
    assert.deepEqual(summary(readJavaArchive(zip, 'a.jar').packages), [
      'org.apache.commons:commons-text@1.9 a.jar',
    ]);
  });

  it('uses the bundle headers when the implementation pair is partial', () => {
    const zip = makeZip([
      manifest([
        'Implementation-Title: Jackson-core',
        'Bundle-SymbolicName: com.fasterxml.jackson.core.jackson-core;x:=y',
        'Bundle-Version: 2.9.10',
      ]),
    ]);
    assert.deepEqual(summary(readJavaArchive(zip, 'b-9.jar').packages), [
      'com.fasterxml.jackson.core.jackson-core@2.9.10 b-9.jar',
    ]);
  });

  it('prefers pom.properties over the manifest and the file name', () => {
    const zip = makeZip([
      manifest(['Implementation-Title: x', 'Implementation-Version: 9']),
      {
        name: 'META-INF/maven/g/a/pom.properties',
        body: 'groupId=g\nartifactId=a\nversion=1\n',
      },
    ]);
    assert.deepEqual(summary(readJavaArchive(zip, 'c-5.jar').packages), [
      'g:a@1 c-5.jar',
    ]);
  });

  it('skips an incomplete pom.properties with a notice', () => {
    const zip = makeZip([
      { name: 'META-INF/maven/g/a/pom.properties', body: 'groupId=g\n' },
    ]);
    const got = readJavaArchive(zip, 'lib/a-2.0.jar');
    assert.deepEqual(summary(got.packages), ['a@2.0 lib/a-2.0.jar']);
    assert.deepEqual(got.notices, [
      {
        code: 'skipped-record',
        message:
          'Cannot read Java archive ' +
          'lib/a-2.0.jar!/META-INF/maven/g/a/pom.properties: ' +
          'pom.properties lacks groupId, artifactId or version',
        path: 'lib/a-2.0.jar!/META-INF/maven/g/a/pom.properties',
      },
    ]);
  });

  it('stops following nested archives five levels down', () => {
    let zip = makeZip([{ name: 'x', body: '' }]);
    for (let level = 5; level >= 1; level--) {
      zip = makeZip([{ name: `l${level}-1.0.jar`, body: zip }]);
    }
    const got = readJavaArchive(zip, 'top.jar');
    assert.deepEqual(summary(got.packages), [
      'l1@1.0 top.jar!/l1-1.0.jar',
      'l2@1.0 top.jar!/l1-1.0.jar!/l2-1.0.jar',
      'l3@1.0 top.jar!/l1-1.0.jar!/l2-1.0.jar!/l3-1.0.jar',
      'l4@1.0 top.jar!/l1-1.0.jar!/l2-1.0.jar!/l3-1.0.jar!/l4-1.0.jar',
    ]);
    assert.deepEqual(
      got.notices.map((n) => n.message),
      [
        'Cannot read Java archive ' +
          'top.jar!/l1-1.0.jar!/l2-1.0.jar!/l3-1.0.jar!/l4-1.0.jar' +
          '!/l5-1.0.jar: nested more than 4 archives deep',
      ],
    );
  });

  it('reports a nested archive that is not a zip and goes on', () => {
    const zip = makeZip([
      { name: 'WEB-INF/lib/broken-1.0.jar', body: 'not a zip' },
      { name: 'WEB-INF/lib/ok-2.0.jar', body: makeZip([]) },
    ]);
    const got = readJavaArchive(zip, 'app.war');
    assert.deepEqual(summary(got.packages), [
      'ok@2.0 app.war!/WEB-INF/lib/ok-2.0.jar',
    ]);
    assert.deepEqual(got.notices, [
      {
        code: 'skipped-file',
        message:
          'Cannot read Java archive app.war!/WEB-INF/lib/broken-1.0.jar: ' +
          'not a readable zip archive (no end of central directory record)',
        path: 'app.war!/WEB-INF/lib/broken-1.0.jar',
      },
    ]);
  });
});

describe('isJavaArchivePath', () => {
  const cases: [string, boolean][] = [
    ['opt/app/app.jar', true],
    ['opt/app/APP.WAR', true],
    ['srv/x.ear', true],
    ['var/jenkins_home/plugins/git.jpi', true],
    ['usr/share/java/notajar.jar.sha1', false],
    ['opt/jar', false],
  ];
  for (const [path, want] of cases) {
    it(`says ${want} for ${path}`, () => {
      assert.equal(isJavaArchivePath(path), want);
    });
  }
});
