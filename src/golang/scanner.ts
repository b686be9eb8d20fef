import type { FileSink, LayerFiles, Scanner } from '../indexer/scanner.js';
import type { Notice, PackageFinding, ScanResult } from '../indexer/types.js';
import type { BuildInfoRead } from './buildinfo.js';
import { goPackages } from './packages.js';
import { BuildInfoStream } from './stream.js';

/** `\x7fELF`, in hex, as the selector wants executable magics. */
const ELF_MAGIC_HEX = '7f454c46';
/** Executables are streamed, never kept: the largest read is 2 GiB. */
const MAX_BINARY_SIZE = 2 * 1024 * 1024 * 1024;

/**
 * Finds the Go modules and toolchain of every Go executable in a layer:
 * regular files with an execute bit whose contents start with the ELF
 * magic, streamed through BuildInfoStream (stream.ts) so that only their
 * build information is kept. One PackageFinding per Go binary, keyed (and
 * `packageDb`) by its layer path; packages as goPackages (packages.ts)
 * lists them. Executables that Go did not build yield nothing; Go
 * binaries whose build information cannot be read yield a `skipped-file`
 * notice, and malformed module information lines a `skipped-record` one.
 */
export const goBinaryScanner: Scanner = {
  name: 'gobinary',
  version: '1',
  kind: 'package',
  selector: { executables: { magic: [ELF_MAGIC_HEX] } },
  maxFileSize: MAX_BINARY_SIZE,
  extract: () => new GoBinarySink(),
  scan: scanGoBinaries,
};

/**
 * Streams one executable; its extract is the BuildInfoRead as JSON, or
 * nothing for executables without Go build information.
 */
class GoBinarySink implements FileSink {
  private readonly stream = new BuildInfoStream();

  write(chunk: Buffer): boolean {
    return this.stream.write(chunk);
  }

  end(): Buffer | undefined {
    const read = this.stream.result();
    if (read.kind === 'not-go') return undefined;
    return Buffer.from(JSON.stringify(read));
  }
}

function scanGoBinaries(files: LayerFiles): ScanResult {
  const packages: PackageFinding[] = [];
  const notices: Notice[] = [];

  for (const path of files.paths()) {
    const data = files.read(path);
    if (data === undefined) continue;

    const read = JSON.parse(data.toString('utf8')) as BuildInfoRead;
    if (read.kind === 'invalid') {
      notices.push(notice('skipped-file', path, read.reason));
      continue;
    }
    if (read.kind !== 'go') continue;

    packages.push({ path, packages: goPackages(read.info, path) });
    for (const s of read.info.skipped) {
      const why = `module information line ${s.line}: ${s.reason}`;
      notices.push(notice('skipped-record', path, why));
    }
  }

  return { packages, distributions: [], notices };
}

function notice(code: Notice['code'], path: string, why: string): Notice {
  return {
    code,
    message: `Cannot read Go build information of ${path}: ${why}`,
    path,
  };
}
