import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseModInfo, quotedPrefix } from './modinfo.js';

describe('parseModInfo', () => {
  it('reads path, main module, dependencies and settings', () => {
    const got = parseModInfo(
      [
        'path\tgithub.com/example/tool/cmd/tool',
        'mod\tgithub.com/example/tool\tv1.2.3\th1:abc=',
        'dep\tgithub.com/pkg/errors\tv0.9.1\th1:def=',
        'dep\tgolang.org/x/sys\tv0.15.0\th1:ghi=',
        'build\tGOOS=linux',
        '',
      ].join('\n'),
    );
    assert.deepEqual(got, {
      path: 'github.com/example/tool/cmd/tool',
      main: {
        path: 'github.com/example/tool',
        version: 'v1.2.3',
        sum: 'h1:abc=',
      },
      deps: [
        { path: 'github.com/pkg/errors', version: 'v0.9.1', sum: 'h1:def=' },
        { path: 'golang.org/x/sys', version: 'v0.15.0', sum: 'h1:ghi=' },
      ],
      settings: [{ key: 'GOOS', value: 'linux' }],
      skipped: [],
    });
  });

  it('attaches a => line to the module line before it', () => {
    const got = parseModInfo(
      [
        'dep\tgolang.org/x/net\tv0.17.0',
        '=>\tgithub.com/fork/net\tv0.17.1-fork\th1:fork=',
        'dep\tgolang.org/x/text\tv0.14.0\th1:text=',
        'dep\texample.com/local\tv0.0.0',
        '=>\t../local\t\t',
      ].join('\n'),
    );
    assert.deepEqual(got.deps, [
      {
        path: 'golang.org/x/net',
        version: 'v0.17.0',
        replace: {
          path: 'github.com/fork/net',
          version: 'v0.17.1-fork',
          sum: 'h1:fork=',
        },
      },
      { path: 'golang.org/x/text', version: 'v0.14.0', sum: 'h1:text=' },
      {
        path: 'example.com/local',
        version: 'v0.0.0',
        replace: { path: '../local', version: '' },
      },
    ]);
  });

  it('keeps a (devel) main module with its empty sum column', () => {
    const got = parseModInfo('mod\texample.com/app\t(devel)\t\n');
    assert.deepEqual(got.main, { path: 'example.com/app', version: '(devel)' });
  });

  it('skips malformed lines and keeps the rest', () => {
    const got = parseModInfo(
      [
        '=>\tgithub.com/orphan\tv1.0.0\t',
        'dep\tonly-one-column',
        'dep\tgolang.org/x/text\tv0.14.0\th1:text=',
        '=>\ta\tv1\t',
        '=>\tb\tv2\t',
        'build\tnovalue',
        'surprise\tline',
      ].join('\n'),
    );
    assert.deepEqual(got.deps, [
      {
        path: 'golang.org/x/text',
        version: 'v0.14.0',
        replace: { path: 'a', version: 'v1' },
      },
    ]);
    assert.deepEqual(got.skipped, [
      { line: 1, reason: 'replacement without a module before it' },
      { line: 2, reason: 'expected 2 or 3 module columns, got 1' },
      { line: 5, reason: 'replacement without a module before it' },
      { line: 6, reason: 'build setting without key=value' },
      { line: 7, reason: 'unknown line kind "surprise"' },
    ]);
  });

  it('unquotes quoted keys and values of build settings', () => {
    const got = parseModInfo(
      [
        'build\t-ldflags="-s -w -X \\"main.v=1\\""',
        'build\t"odd=key"=plain',
        'build\t-tags=`raw value`',
        'build\tCGO_CFLAGS=',
      ].join('\n'),
    );
    assert.deepEqual(got.settings, [
      { key: '-ldflags', value: '-s -w -X "main.v=1"' },
      { key: 'odd=key', value: 'plain' },
      { key: '-tags', value: 'raw value' },
      { key: 'CGO_CFLAGS', value: '' },
    ]);
  });

  it('ignores a go line, which only String() output has', () => {
    const got = parseModInfo('go\tgo1.22.0\npath\tx\n');
    assert.equal(got.path, 'x');
    assert.deepEqual(got.skipped, []);
  });
});

describe('quotedPrefix', () => {
  const cases: [string, { value: string; length: number } | undefined][] = [
    ['"a\\tb" rest', { value: 'a\tb', length: 6 }],
    ['"\\x41\\101\\u00e9\\U0001F600"', { value: 'AAé😀', length: 26 }],
    ['"\\xc3\\xa9"', { value: 'é', length: 10 }],
    ['"unterminated', undefined],
    ['"bad \\q escape"', undefined],
    ['"\\ud800"', undefined],
    ['`raw \\n`x', { value: 'raw \\n', length: 8 }],
    ['plain', undefined],
  ];
  for (const [input, want] of cases) {
    it(`reads ${JSON.stringify(input)}`, () => {
      assert.deepEqual(quotedPrefix(input), want);
    });
  }
});
