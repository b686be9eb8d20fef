import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { LayerRecord } from '../layer/record.js';
import { resolveLink } from '../layer/paths.js';
import { memoryFiles } from './memory-files.js';
import type { LayerFiles, Scanner } from './scanner.js';
import type { Notice } from './types.js';

const MAX_HOPS = 40;

/**
 * Reads what scanners ask for from a root filesystem folder, as if it were
 * one layer. Symbolic links are resolved inside the folder, never outside
 * it: an absolute target means the folder's root, as in the image.
 */
export async function readFolder(
  root: string,
  scanners: readonly Scanner[],
): Promise<{ files: LayerFiles; record: LayerRecord; notices: Notice[] }> {
  const files = new Map<string, Buffer>();
  const notices: Notice[] = [];
  for (const s of scanners) {
    const wanted = [...(s.selector.exact ?? [])];
    for (const dir of s.selector.children ?? []) {
      wanted.push(...(await children(root, dir)));
    }
    for (const p of wanted) {
      if (files.has(p)) continue;
      const body = await readInside(root, p, s.maxFileSize, notices);
      if (body) files.set(p, body);
    }
  }
  const paths = [...files.keys()].sort();
  const record = {
    whiteouts: [],
    opaqueDirs: [],
    replaced: [],
    paths,
    notices,
  };
  return { files: memoryFiles(files), record, notices };
}

async function children(root: string, dir: string): Promise<string[]> {
  const real = await resolveInside(root, dir);
  if (real === undefined) return [];
  const names = await readdir(join(root, real)).catch(() => []);
  return names.map((n) => `${dir}/${n}`);
}

async function readInside(
  root: string,
  path: string,
  max: number,
  notices: Notice[],
): Promise<Buffer | undefined> {
  const real = await resolveInside(root, path);
  if (real === undefined) return undefined;
  const info = await lstat(join(root, real));
  if (!info.isFile()) return undefined;
  if (info.size > max) {
    notices.push({
      code: 'skipped-file',
      message: `Skipped ${path}: larger than ${max} bytes`,
      path,
    });
    return undefined;
  }
  return readFile(join(root, real));
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
