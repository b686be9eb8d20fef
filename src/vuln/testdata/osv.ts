import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { zipTexts } from '../../versions/testdata/osv.js';
import type { AffectedRange, RangeEvent } from '../types.js';

/**
 * Reads OSV records of the offline mirror (`../shared/data/feeds/osv`)
 * for tests, in a few lines of their own so that the tests do not lean on
 * the updater they check against.
 */

export const OSV_MIRROR = '../shared/data/feeds/osv';

/** The parts of one OSV record a version decision reads. */
export interface OsvRecord {
  readonly id: string;
  readonly withdrawn?: string;
  readonly affected?: readonly OsvAffected[];
}

export interface OsvAffected {
  readonly package?: { readonly name?: string; readonly ecosystem?: string };
  readonly ranges?: readonly {
    readonly type?: string;
    readonly events?: readonly Record<string, string>[];
  }[];
  readonly versions?: readonly string[];
}

const zips = new Map<string, OsvRecord[]>();

/** Every record of an ecosystem's `all.zip` (`go`, `almalinux`, ...). */
export function zipRecords(folder: string): OsvRecord[] {
  let found = zips.get(folder);
  if (!found) {
    const texts = zipTexts(`${OSV_MIRROR}/${folder}/all.zip`);
    found = texts.map((t) => JSON.parse(t) as OsvRecord);
    zips.set(folder, found);
  }
  return found;
}

/** One record file, JSON or YAML, by its path under the mirror. */
export function fileRecord(path: string): OsvRecord {
  const text = readFileSync(`${OSV_MIRROR}/${path}`, 'utf8');
  const parsed: unknown = path.endsWith('.json')
    ? JSON.parse(text)
    : parseYaml(text);
  return parsed as OsvRecord;
}

/** One record of an `all.zip` by id. */
export function zipRecord(folder: string, id: string): OsvRecord {
  const r = zipRecords(folder).find((x) => x.id === id);
  if (!r) throw new Error(`${id} is not in ${folder}/all.zip`);
  return r;
}

/**
 * The ECOSYSTEM and SEMVER ranges and the versions a record gives one
 * package, across all its `affected` entries for that package.
 */
export function rangesOf(
  record: OsvRecord,
  name: string,
): { ranges: AffectedRange[]; versions: string[] } {
  const entries = (record.affected ?? []).filter(
    (a) => a.package?.name === name,
  );
  if (entries.length === 0) throw new Error(`${record.id} omits ${name}`);
  const ranges = entries.flatMap((a) =>
    (a.ranges ?? [])
      .filter((r) => r.type !== 'GIT')
      .map((r) => ({ events: (r.events ?? []).map(toEvent) })),
  );
  const versions = entries.flatMap((a) => a.versions ?? []);
  return { ranges, versions };
}

function toEvent(e: Record<string, string>): RangeEvent {
  const [[kind, version] = []] = Object.entries(e);
  if (version === undefined) throw new Error('an empty event');
  if (kind === 'introduced') return { introduced: version };
  if (kind === 'fixed') return { fixed: version };
  if (kind === 'last_affected') return { lastAffected: version };
  if (kind === 'limit') return { limit: version };
  throw new Error(`an unknown event ${kind}`);
}
