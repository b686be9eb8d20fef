/**
 * Which versions a vulnerability record affects: the OSV schema's
 * evaluation of `ranges` and `versions` (OSV schema, "Evaluation" and
 * "affected[].ranges[].events fields"), over any version scheme.
 */
import { ClaroError, isClaroError } from '../errors.js';
import type { Ordering, VersionScheme } from '../versions/scheme.js';
import { versionScheme } from '../versions/registry.js';
import type { AffectedRange, RangeEvent, Vulnerability } from './types.js';

/** The parts of a record that say which versions it affects. */
export type AffectedVersions = Pick<
  Vulnerability,
  'ranges' | 'versions' | 'fixedInVersion'
>;

/**
 * OSV's `introduced: "0"`: a version that sorts before any other. It is
 * never handed to a scheme: `semver` rejects `0`, and `go` reads it as
 * v0.0.0, above the pseudo-versions v0.0.0-... that it must cover.
 */
const BEFORE_ALL = '0';
/** OSV's `limit: "*"`: a version above any other. */
const AFTER_ALL = '*';

/**
 * Whether `record` affects `version`, compared by `scheme`:
 *
 * - with neither `ranges` nor `versions`, the record is keyed on its fix
 *   alone: every version before `fixedInVersion` is affected, and every
 *   version when it is empty;
 * - otherwise, as OSV evaluates a package's entry: the version is
 *   affected when `versions` lists it or a range includes it. A range
 *   includes it when it is below one of the range's `limit` events (any
 *   version, without one), and walking the events in version order,
 *   the last that applies is an `introduced` at or below it (a `fixed`
 *   at or below it, or a `lastAffected` strictly below it, ends the
 *   affected span).
 *
 * A listed version matches by the scheme's equality (`2.0` and `2.0.0`
 * are one PEP 440 version), or as the same string when the scheme
 * rejects the listed one. Only the comparisons the answer needs are
 * made, so `introduced: "0"` alone affects even a version the scheme
 * rejects.
 *
 * @throws ClaroError INVALID_VERSION when a comparison the answer needs
 *   cannot be made: an unparsable version never reads as "not affected".
 */
export function isAffected(
  version: string,
  record: AffectedVersions,
  scheme: VersionScheme,
): boolean {
  if (record.ranges === undefined && record.versions === undefined) {
    if (record.fixedInVersion === '') return true;
    return scheme.compare(version, record.fixedInVersion) < 0;
  }

  const versions = record.versions ?? [];
  if (versions.includes(version)) return true;
  if ((record.ranges ?? []).some((r) => inRange(version, r, scheme))) {
    return true;
  }
  return listed(version, versions, scheme);
}

/**
 * {@link isAffected} with the scheme the record names. A scheme claro
 * does not know cannot decide anything, so it is an INVALID_VERSION too.
 */
export function affectsVersion(
  version: string,
  record: Vulnerability,
): boolean {
  return isAffected(version, record, recordScheme(version, record));
}

/**
 * The fix that ends the affected span holding `version`, for display:
 * the first `fixed` event above it in the first range that includes it
 * (`1.22.1` for go1.22.0 in a record fixed in 1.21.8 and 1.22.1), empty
 * when that span has none (it ends at a `lastAffected`, or is open). A
 * version affected through `versions` alone gets the first `fixed` event
 * above it in any range. A record without ranges, or one whose versions
 * cannot be compared, keeps its own `fixedInVersion`.
 */
export function fixedVersionFor(
  version: string,
  record: Vulnerability,
): string {
  if (record.ranges === undefined) return record.fixedInVersion;
  try {
    const scheme = recordScheme(version, record);
    const holding = record.ranges.find((r) => inRange(version, r, scheme));
    const ranges = holding ? [holding] : record.ranges;
    const fixes = ranges.flatMap((r) => fixesAbove(version, r, scheme));
    return fixes.sort((a, b) => scheme.compare(a, b))[0] ?? '';
  } catch (err) {
    if (!isClaroError(err, 'INVALID_VERSION')) throw err;
    return record.fixedInVersion;
  }
}

