import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { z } from 'zod';

import { ClaroError, errorMessage } from '../errors.js';
import { CONFIG_SCHEMA, toConfig, type Config } from './config.js';

/** How an environment variable's text becomes a YAML-like value. */
type EnvKind = 'text' | 'integer' | 'boolean' | 'list';

/** One configuration key and the environment variable that overrides it. */
export interface ConfigKey {
  /** Dotted path in the file: `matcher.period`. */
  readonly key: string;
  readonly env: string;
  readonly kind: EnvKind;
}

/** `CLARO_` and the key upper-cased with dots as underscores. */
function key(path: string, kind: EnvKind = 'text'): ConfigKey {
  const env = `CLARO_${path.toUpperCase().replaceAll('.', '_')}`;
  return { key: path, env, kind };
}

/**
 * Every key of the file. `updaters.mirror` uses the CLI's own variable,
 * CLARO_FEEDS (as `--feeds`), so that one setting serves both.
 */
export const CONFIG_KEYS: readonly ConfigKey[] = [
  key('mode'),
  key('http_listen_addr'),
  key('introspection_addr'),
  key('log_level'),
  key('indexer.connstring'),
  key('indexer.index_report_request_concurrency', 'integer'),
  key('indexer.layer_fetch_timeout'),
  key('indexer.max_body_bytes', 'integer'),
  key('matcher.connstring'),
  key('matcher.period'),
  key('matcher.update_retention', 'integer'),
  key('matcher.disable_updaters', 'boolean'),
  key('matcher.report_max_age'),
  { key: 'updaters.mirror', env: 'CLARO_FEEDS', kind: 'text' },
  key('auth.psk.key'),
  key('auth.psk.iss', 'list'),
];

/**
 * Reads the configuration: the YAML file when one is named, then each
 * key's environment variable over it (an empty variable counts as unset).
 * Throws INVALID_ARGUMENT naming the file and key path, or the variable,
 * of every problem: `Cannot read config claro.yaml: matcher.period: ...`.
 *
 * In the file, a key whose value is null (`indexer:` with nothing below)
 * counts as absent.
 */
export function loadConfig(
  file: string | undefined,
  env: NodeJS.ProcessEnv,
): Config {
  const fromFile = file === undefined ? {} : readConfigFile(file);
  const { merged, origins } = overlayEnv(fromFile, env);

  const parsed = CONFIG_SCHEMA.safeParse(merged);
  if (!parsed.success) throw configError(file, parsed.error.issues, origins);
  return toConfig(parsed.data);
}

type Mapping = Record<string, unknown>;

function readConfigFile(file: string): Mapping {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (err) {
    throw fileError(file, readFailure(err));
  }

  const doc = parseDocument(source);
  const [first] = doc.errors;
  if (first !== undefined) throw fileError(file, yamlFailure(first));

  const value = withoutNulls(doc.toJS() as unknown);
  if (value === undefined) return {};
  if (!isMapping(value)) throw fileError(file, 'expected a mapping of keys');
  return value;
}

function readFailure(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'a folder, not a file';
  return errorMessage(err);
}

/** The first line of a yaml error: `<what> at line L, column C`. */
function yamlFailure(err: Error): string {
  const [line = ''] = err.message.split('\n');
  return line.replace(/:$/, '');
}

function withoutNulls(value: unknown): unknown {
  if (value === null) return undefined;
  if (!isMapping(value)) return value;
  const out: Mapping = {};
  for (const [k, v] of Object.entries(value)) {
    const kept = withoutNulls(v);
    if (kept !== undefined) out[k] = kept;
  }
  return out;
}

/** Key path → variable, for the keys the environment set. */
type Origins = ReadonlyMap<string, string>;

function overlayEnv(
  base: Mapping,
  env: NodeJS.ProcessEnv,
): { merged: Mapping; origins: Origins } {
  let merged = base;
  const origins = new Map<string, string>();
  for (const k of CONFIG_KEYS) {
    const raw = env[k.env];
    if (raw === undefined || raw === '') continue;
    const next = setPath(merged, k.key.split('.'), envValue(k.kind, raw));
    if (next === undefined) continue;
    merged = next;
    origins.set(k.key, k.env);
  }
  return { merged, origins };
}

/**
 * Integers and booleans become numbers and booleans when they read as
 * such (else they stay text, and the schema says what was expected);
 * lists are comma-separated.
 */
function envValue(kind: EnvKind, raw: string): unknown {
  switch (kind) {
    case 'integer':
      return /^[+-]?\d+$/.test(raw) ? Number(raw) : raw;
    case 'boolean':
      return envBoolean(raw);
    case 'list':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
    case 'text':
      return raw;
  }
}

/** As Go's strconv.ParseBool: 1, t, true and 0, f, false, any case. */
function envBoolean(raw: string): unknown {
  const lower = raw.toLowerCase();
  if (['1', 't', 'true'].includes(lower)) return true;
  if (['0', 'f', 'false'].includes(lower)) return false;
  return raw;
}

/**
 * A copy of `obj` with `value` at `path`. Undefined when a section on the
 * way is not a mapping: the file's own error is reported then.
 */
function setPath(
  obj: Mapping,
  path: readonly string[],
  value: unknown,
): Mapping | undefined {
  const [head, ...rest] = path;
  if (head === undefined) return undefined;
  if (rest.length === 0) return { ...obj, [head]: value };

  const section = obj[head] ?? {};
  if (!isMapping(section)) return undefined;
  const inner = setPath(section, rest, value);
  return inner === undefined ? undefined : { ...obj, [head]: inner };
}

function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface Problem {
  /** The key path, or the variable when the environment set the key. */
  readonly where: string;
  readonly what: string;
  readonly fromEnv: boolean;
}

function configError(
  file: string | undefined,
  issues: readonly z.core.$ZodIssue[],
  origins: Origins,
): ClaroError {
  const problems = issues.flatMap((i) => describeIssue(i, origins));
  const source =
    file === undefined || problems[0]?.fromEnv === true
      ? 'from the environment'
      : file;
  const details = problems.map((p) => `${p.where}: ${p.what}`).join('; ');
  return new ClaroError(
    'INVALID_ARGUMENT',
    `Cannot read config ${source}: ${details}`,
  );
}

function describeIssue(issue: z.core.$ZodIssue, origins: Origins): Problem[] {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((k) => ({
      where: [...path, k].join('.'),
      what: 'unknown key',
      fromEnv: false,
    }));
  }

  const dotted = path.join('.');
  const variable = origins.get(dotted);
  const what =
    issue.code === 'invalid_type' && issue.expected === 'object'
      ? 'expected a mapping of keys'
      : issue.message;
  return [{ where: variable ?? dotted, what, fromEnv: variable !== undefined }];
}

function fileError(file: string, reason: string): ClaroError {
  return new ClaroError(
    'INVALID_ARGUMENT',
    `Cannot read config ${file}: ${reason}`,
  );
}
