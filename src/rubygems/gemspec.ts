/**
 * Installed gem specifications: the Ruby that RubyGems writes into
 * `specifications/<name>-<version>[-<platform>].gemspec` when it installs
 * a gem (`Gem::Specification#to_ruby`):
 *
 *     # stub: rake 13.0.6 ruby lib
 *
 *     Gem::Specification.new do |s|
 *       s.name = "rake".freeze
 *       s.version = "13.0.6"
 *
 * The text is read, never run: the name and version are string literals
 * assigned to the block variable (double or single quotes, `%q{}` in old
 * releases, `Gem::Version.new("…")`), or else those of the `# stub:` line.
 */

/** The fields claro reads from one gemspec. */
export interface GemSpec {
  readonly name: string;
  readonly version: string;
}

const LITERAL = String.raw`(?:"([^"\\]*)"|'([^'\\]*)'|%q\{([^}]*)\})`;
const NAME = new RegExp(String.raw`^\s*\w+\.name\s*=\s*${LITERAL}`, 'm');
const VERSION = new RegExp(
  String.raw`^\s*\w+\.version\s*=\s*` +
    String.raw`(?:Gem::Version\.new\(\s*${LITERAL}\s*\)|${LITERAL})`,
  'm',
);
const STUB = /^# stub: (\S+) (\S+)/m;

/** Reads a gemspec's name and version; undefined when either is absent. */
export function readGemSpec(text: string): GemSpec | undefined {
  const name = literal(NAME.exec(text));
  const version = literal(VERSION.exec(text));
  if (name && version) return { name, version };

  const stub = STUB.exec(text);
  if (!stub) return undefined;
  return { name: name ?? stub[1]!, version: version ?? stub[2]! };
}

/** The first captured literal of a match, trimmed; undefined if empty. */
function literal(m: RegExpExecArray | null): string | undefined {
  const v = m
    ?.slice(1)
    .find((g) => g !== undefined)
    ?.trim();
  return v === '' ? undefined : v;
}
