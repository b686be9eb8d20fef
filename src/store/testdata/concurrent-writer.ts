/**
 * Child process of the store's concurrency test: opens the SQLite file
 * named by argv[2] and writes as updater argv[3], so that several
 * processes race on one new file.
 */
import { SqliteStore } from '../sqlite.js';
import { SECDB, secdbRecords } from './secdb.js';

const [file, updater] = process.argv.slice(2);
if (file === undefined || updater === undefined) {
  throw new Error('usage: concurrent-writer FILE UPDATER');
}

const store = SqliteStore.open(file, { busyTimeoutMs: 20_000 });
const { file: feed, dist } = SECDB.v320;
const records = secdbRecords(feed, dist, { updater });
for (let i = 0; i < 5; i++) {
  await store.applyUpdate(updater, `run-${i}`, {
    vulnerabilities: records.slice(i * 10),
    coverage: [dist],
  });
  await store.putLayerRecord(`sha256:${updater}-${i}`, 'reader', {
    whiteouts: [],
    opaqueDirs: [],
    replaced: [],
    paths: [updater],
    notices: [],
  });
}
await store.close();
