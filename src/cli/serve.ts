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
import { checkInflater } from '../layer/isal.js';
import { formatListenAddr } from '../config/address.js';
import { httpUrl } from '../service/listen.js';
import { startService, type RunningService } from '../service/service.js';

/** Environment variable naming the config file (as `--config`). */
export const CONFIG_ENV = 'CLARO_CONFIG';

/** The flags of `claro serve`, as commander parsed them. */
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
  checkInflater(log);

  const signals = new StopSignals();
  try {
    const service = await startService({ config, mode, log });
    announce(service, mode, log);

    const signal = await signals.first;
    log.info({ signal }, 'service stopping');
    signals.onSecond(() => {
      log.warn('second signal, closing open connections');
      service.closeConnections();
    });
    await service.stop();
  } finally {
    signals.dispose();
  }
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
 * Listens for SIGTERM and SIGINT from the start, so that a signal during
 * startup is not lost: the service stops as soon as it has started.
 */
class StopSignals {
  /** Resolves with the first signal. */
  readonly first: Promise<NodeJS.Signals>;
  #resolveFirst: (signal: NodeJS.Signals) => void = () => {};
  #onSecond: () => void = () => {};
  #count = 0;

  readonly #handler = (signal: NodeJS.Signals): void => {
    this.#count += 1;
    if (this.#count === 1) this.#resolveFirst(signal);
    else this.#onSecond();
  };

  constructor() {
    this.first = new Promise((resolve) => (this.#resolveFirst = resolve));
    for (const s of STOP_SIGNALS) process.on(s, this.#handler);
  }

  /** What any later signal does. */
  onSecond(fn: () => void): void {
    this.#onSecond = fn;
  }

  dispose(): void {
    for (const s of STOP_SIGNALS) process.off(s, this.#handler);
  }
}
