import { spawn } from 'node:child_process';
import { now } from './stats.js';

/**
 * Runs a compiled bench child (see childbuild.ts) on plain Node and
 * returns the JSON of its last output line, with the child's whole wall
 * time (start-up included) in ms. `what` names the run in errors.
 */
export async function runChild<T>(
  child: string,
  args: readonly string[],
  what: string,
): Promise<{ report: T; wholeMs: number }> {
  const t0 = now();
  const proc = spawn(process.execPath, [child, ...args], {
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
  const wholeMs = now() - t0;
  if (code !== 0) {
    const why = Buffer.concat(err).toString('utf8').trim();
    throw new Error(`Cannot ${what}: exit ${code}\n${why}`);
  }
  const lines = Buffer.concat(out).toString('utf8').trim().split('\n');
  return { report: JSON.parse(lines[lines.length - 1] ?? '') as T, wholeMs };
}
