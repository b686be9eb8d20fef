import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { filesFor } from '../indexer/scanner.js';
import type { ScanResult } from '../indexer/types.js';
import { readLayer } from '../layer/reader.js';
import { compileSelector } from '../layer/selector.js';
import { makeTar, streamOf, type TestEntry } from '../testutil/tar.js';
import { javaArchiveScanner } from './scanner.js';

const FIXTURES = '../shared/fixtures';
const GUAVA = readFileSync(`${FIXTURES}/osv-scalibr-java/guava-31.1-jre.jar`);
const WAR = readFileSync(`${FIXTURES}/trivy-java/gradle.war`);

async function scan(entries: readonly TestEntry[]): Promise<ScanResult> {
  const tar = await makeTar(entries);
  const contents = await readLayer(streamOf(tar, 65536), {
    selector: compileSelector([javaArchiveScanner]),
    name: 'layer',
  });
  return javaArchiveScanner.scan(filesFor(contents, javaArchiveScanner));
}

describe('javaArchiveScanner', () => {
  it('reports the packages of each archive by its layer path', async () => {
    const got = await scan([
      { name: 'app.war', body: WAR },
      { name: 'opt/lib/guava-31.1-jre.jar', body: GUAVA },
      { name: 'opt/lib/guava.jar.sha1', body: 'not an archive' },
      { name: 'opt/lib/broken.ear', body: 'not a zip' },
    ]);
    assert.deepEqual(
      got.packages.map((f) => [
        f.path,
        f.packages.map((p) => `${p.name}@${p.version} ${p.packageDb}`),
      ]),
      [
        [
          'app.war',
          [
            'commons-dbcp:commons-dbcp@1.4 ' +
              'app.war!/WEB-INF/lib/commons-dbcp-1.4.jar',
            'commons-pool:commons-pool@1.6 ' +
              'app.war!/WEB-INF/lib/commons-pool-1.6.jar',
            'log4j:log4j@1.2.17 app.war!/WEB-INF/lib/log4j-1.2.17.jar',
            'org.apache.commons:commons-compress@1.19 ' +
              'app.war!/WEB-INF/lib/commons-compress-1.19.jar',
          ],
        ],
        ['opt/lib/broken.ear', []],
        [
          'opt/lib/guava-31.1-jre.jar',
          ['com.google.guava:guava@31.1-jre opt/lib/guava-31.1-jre.jar'],
        ],
      ],
    );
    assert.deepEqual(got.notices, [
      {
        code: 'skipped-file',
        message:
          'Cannot read Java archive opt/lib/broken.ear: not a readable ' +
          'zip archive (no end of central directory record)',
        path: 'opt/lib/broken.ear',
      },
    ]);
  });

  it('keeps ecosystem Maven and scheme maven on each package', async () => {
    const got = await scan([{ name: 'guava-31.1-jre.jar', body: GUAVA }]);
    assert.deepEqual(got.packages[0]!.packages, [
      {
        name: 'com.google.guava:guava',
        version: '31.1-jre',
        kind: 'binary',
        packageDb: 'guava-31.1-jre.jar',
        scheme: 'maven',
        ecosystem: 'Maven',
      },
    ]);
  });
});
