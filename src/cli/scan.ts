import type { Logger } from '../log.js';
import { clairVulnerabilityReport } from '../report/clair.js';
import { counted, findings, type FindingFilter } from '../report/findings.js';
import { renderTable } from '../report/table.js';
import { scanSource } from '../scan.js';
import type { Store } from '../store/store.js';
import { checkInflater } from '../layer/isal.js';
import {
  cacheMaxBytes,
  openTarget,
  type RegistryFlags,
} from './registry-options.js';
import { ensureVulnerabilityData } from './update.js';

export interface ScanOptions {
  readonly format: 'table' | 'json';
  readonly filter: FindingFilter;
  readonly exitCode: number;
  readonly feeds: string | undefined;
  readonly colour: boolean;
  readonly registry: RegistryFlags & { readonly cacheMaxSize?: string };
}

/**
 * `claro scan IMAGE`: opens the image (a path, else a registry
 * reference), indexes it, loads vulnerability data on first use,
 * matches, prints the report and returns the process exit code.
 */
export async function scan(
  target: string,
  store: Store,
  opts: ScanOptions,
  log: Logger,
): Promise<number> {
  // Settings checked before any work, whatever the image turns out to be.
  checkInflater(log);
  cacheMaxBytes(opts.registry.cacheMaxSize);
  const source = await openTarget(target, opts.registry, log);
  try {
    await ensureVulnerabilityData(store, opts.feeds, log);
    const { report: vr } = await scanSource(source, { store, log });
    const out =
      opts.format === 'json'
        ? JSON.stringify(clairVulnerabilityReport(vr), null, 2) + '\n'
        : renderTable(vr, opts.filter, opts.colour);
    await write(out);
    return counted(findings(vr), opts.filter).length > 0 ? opts.exitCode : 0;
  } finally {
    await source.close();
  }
}

function write(text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(text, (err) => (err ? reject(err) : resolve()));
  });
}
