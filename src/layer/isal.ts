import { createRequire } from 'node:module';
import { ClaroError, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';

/**
 * The gzip inflaters claro can use: `isal`, the optional addon
 * `claro-isal-inflate` (native/isal-inflate, on Intel ISA-L's igzip,
 * about twice zlib's speed on layer blobs), built by `npm ci` where
 * Debian's `libisal-dev` is installed; and `zlib`, Node's own, always
 * there. `CLARO_INFLATE=zlib` makes claro use zlib even with the addon;
 * `CLARO_INFLATE=isal` makes a missing addon an error.
 */
export type InflateEngine = 'isal' | 'zlib';

export interface EngineChoice {
  readonly engine: InflateEngine;
  /** The addon's file, for the `isal` engine. */
  readonly addon?: string;
  /** Why zlib was chosen, when it was. */
  readonly why?: string;
}

let choice: EngineChoice | undefined;

/** The inflater this process uses, found once. */
export function inflateEngine(): EngineChoice {
  choice ??= chooseEngine(process.env.CLARO_INFLATE);
  return choice;
}

/**
 * Chooses the inflater now rather than at the first gzip layer, so that a
 * bad `CLARO_INFLATE` fails a command before it starts (ClaroError
 * 'INVALID_ARGUMENT'), and says at debug level which one it is.
 */
export function checkInflater(log: Logger): EngineChoice {
  const chosen = inflateEngine();
  log.debug(
    { engine: chosen.engine, addon: chosen.addon, why: chosen.why },
    'gzip inflater',
  );
  return chosen;
}

/** The addon's file when it loads in this process, or why it does not. */
export function isalAddon(): { path: string } | { why: string } {
  const require = createRequire(import.meta.url);
  try {
    const path = require.resolve('claro-isal-inflate');
    const addon = require(path) as Record<string, unknown>;
    if (typeof addon.inflate !== 'function') {
      return { why: `${path} is not claro's ISA-L inflater` };
    }
    return { path };
  } catch (err) {
    return { why: `the ISA-L inflater does not load: ${errorMessage(err)}` };
  }
}

export function chooseEngine(setting: string | undefined): EngineChoice {
  if (setting === 'zlib') {
    return { engine: 'zlib', why: 'CLARO_INFLATE=zlib' };
  }
  if (setting !== undefined && setting !== '' && setting !== 'isal') {
    throw new ClaroError(
      'INVALID_ARGUMENT',
      `Cannot choose a gzip inflater: CLARO_INFLATE=${setting} names ` +
        'none (use isal or zlib)',
    );
  }
  const addon = isalAddon();
  if ('path' in addon) return { engine: 'isal', addon: addon.path };
  if (setting === 'isal') {
    throw new ClaroError(
      'INVALID_ARGUMENT',
      `Cannot inflate with ISA-L as CLARO_INFLATE=isal asks: ${addon.why}`,
    );
  }
  return { engine: 'zlib', why: addon.why };
}
