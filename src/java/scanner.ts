import type {
  ExtractedFile,
  FileSink,
  LayerFiles,
  Scanner,
} from '../indexer/scanner.js';
import type { Notice, PackageFinding, ScanResult } from '../indexer/types.js';
import {
  JAVA_ARCHIVE_EXTENSIONS,
  readJavaArchive,
  type JavaArchiveResult,
} from './archive.js';

/**
 * Archives are read whole (a zip's directory is at its end), one at a
 * time while the layer streams by, and dropped once read: 512 MiB.
 */
const MAX_ARCHIVE_SIZE = 512 * 1024 * 1024;

/** Selector patterns: every file with a Java archive extension. */
export const JAVA_ARCHIVE_PATTERNS: readonly string[] =
  JAVA_ARCHIVE_EXTENSIONS.map((ext) => `**/*${ext}`);

/**
 * Finds the Maven packages of every Java archive in a layer (by file name
 * extension, lower case), nested archives included, as readJavaArchive
 * (archive.ts) identifies them. Each archive is streamed into memory,
 * read, and released: only its packages and notices are kept. One
 * PackageFinding per archive, keyed by its layer path.
 */
export const javaArchiveScanner: Scanner = {
  name: 'java-archive',
  version: '1',
  kind: 'package',
  selector: { patterns: JAVA_ARCHIVE_PATTERNS },
  maxFileSize: MAX_ARCHIVE_SIZE,
  extract: (file) => new JavaArchiveSink(file),
  scan: scanJavaArchives,
};

/** Collects one archive; its extract is its JavaArchiveResult as JSON. */
class JavaArchiveSink implements FileSink {
  private readonly data: Buffer;
  private at = 0;

  constructor(private readonly file: ExtractedFile) {
    this.data = Buffer.allocUnsafe(file.size);
  }

  write(chunk: Buffer): boolean {
    const room = this.data.length - this.at;
    this.at += chunk.copy(this.data, this.at, 0, Math.min(room, chunk.length));
    return this.at < this.data.length;
  }

  end(): Buffer | undefined {
    const data = this.data.subarray(0, this.at);
    const result = readJavaArchive(data, this.file.path);
    return Buffer.from(JSON.stringify(result));
  }
}

function scanJavaArchives(files: LayerFiles): ScanResult {
  const packages: PackageFinding[] = [];
  const notices: Notice[] = [];

  for (const path of files.paths()) {
    const data = files.read(path);
    if (data === undefined) continue;

    const result = JSON.parse(data.toString('utf8')) as JavaArchiveResult;
    packages.push({ path, packages: result.packages });
    notices.push(...result.notices);
  }

  return { packages, distributions: [], notices };
}
