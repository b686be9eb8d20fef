import {
  invalidVersion,
  sign,
  type Ordering,
  type VersionScheme,
} from '../versions/scheme.js';
import { compareNumbers } from '../versions/semver-precedence.js';
import { isClaroError } from '../errors.js';

/**
 * One item of a parsed Maven version: a number (digits without leading
 * zeros), a qualifier (lower case, aliases resolved), or a sub-list that
 * a hyphen or a change between letters and digits opened.
 */
export type MavenItem =
  | { readonly kind: 'number'; readonly digits: string }
  | { readonly kind: 'qualifier'; readonly name: string }
  | { readonly kind: 'list'; readonly items: readonly MavenItem[] };

/** A parsed Maven version: its top-level item list. */
export interface MavenVersion {
  readonly items: readonly MavenItem[];
}

/**
 * Well-known qualifiers in ascending order; the release (empty qualifier)
 * is the sixth. Unknown qualifiers rank after all of them, in lexical
 * order among themselves.
 */
const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const RELEASE_RANK = QUALIFIERS.indexOf('');

/** Qualifiers that mean another one. */
const ALIASES: Readonly<Record<string, string>> = {
  ga: '',
  final: '',
  release: '',
  cr: 'rc',
};

/** A single letter directly followed by digits: `a1` is `alpha-1`. */
const LETTER_ALIASES: Readonly<Record<string, string>> = {
  a: 'alpha',
  b: 'beta',
  m: 'milestone',
};

/** Printable ASCII without the space. */
const ACCEPTED = /^[\x21-\x7e]+$/;

/**
 * Parses a version as Maven's `ComparableVersion` (maven-artifact 3.8.7,
 * the reference in claro's tests) does. Maven has no invalid versions: it
 * splits any string into items (a number, or a qualifier) at `.` and `-`
 * and where letters meet digits, and opens a sub-list at each `-` and at
 * each letter-digit change; an empty item before a separator is the
 * number 0, and trailing "null" items (0, the release qualifier, an empty
 * list) are removed from every list, so `1.0.0` is `1`, `1-ga` is `1`.
 *
 * Maven's releases have changed this ordering for rare spellings (how a
 * qualifier after a dot nests, how a sub-list compares with nothing);
 * claro follows 3.8.7, the release Debian 12 ships.
 *
 * Decision: claro rejects the empty string, which Maven reads as the
 * lowest version, and any version holding whitespace, control or
 * non-ASCII characters, which Maven folds and classifies with Java's
 * Unicode tables.
 *
 * @throws ClaroError INVALID_VERSION naming the reason.
 */
export function parseMavenVersion(version: string): MavenVersion {
  if (!ACCEPTED.test(version)) {
    const reason = version === '' ? 'version is empty' : 'not printable ASCII';
    throw invalidVersion('maven', version, reason);
  }
  return { items: new ItemParser(version.toLowerCase()).parse() };
}

/** Like {@link parseMavenVersion}, but returns undefined when invalid. */
export function tryParseMavenVersion(
  version: string,
): MavenVersion | undefined {
  try {
    return parseMavenVersion(version);
  } catch (err) {
    if (isClaroError(err, 'INVALID_VERSION')) return undefined;
    throw err;
  }
}

/**
 * Orders two parsed versions as `ComparableVersion.compareTo` does: the
 * lists item by item, a missing item standing for "nothing". Between
 * kinds: number > list > qualifier, so `1.1` > `1-1` > `1-sp`;
 * qualifiers by rank (`alpha` < `beta` < `milestone` < `rc` < `snapshot`
 * < release < `sp` < unknown, unknown ones lexically). Against nothing, a
 * number is greater unless 0, a qualifier compares as against the
 * release, and a list as its first item that does not compare equal.
 */
export function compareMavenVersions(
  a: MavenVersion,
  b: MavenVersion,
): Ordering {
  return compareLists(a.items, b.items);
}

/**
 * The canonical form Maven derives: items joined with `.`, with `-`
 * before each sub-list (`1-RC1` is `1-rc-1`).
 */
export function formatMavenVersion(v: MavenVersion): string {
  return formatList(v.items);
}

/**
 * The `maven` version scheme of Java packages (Maven Central, and OSV's
 * Maven records), as Maven's `ComparableVersion` orders versions.
 */
export const mavenScheme: VersionScheme = {
  id: 'maven',
  valid: (version) => tryParseMavenVersion(version) !== undefined,
  compare: (a, b) =>
    compareMavenVersions(parseMavenVersion(a), parseMavenVersion(b)),
};

type MutableList = MavenItem[];

/** Splits a lower-cased version into nested lists, as Maven's parser. */
class ItemParser {
  private readonly root: MutableList = [];
  private readonly lists: MutableList[] = [this.root];
  private list: MutableList = this.root;
  private digits = false;
  private start = 0;

  constructor(private readonly text: string) {}

