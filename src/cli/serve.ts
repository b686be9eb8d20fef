/**
 * `claro serve`: the Clair v4 compatible service. Configuration comes
 * from the YAML file and the environment (src/config/); this file picks
 * the mode, starts the service, says where it listens, and stops it on
 * SIGTERM or SIGINT.
 */
import { SERVE_MODES, type ServeMode } from '../config/config.js';
import { loadConfig } from '../config/load.js';
import { ClaroError } from '../errors.js';
import { createLogger, type Logger } from '../log.js';
import { formatListenAddr } from '../config/address.js';
import { httpUrl } from '../service/listen.js';
import { startService, type RunningService } from '../service/service.js';

/** Environment variable naming the config file (as `--config`). */
export const CONFIG_ENV = 'CLARO_CONFIG';

export interface ServeFlags {
  readonly mode?: string;
  readonly config?: string;
}

/** The signals that stop the service gracefully. */
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

/**
 * Runs the service until SIGTERM or SIGINT, then stops it gracefully and
 * resolves 0. A second signal while stopping closes the open connections
 * at once. Bad configuration throws INVALID_ARGUMENT (exit 64) before
 * anything starts.
 *
 * Mode precedence: `--mode`, then `CLARO_MODE`, then the file's `mode`,
 * then `combo` (Clair's default).
 */
export async function serve(
  flags: ServeFlags,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const file = flags.config ?? (env[CONFIG_ENV] || undefined);
  const config = loadConfig(file, env);
  const mode = pickMode(flags.mode) ?? config.mode ?? 'combo';
  const log = createLogger({ level: config.logLevel });

  const stopped = stopSignal();
  const service = await startService({ config, mode, log });
  announce(service, mode, log);

  const signal = await stopped.first;
  log.info({ signal }, 'service stopping');
  void stopped.second.then(() => {
    log.warn('second signal, closing open connections');
    service.closeConnections();
  });
  await service.stop();
  log.info('service stopped');
  return 0;
}

function pickMode(flag: string | undefined): ServeMode | undefined {
  if (flag === undefined) return undefined;
  const mode = SERVE_MODES.find((m) => m === flag);
  if (mode !== undefined) return mode;
  throw new ClaroError(
    'INVALID_ARGUMENT',
    `Cannot start service: --mode must be one of ` +
      `${SERVE_MODES.join(', ')}, got "${flag}"`,
  );
}

/** Logs both addresses, and prints the API's for scripts and tests. */
function announce(service: RunningService, mode: ServeMode, log: Logger): void {
  log.info(
    {
      mode,
      api: formatListenAddr(service.apiAddr),
      introspection: formatListenAddr(service.introspectionAddr),
    },
    'service listening',
  );
  process.stderr.write(`listening on ${httpUrl(service.apiAddr)}\n`);
  process.stderr.write(
    `introspection on ${httpUrl(service.introspectionAddr)}\n`,
  );
}

/**
 * Promises of the first and second stop signal. Listening from the
 * start means a signal during startup is not lost: the service stops as
 * soon as it has started.
 */
function stopSignal(): { first: Promise<string>; second: Promise<string> } {
  let count = 0;
  let onFirst = (_: string): void => {};
  let onSecond = (_: string): void => {};
  const first = new Promise<string>((r) => (onFirst = r));
  const second = new Promise<string>((r) => (onSecond = r));
  const handler = (signal: NodeJS.Signals): void => {
    count += 1;
    if (count === 1) onFirst(signal);
    else onSecond(signal);
  };
  for (const s of STOP_SIGNALS) process.on(s, handler);
  return { first, second };
}
