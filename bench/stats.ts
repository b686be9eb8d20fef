/** Milliseconds since an arbitrary origin, from the monotonic clock. */
export function now(): number {
  return performance.now();
}

/** Middle value of a sample (mean of the two middle ones when even). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error('Cannot take a median: no samples');
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Runs `fn` `runs` times one after another; returns each duration in ms. */
export async function timeRuns(
  runs: number,
  fn: () => Promise<void>,
): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = now();
    await fn();
    out.push(now() - t0);
  }
  return out;
}

/** Bytes as MiB with one decimal. */
export function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/** Milliseconds with no decimals above 10 ms, one below. */
export function ms(x: number): string {
  return x >= 10 ? `${x.toFixed(0)} ms` : `${x.toFixed(1)} ms`;
}
