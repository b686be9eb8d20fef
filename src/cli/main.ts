import {
  Command,
  CommanderError,
  InvalidArgumentError,
  Option,
} from 'commander';
import { ERROR_CATALOGUE, isClaroError, errorMessage } from '../errors.js';
import { createLogger, type Logger } from '../log.js';
import { parseSeverities } from '../report/findings.js';
import { openStore } from '../store/open.js';
import type { Store } from '../store/store.js';
import { compareVersions } from '../versions/compare-command.js';
import { manifest } from './manifest.js';
import { registryOptions, type RegistryFlags } from './registry-options.js';
import { VERSION_SCHEMES } from '../versions/registry.js';
import { SEVERITIES } from '../vuln/types.js';
import { scan } from './scan.js';
import { CONFIG_ENV, serve } from './serve.js';
import { feedsFolder, update } from './update.js';

/** Exit code for an error that is not one of claro's own (a bug). */
const EXIT_INTERNAL = ERROR_CATALOGUE.INTERNAL.exit;
/** Exit code for a command line the parser refuses (sysexits EX_USAGE). */
const EXIT_USAGE = ERROR_CATALOGUE.INVALID_ARGUMENT.exit;

interface CommonFlags {
  db?: string;
  feeds?: string;
  logLevel: string;
}

function program(): Command {
  const cmd = new Command('claro')
    .description('Container image vulnerability scanner')
    .showHelpAfterError();
  cmd.addCommand(scanCommand());
  cmd.addCommand(manifestCommand());
  cmd.addCommand(updateCommand());
  cmd.addCommand(versionsCommand());
  cmd.addCommand(serveCommand());
  parseErrorsAsClaro(cmd, 'claro');
  return cmd;
}

/**
 * The parser's complaints (an unknown option, a value not among the
 * choices, a missing argument) read "claro <command>: <why>" and end in
 * a CommanderError that `fail` turns into EX_USAGE, not commander's own
 * exit 1, which claro keeps for findings.
 */
function parseErrorsAsClaro(cmd: Command, name: string): void {
  cmd.exitOverride().configureOutput({
    outputError: (text, write) =>
      write(`${name}: ${text.replace(/^error: /, '')}`),
  });
  for (const sub of cmd.commands) {
    parseErrorsAsClaro(sub, `${name} ${sub.name()}`);
  }
}

function common(cmd: Command): Command {
  return cmd
    .option(
      '--db <conn>',
      'store: a SQLite file path or sqlite:PATH, or a PostgreSQL ' +
        'postgres:// URL or key=value string',
    )
    .option('--feeds <dir>', 'local feed mirror folder (env CLARO_FEEDS)')
    .addOption(
      new Option('--log-level <level>', 'log level on standard error')
        .choices(['debug', 'info', 'warn', 'error', 'silent'])
        .default('silent'),
    );
}

function scanCommand(): Command {
  const all = SEVERITIES.map((s) => s.toUpperCase()).join(',');
  return registryOptions(common(new Command('scan')))
    .description('scan an image: a file, a folder or a registry reference')
    .argument(
      '<image>',
      'an existing path (OCI layout, oci-archive, docker-archive, rootfs), ' +
        'else a reference: host[:port]/repo[:tag|@digest], alpine:3.20',
    )
    .option(
      '--cache-max-size <size>',
      'blob cache limit, e.g. 2GiB; 0 keeps none (env CLARO_CACHE_MAX_SIZE)',
    )
    .addOption(
      new Option('--format <format>', 'output format')
        .choices(['table', 'json'])
        .default('table'),
    )
    .option('--severity <list>', 'severities shown and counted', all)
    .option('--exit-code <n>', 'exit code when findings are counted', int, 0)
    .option(
      '--count-lower-layers',
      'count lower-layers-only findings towards --exit-code',
      false,
    )
    .action(async (path: string, flags: CommonFlags & ScanFlags) => {
      const filter = {
        severities: parseSeverities(flags.severity),
        countLowerLayers: flags.countLowerLayers,
      };
      const opts = {
        format: flags.format,
        filter,
        exitCode: flags.exitCode,
        feeds: feedsFolder(flags.feeds),
        colour: process.stdout.isTTY === true,
        registry: flags,
      };
      await withStore(flags, (store, log) => scan(path, store, opts, log));
    });
}

interface ScanFlags extends RegistryFlags {
  cacheMaxSize?: string;
  format: 'table' | 'json';
  severity: string;
  exitCode: number;
  countLowerLayers: boolean;
}

function manifestCommand(): Command {
  return registryOptions(new Command('manifest'))
    .description("print a registry image's Clair manifest (layer URLs)")
    .argument('<reference>', 'host[:port]/repo[:tag|@digest]')
    .addOption(
      new Option('--log-level <level>', 'log level on standard error')
        .choices(['debug', 'info', 'warn', 'error', 'silent'])
        .default('silent'),
    )
    .action(
      async (ref: string, flags: RegistryFlags & { logLevel: string }) => {
        const log = createLogger({ level: flags.logLevel });
        process.exitCode = await manifest(ref, flags, log);
      },
    );
}

function updateCommand(): Command {
  return common(new Command('update'))
    .description('load vulnerability data from the feeds into the store')
    .action(async (flags: CommonFlags) => {
      await withStore(flags, (store, log) =>
        update(store, feedsFolder(flags.feeds), log),
      );
    });
}

function versionsCommand(): Command {
  const compare = new Command('compare')
    .description('compare "A B" version pairs read from standard input')
    .requiredOption(
      '--scheme <id>',
      `version scheme: ${[...VERSION_SCHEMES.keys()].join(', ')}`,
    )
    .action(async (flags: { scheme: string }) => {
      const r = await compareVersions(
        flags.scheme,
        process.stdin,
        process.stdout,
      );
      process.exitCode = r.invalid > 0 ? 1 : 0;
    });
  return new Command('versions')
    .description('version scheme tools')
    .addCommand(compare);
}

function serveCommand(): Command {
  return new Command('serve')
    .description('run the Clair v4 compatible HTTP service')
    .option(
      '--mode <mode>',
      'indexer, matcher or combo (env CLARO_MODE, config mode; ' +
        'default combo)',
    )
    .option('--config <file>', `YAML configuration file (env ${CONFIG_ENV})`)
    .action(async (flags: { mode?: string; config?: string }) => {
      process.exitCode = await serve(flags);
    });
}

async function withStore(
  flags: CommonFlags,
  fn: (store: Store, log: Logger) => Promise<number>,
): Promise<void> {
  const log = createLogger({ level: flags.logLevel });
  const store = await openStore(flags.db, { logger: log });
  try {
    process.exitCode = await fn(store, log);
  } finally {
    await store.close();
  }
}

function int(value: string): number {
  const n = /^[0-9]{1,3}$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 255) {
    throw new InvalidArgumentError('expected an integer from 0 to 255');
  }
  return n;
}

/** Prints one line for any failure; a stack trace only for claro's bugs. */
function fail(err: unknown): void {
  if (err instanceof CommanderError) {
    // Already printed; help and --version end with exit code 0.
    process.exitCode = err.exitCode === 0 ? 0 : EXIT_USAGE;
    return;
  }
  if (isClaroError(err)) {
    process.stderr.write(`claro: ${err.message}\n`);
    process.exitCode = ERROR_CATALOGUE[err.code].exit;
    return;
  }
  process.stderr.write(`claro: internal error: ${errorMessage(err)}\n`);
  if (process.env['CLARO_DEBUG']) console.error(err);
  process.exitCode = EXIT_INTERNAL;
}

program().parseAsync(process.argv).catch(fail);