  parse(): MavenItem[] {
    for (let i = 0; i < this.text.length; i++) this.step(i);
    if (this.text.length > this.start) {
      if (!this.digits) this.openListUnlessEmpty();
      this.list.push(item(this.digits, this.text.slice(this.start)));
    }

    // Innermost lists first, so an emptied sub-list is itself removed.
    for (const list of this.lists.reverse()) normalize(list);
    return this.root;
  }

  private step(i: number): void {
    const c = this.text[i]!;
    if (c === '.' || c === '-') {
      this.endItem(i);
      this.start = i + 1;
      if (c === '-') this.openList();
      return;
    }

    const digit = c >= '0' && c <= '9';
    if (digit !== this.digits && i > this.start) {
      const text = this.text.slice(this.start, i);
      if (digit) this.openListUnlessEmpty();
      this.list.push(digit ? qualifier(text, true) : number(text));
      this.start = i;
      this.openList();
    }
    this.digits = digit;
  }

  /**
   * Maven 3.8 puts a qualifier that ends the version or is followed by
   * digits into a sub-list of its own, unless it opens the current list:
   * `1.0.b2` is `1-beta-2`, `2.0.a` is `2-a`.
   */
  private openListUnlessEmpty(): void {
    if (this.list.length > 0) this.openList();
  }

  private endItem(i: number): void {
    const text = this.text.slice(this.start, i);
    this.list.push(text === '' ? ZERO : item(this.digits, text));
  }

  private openList(): void {
    const list: MutableList = [];
    this.list.push({ kind: 'list', items: list });
    this.lists.push(list);
    this.list = list;
  }
}

const ZERO: MavenItem = { kind: 'number', digits: '0' };

function item(digits: boolean, text: string): MavenItem {
  return digits ? number(text) : qualifier(text, false);
}

function number(text: string): MavenItem {
  return { kind: 'number', digits: text.replace(/^0+(?=.)/, '') };
}

function qualifier(text: string, followedByDigit: boolean): MavenItem {
  const name = (followedByDigit && LETTER_ALIASES[text]) || text;
  return { kind: 'qualifier', name: ALIASES[name] ?? name };
}

/** Removes trailing null items, stepping over trailing sub-lists. */
function normalize(list: MutableList): void {
  for (let i = list.length - 1; i >= 0; i--) {
    const last = list[i]!;
    if (isNull(last)) list.splice(i, 1);
    else if (last.kind !== 'list') break;
  }
}

function isNull(item: MavenItem): boolean {
  if (item.kind === 'number') return item.digits === '0';
  if (item.kind === 'qualifier') return item.name === '';
  return item.items.length === 0;
}

function compareLists(
  a: readonly MavenItem[],
  b: readonly MavenItem[],
): Ordering {
  for (let i = 0; i < a.length || i < b.length; i++) {
    const order = compareItems(a[i], b[i]);
    if (order !== 0) return order;
  }
  return 0;
}

/** Item against item; undefined is "nothing" (the other list ended). */
function compareItems(
  a: MavenItem | undefined,
  b: MavenItem | undefined,
): Ordering {
  if (a === undefined) return b === undefined ? 0 : invert(againstNothing(b));
  if (b === undefined) return againstNothing(a);
  if (a.kind !== b.kind) return sign(KIND_RANK[a.kind] - KIND_RANK[b.kind]);

  if (a.kind === 'number' && b.kind === 'number') {
    return compareNumbers(a.digits, b.digits);
  }
  if (a.kind === 'qualifier' && b.kind === 'qualifier') {
    return compareText(rankKey(a.name), rankKey(b.name));
  }
  if (a.kind === 'list' && b.kind === 'list') {
    return compareLists(a.items, b.items);
  }
  return 0;
}

const KIND_RANK = { qualifier: 0, list: 1, number: 2 } as const;

function againstNothing(item: MavenItem): Ordering {
  if (item.kind === 'number') return item.digits === '0' ? 0 : 1;
  if (item.kind === 'qualifier') {
    return compareText(rankKey(item.name), String(RELEASE_RANK));
  }
  for (const inner of item.items) {
    const order = againstNothing(inner);
    if (order !== 0) return order;
  }
  return 0;
}

/**
 * Maven's comparable form of a qualifier: its rank as a digit when
 * well-known, else `7-` and the name, compared as strings.
 */
function rankKey(name: string): string {
  const rank = QUALIFIERS.indexOf(name);
  return rank < 0 ? `${QUALIFIERS.length}-${name}` : String(rank);
}

function invert(order: Ordering): Ordering {
  return order === 0 ? 0 : order === 1 ? -1 : 1;
}

function compareText(a: string, b: string): Ordering {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function formatList(items: readonly MavenItem[]): string {
  let text = '';
  for (const item of items) {
    if (text !== '') text += item.kind === 'list' ? '-' : '.';
    text += formatItem(item);
  }
  return text;
}

function formatItem(item: MavenItem): string {
  if (item.kind === 'number') return item.digits;
  if (item.kind === 'qualifier') return item.name;
  return formatList(item.items);
}