/** In one range, the first `fixed` event above `version`, if any. */
function fixesAbove(
  version: string,
  range: AffectedRange,
  scheme: VersionScheme,
): string[] {
  for (const e of sortEvents(range.events, scheme)) {
    if ('lastAffected' in e && scheme.compare(version, e.lastAffected) <= 0) {
      return [];
    }
    if ('fixed' in e && scheme.compare(version, e.fixed) < 0) return [e.fixed];
  }
  return [];
}

/** The record's scheme; one claro does not know is an INVALID_VERSION. */
function recordScheme(version: string, record: Vulnerability): VersionScheme {
  try {
    return versionScheme(record.scheme);
  } catch (err) {
    if (!isClaroError(err, 'INVALID_ARGUMENT')) throw err;
    throw new ClaroError(
      'INVALID_VERSION',
      `Cannot compare "${version}": record ${record.name} uses ` +
        `an unknown version scheme "${record.scheme}"`,
      { cause: err },
    );
  }
}

/**
 * Whether `versions` holds a version equal to `version` by the scheme.
 * Listed versions the scheme rejects only match as strings, which the
 * caller has tried; an unparsable `version` throws.
 */
function listed(
  version: string,
  versions: readonly string[],
  scheme: VersionScheme,
): boolean {
  return versions.some(
    (v) => scheme.valid(v) && scheme.compare(version, v) === 0,
  );
}

function inRange(
  version: string,
  range: AffectedRange,
  scheme: VersionScheme,
): boolean {
  if (!beforeLimits(version, range.events, scheme)) return false;

  let affected = false;
  for (const e of sortEvents(range.events, scheme)) {
    if ('introduced' in e) {
      if (atOrAbove(version, e.introduced, scheme)) affected = true;
    } else if ('fixed' in e) {
      if (scheme.compare(version, e.fixed) >= 0) affected = false;
    } else if ('lastAffected' in e) {
      if (scheme.compare(version, e.lastAffected) > 0) affected = false;
    }
  }
  return affected;
}

/** No `limit` means `limit: "*"`; with several, any one above will do. */
function beforeLimits(
  version: string,
  events: readonly RangeEvent[],
  scheme: VersionScheme,
): boolean {
  const limits = events.flatMap((e) => ('limit' in e ? [e.limit] : []));
  if (limits.length === 0) return true;
  return limits.some(
    (l) => l.includes(AFTER_ALL) || scheme.compare(version, l) < 0,
  );
}

function atOrAbove(
  version: string,
  introduced: string,
  scheme: VersionScheme,
): boolean {
  if (introduced === BEFORE_ALL) return true;
  return scheme.compare(version, introduced) >= 0;
}

/**
 * The events in version order; events of one version keep the record's
 * order (the sort is stable). `limit` events take no part in the walk.
 */
function sortEvents(
  events: readonly RangeEvent[],
  scheme: VersionScheme,
): RangeEvent[] {
  const walked = events.filter((e) => !('limit' in e));
  return walked.sort((a, b) => compareEvents(a, b, scheme));
}

function compareEvents(
  a: RangeEvent,
  b: RangeEvent,
  scheme: VersionScheme,
): Ordering {
  const x = eventVersion(a);
  const y = eventVersion(b);
  if (x === undefined || y === undefined) {
    if (x === y) return 0;
    return x === undefined ? -1 : 1;
  }
  return scheme.compare(x, y);
}

/** The event's version, or undefined for `introduced: "0"`. */
function eventVersion(e: RangeEvent): string | undefined {
  if ('introduced' in e) {
    return e.introduced === BEFORE_ALL ? undefined : e.introduced;
  }
  if ('fixed' in e) return e.fixed;
  if ('lastAffected' in e) return e.lastAffected;
  return e.limit;
}
