import { readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';

/**
 * Reads versions out of OSV records for the version scheme tests: the
 * `all.zip` archives of the offline mirror (`../shared/data/feeds/osv`)
 * and single JSON records.
 */

/** One version an OSV record names, with its package. */
export interface OsvVersion {
  readonly name: string;
  readonly version: string;
}

/**
 * The text of every file in a zip archive, found through its central
 * directory (PKWARE APPNOTE 4.3.12 to 4.3.16), stored or deflated.
 */
export function zipTexts(path: string): string[] {
  const zip = readFileSync(path);
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error(`Cannot read ${path}: no end of directory`);

  const texts: string[] = [];
  let at = zip.readUInt32LE(end + 16);
  for (let n = zip.readUInt16LE(end + 10); n > 0; n--) {
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const local = zip.readUInt32LE(at + 42);
    const start =
      local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + size);
    texts.push((method === 8 ? inflateRawSync(data) : data).toString('utf8'));
    const [nameLength, extraLength, commentLength] = [28, 30, 32].map((field) =>
      zip.readUInt16LE(at + field),
    );
    at += 46 + nameLength! + extraLength! + commentLength!;
  }
  return texts;
}

/**
 * Every version an OSV record names for its packages: range events of
 * type ECOSYSTEM and SEMVER (`introduced`, `fixed`, `last_affected`,
 * `limit`) other than the `0` that means "from the start", and explicit
 * `versions` lists.
 */
export function osvVersions(json: string): OsvVersion[] {
  const record = JSON.parse(json) as OsvRecord;
  const found: OsvVersion[] = [];
  for (const affected of record.affected ?? []) {
    const name = affected.package?.name ?? '';
    for (const range of affected.ranges ?? []) {
      if (range.type === 'GIT') continue;
      for (const event of range.events ?? []) {
        for (const version of Object.values(event)) {
          if (version !== '0') found.push({ name, version });
        }
      }
    }
    for (const version of affected.versions ?? []) {
      found.push({ name, version });
    }
  }
  return found;
}

interface OsvRecord {
  affected?: {
    package?: { name?: string };
    ranges?: { type?: string; events?: Record<string, string>[] }[];
    versions?: string[];
  }[];
}
