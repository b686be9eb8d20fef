import os from 'node:os';
import path from 'node:path';

/** Where to look for the cache folder; defaults to this process's. */
export interface CacheDirOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly homeDir?: string;
}

/**
 * claro's cache folder: `$CLARO_CACHE_DIR` when set, else
 * `$XDG_CACHE_HOME/claro`, else `~/.cache/claro`. Following the XDG Base
 * Directory Specification, an empty or relative `XDG_CACHE_HOME` is
 * ignored.
 */
export function defaultCacheDir(opts: CacheDirOptions = {}): string {
  const env = opts.env ?? process.env;
  const own = env['CLARO_CACHE_DIR'];
  if (own !== undefined && own !== '') return path.resolve(own);

  const xdg = env['XDG_CACHE_HOME'];
  if (xdg !== undefined && path.isAbsolute(xdg)) return path.join(xdg, 'claro');

  return path.join(opts.homeDir ?? os.homedir(), '.cache', 'claro');
}

/** The embedded store's default file: `<cache>/claro.db`. */
export function defaultDatabasePath(opts: CacheDirOptions = {}): string {
  return path.join(defaultCacheDir(opts), 'claro.db');
}
