import { runChild } from './child.js';
import type { ChildReport } from './memory-child.js';

/**
 * Runs one memory case in a child process of its own (plain Node running
 * the compiled child, see childbuild.ts), so each peak is that scan's
 * alone.
 */
export async function measureMemory(
  child: string,
  image: string,
  opts: { template: string; storePath: string },
): Promise<ChildReport> {
  const args = [image, opts.template, opts.storePath];
  const what = `measure memory of ${image}`;
  return (await runChild<ChildReport>(child, args, what)).report;
}
