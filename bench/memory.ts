import { spawn } from 'node:child_process';
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
  const args = [child, image, opts.template, opts.storePath];
  const proc = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  proc.stdout.on('data', (c: Buffer) => out.push(c));
  proc.stderr.on('data', (c: Buffer) => err.push(c));
  const code = await new Promise<number | null>((resolve, reject) => {
    proc.once('error', reject);
    proc.once('close', resolve);
  });
  if (code !== 0) {
    const why = Buffer.concat(err).toString('utf8').trim();
    throw new Error(`Cannot measure memory of ${image}: exit ${code}\n${why}`);
  }
  const lines = Buffer.concat(out).toString('utf8').trim().split('\n');
  return JSON.parse(lines[lines.length - 1] ?? '') as ChildReport;
}
