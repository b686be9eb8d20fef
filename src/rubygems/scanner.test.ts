import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { memoryFiles } from '../indexer/memory-files.js';
import { readGemSpec } from './gemspec.js';
import { rubyGemsScanner } from './scanner.js';

/** As RubyGems 3 writes them into `specifications/`. */
const RAKE = `# -*- encoding: utf-8 -*-
# stub: rake 13.0.6 ruby lib

Gem::Specification.new do |s|
  s.name = "rake".freeze
  s.version = "13.0.6"

  s.required_rubygems_version = Gem::Requirement.new(">= 1.3.2".freeze) if s.respond_to? :required_rubygems_version=
  s.metadata = { "source_code_uri" => "https://github.com/ruby/rake/tree/v13.0.6" } if s.respond_to? :metadata=
  s.require_paths = ["lib".freeze]
  s.authors = ["Hiroshi SHIBATA".freeze]
end
`;

describe('readGemSpec', () => {
  it('reads frozen, single-quoted, %q and Gem::Version literals', () => {
    const cases: [string, { name: string; version: string }][] = [
      [RAKE, { name: 'rake', version: '13.0.6' }],
      [
        "Gem::Specification.new do |spec|\n  spec.name = 'json'\n" +
          '  spec.version = "2.6.3".freeze\nend\n',
        { name: 'json', version: '2.6.3' },
      ],
      [
        's.name = %q{rack}\ns.version = "1.1.0"\n',
        { name: 'rack', version: '1.1.0' },
      ],
      [
        's.name = "nokogiri"\n' + 's.version = Gem::Version.new("1.15.4")\n',
        { name: 'nokogiri', version: '1.15.4' },
      ],
    ];
    for (const [text, want] of cases) assert.deepEqual(readGemSpec(text), want);
  });

  it('falls back to the stub line when the version is not a literal', () => {
    const text =
      '# stub: openssl 3.1.0 ruby lib\n' +
      'Gem::Specification.new do |s|\n  s.name = "openssl"\n' +
      '  s.version = OpenSSL::VERSION\nend\n';
    assert.deepEqual(readGemSpec(text), { name: 'openssl', version: '3.1.0' });
  });

  it('gives nothing without a name and version anywhere', () => {
    assert.equal(readGemSpec('s.name = "x"\n'), undefined);
    assert.equal(readGemSpec('s.summary = "s.version = 1"\n'), undefined);
  });
});

describe('rubyGemsScanner', () => {
  it('finds specifications and default gems, not other gemspecs', () => {
    const home = 'usr/local/lib/ruby/gems/3.2.0';
    const got = rubyGemsScanner.scan(
      memoryFiles({
        [`${home}/specifications/rake-13.0.6.gemspec`]: RAKE,
        [`${home}/specifications/default/json-2.6.3.gemspec`]:
          's.name = "json".freeze\ns.version = "2.6.3"\n',
        [`${home}/gems/rake-13.0.6/rake.gemspec`]: RAKE,
        [`${home}/specifications/bad-1.gemspec`]: 'Gem::Specification.new\n',
      }),
    );
    assert.deepEqual(
      got.packages.map((f) => [
        f.path,
        f.packages[0]?.name,
        f.packages[0]?.version,
      ]),
      [
        [`${home}/specifications/default/json-2.6.3.gemspec`, 'json', '2.6.3'],
        [`${home}/specifications/rake-13.0.6.gemspec`, 'rake', '13.0.6'],
      ],
    );
    assert.deepEqual(got.packages[1]?.packages[0], {
      name: 'rake',
      version: '13.0.6',
      kind: 'binary',
      packageDb: `${home}/specifications/rake-13.0.6.gemspec`,
      scheme: 'gem',
      ecosystem: 'RubyGems',
    });
    assert.deepEqual(
      got.notices.map((n) => [n.code, n.path]),
      [['skipped-record', `${home}/specifications/bad-1.gemspec`]],
    );
  });
});
