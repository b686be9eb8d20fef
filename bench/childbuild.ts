import { build } from 'esbuild';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Compiles a bench child (`memory-child`, `pull-child`) into one ES module
 * under `outDir`, npm packages left as imports, so that it runs on plain
 * Node as claro's built CLI does: the tsx loader would add its own
 * ~38 MiB (a loader thread) to every peak measured, and its CPU to every
 * time.
 */
export async function buildChild(
  name: string,
  outDir: string,
): Promise<string> {
  const entry = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
  const outfile = join(outDir, `${name}.mjs`);
  await build({
    entryPoints: [entry],
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
