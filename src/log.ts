import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Creates the process logger. Library code never creates its own: it takes
 * a Logger from its caller and derives children from it.
 */
export function createLogger(options: {
  level?: string;
  destination?: number;
}): Logger {
  const level = options.level ?? 'info';
  return pino(
    { level, base: null },
    pino.destination(options.destination ?? 2),
  );
}

/** A logger that drops everything, for tests and library defaults. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
