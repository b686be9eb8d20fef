import { build } from 'esbuild';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('./memory-child.ts', import.meta.url));

/**
 * Compiles the memory child into one ES module under `outDir`, npm
 * packages left as imports, so that it runs on plain Node: the tsx loader
 * would add its own ~38 MiB (a loader thread) to every peak measured.
 */
export async function buildMemoryChild(outDir: string): Promise<string> {
  const outfile = join(outDir, 'memory-child.mjs');
  await build({
    entryPoints: [ENTRY],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'error',
  });
  return outfile;
}
