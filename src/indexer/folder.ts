import { createReadStream, type Dirent } from 'node:fs';
import { lstat, open, readdir, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LayerRecord } from '../layer/record.js';
import { fanOut } from '../layer/fanout.js';
import { resolveLink } from '../layer/paths.js';
import {
  compileSelector,
  mergeSelections,
  type CompiledSelector,
  type Selection,
} from '../layer/selector.js';
import { memoryFiles } from './memory-files.js';
import type { LayerFiles, Scanner, ScannerInputs } from './scanner.js';
import type { Notice } from './types.js';

const MAX_HOPS = 40;
const EXEC_BITS = 0o111;

/** What reading a root filesystem folder gives the indexer. */
export interface FolderContents extends ScannerInputs {
  readonly record: LayerRecord;
  readonly notices: Notice[];
}

/**
 * Reads what scanners ask for from a root filesystem folder, as if it were
 * one layer, with the layer reader's selection and routing: `exact` paths
 * and `children` folders are looked up, following symbolic links inside
 * the folder, never outside it (an absolute target means the folder's
 * root, as in the image); `patterns` and `executables` walk the whole tree
 * without following links to folders, as a layer's entries list a folder's
 * contents under its real path only.
 */
export async function readFolder(
  root: string,
  scanners: readonly Scanner[],
): Promise<FolderContents> {
  const selector = compileSelector(scanners);
  const reader = new FolderReader(root, selector);
  for (const s of scanners) {
    for (const p of s.selector.exact ?? []) await reader.visit(p);
    for (const dir of s.selector.children ?? []) {
      for (const p of await children(root, dir)) await reader.visit(p);
    }
  }
  if (scanners.some((s) => s.selector.patterns || s.selector.executables)) {
    await reader.walk('');
  }
  return reader.finish();
}

class FolderReader {
  private readonly kept = new Map<string, Buffer>();
  private readonly extracts = new Map<string, Map<string, Buffer>>();
  private readonly seen = new Set<string>();
  private readonly notices: Notice[] = [];

  constructor(
    private readonly root: string,
    private readonly selector: CompiledSelector,
  ) {}

  /** Every entry below `dir` ('' for the root), links not followed. */
  async walk(dir: string): Promise<void> {
    const entries = await readdir(join(this.root, dir), {
      withFileTypes: true,
    }).catch((): Dirent[] => []);
    for (const e of entries) {
      const path = dir === '' ? e.name : `${dir}/${e.name}`;
      if (e.isDirectory()) await this.walk(path);
      else await this.visit(path, e.isFile());
    }
  }

  /**
   * Reads `path` when selected: by its path (followed through links), or,
   * for a regular file with an execute bit (`regular`: known from the
   * walk not to be a link), by its first bytes.
   */
  async visit(path: string, regular = false): Promise<void> {
    if (this.seen.has(path)) return;
    this.seen.add(path);

    const real = await resolveInside(this.root, path);
    if (real === undefined) return;
    const info = await stat(join(this.root, real));
    if (!info.isFile()) return;

    let sel = this.selector.select(path);
    if (regular && info.mode & EXEC_BITS && this.selector.headBytes > 0) {
      const head = await readHead(join(this.root, real), this.selector);
      sel = mergeSelections(sel, this.selector.selectHead(head));
    }
    if (sel) await this.read(path, join(this.root, real), sel, info);
  }

  finish(): FolderContents {
    const record: LayerRecord = {
      whiteouts: [],
      opaqueDirs: [],
      replaced: [],
      paths: [...this.selected()].sort(),
      notices: this.notices,
    };
    const extracts = new Map<string, LayerFiles>();
    for (const [name, m] of this.extracts) extracts.set(name, memoryFiles(m));
    const files = memoryFiles(this.kept);
    return { files, extracts, record, notices: this.notices };
  }

  private selected(): Set<string> {
    const out = new Set(this.kept.keys());
    for (const m of this.extracts.values()) {
      for (const p of m.keys()) out.add(p);
    }
    return out;
  }

  private async read(
    path: string,
    file: string,
    sel: Selection,
    info: { size: number; mode: number },
  ): Promise<void> {
    const sink = fanOut({ path, size: info.size, mode: info.mode }, sel, {
      kept: (body) => this.kept.set(path, body),
      extracted: (s, body) => this.extractsOf(s.name).set(path, body),
      skipped: (why) => this.notice(path, why),
      failed: (s, why) => this.notice(path, `scanner ${s.name}: ${why}`),
    });
    for await (const chunk of createReadStream(file)) {
      sink.write(chunk as Buffer);
    }
    sink.end();
  }

  private extractsOf(name: string): Map<string, Buffer> {
    let m = this.extracts.get(name);
    if (!m) this.extracts.set(name, (m = new Map()));
    return m;
  }

  private notice(path: string, why: string): void {
    this.notices.push({
      code: 'skipped-file',
      message: `Skipped ${path}: ${why}`,
      path,
    });
  }
}

async function readHead(
  file: string,
  selector: CompiledSelector,
): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(selector.headBytes);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

async function children(root: string, dir: string): Promise<string[]> {
  const real = await resolveInside(root, dir);
  if (real === undefined) return [];
  const names = await readdir(join(root, real)).catch(() => []);
  return names.map((n) => `${dir}/${n}`);
}

/** Follows links component by component, keeping the walk inside root. */
async function resolveInside(
  root: string,
  path: string,
): Promise<string | undefined> {
  let done: string[] = [];
  let todo = path.split('/');
  for (let hops = 0; todo.length > 0;) {
    const part = todo.shift()!;
    const cur = [...done, part].join('/');
    const info = await lstat(join(root, cur)).catch(() => undefined);
    if (!info) return undefined;
    if (!info.isSymbolicLink()) {
      done.push(part);
      continue;
    }
    if (++hops > MAX_HOPS) return undefined;
    const target = resolveLink(cur, await readlink(join(root, cur)));
    done = [];
    todo = [...target.split('/').filter((p) => p !== ''), ...todo];
  }
  return done.join('/');
}
