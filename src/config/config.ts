/**
 * The service's configuration: a YAML file whose keys follow Clair v4's
 * configuration (`http_listen_addr`, `indexer.connstring`,
 * `matcher.period`, `auth.psk`...), overridden key by key from the
 * environment. See README.md, "Service", for the table of keys.
 */
import { z } from 'zod';

import type { ListenAddr } from './address.js';
import {
  base64Key,
  boolean,
  duration,
  integer,
  listenAddr,
  MAX_TIMER_MS,
  oneOf,
  optional,
  text,
  textList,
  ValueError,
  withDefault,
  type Reader,
} from './values.js';

/** What `claro serve` runs: the indexer API, the matcher API or both. */
export type ServeMode = 'indexer' | 'matcher' | 'combo';
/** Every mode, in the order help texts list them. */
export const SERVE_MODES: readonly ServeMode[] = [
  'indexer',
  'matcher',
  'combo',
];

/** The levels `log_level` accepts (pino's names). */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/**
 * Operations kept per updater when `matcher.update_retention` is unset or
 * 0, as in Clair.
 */
export const DEFAULT_UPDATE_RETENTION = 10;

/** HS256 needs a 256-bit key (RFC 7518 §3.2). */
const PSK_MIN_BYTES = 32;

/**
 * Every key is present; undefined means "not set", and the consumer picks
 * its own default (noted on each key).
 */
export interface Config {
  /** undefined: the `--mode` flag or `combo` decides. */
  readonly mode: ServeMode | undefined;
  readonly httpListenAddr: ListenAddr;
  readonly introspectionAddr: ListenAddr;
  readonly logLevel: LogLevel;
  readonly indexer: IndexerConfig;
  readonly matcher: MatcherConfig;
  readonly updaters: UpdatersConfig;
  /** undefined: the API takes requests without a token. */
  readonly auth: PskAuth | undefined;
}

/** The `indexer` section. */
export interface IndexerConfig {
  /** undefined: SQLite at the default path. */
  readonly connstring: string | undefined;
  readonly indexReportRequestConcurrency: number;
  /** undefined: the API's default. */
  readonly layerFetchTimeoutMs: number | undefined;
  /** undefined: the API's default. */
  readonly maxBodyBytes: number | undefined;
}

/** The `matcher` section. */
export interface MatcherConfig {
  /** undefined: SQLite at the default path. */
  readonly connstring: string | undefined;
  readonly periodMs: number;
  /** Update operations kept per updater, at least 1. */
  readonly updateRetention: number;
  readonly disableUpdaters: boolean;
  /** undefined: the API's default. */
  readonly reportMaxAgeSeconds: number | undefined;
}

/** The `updaters` section. */
export interface UpdatersConfig {
  /** A local feed mirror folder; undefined: the upstream URLs. */
  readonly mirror: string | undefined;
}

/** Clair's pre-shared key authentication: HS256 JWTs from these issuers. */
export interface PskAuth {
  readonly key: Buffer;
  readonly issuers: readonly string[];
}

/** Clair treats 0 as "use the default", and so does claro. */
const retention: Reader<number> = (value) => {
  const n = withDefault(integer(0), DEFAULT_UPDATE_RETENTION)(value);
  return n === 0 ? DEFAULT_UPDATE_RETENTION : n;
};

/**
 * The file's shape: snake_case keys as in Clair, strict objects so that a
 * misspelt key is an error rather than a silently ignored setting.
 */
export const CONFIG_SCHEMA = z
  .strictObject({
    mode: leaf(optional(oneOf(SERVE_MODES))),
    http_listen_addr: leaf(withDefault(listenAddr, '127.0.0.1:6060')),
    introspection_addr: leaf(withDefault(listenAddr, '127.0.0.1:8089')),
    log_level: leaf(withDefault(oneOf(LOG_LEVELS), 'info')),
    indexer: z
      .strictObject({
        connstring: leaf(optional(text)),
        index_report_request_concurrency: leaf(withDefault(integer(1), 32)),
        layer_fetch_timeout: leaf(
          optional(duration({ positive: true, max: MAX_TIMER_MS })),
        ),
        max_body_bytes: leaf(optional(integer(1))),
      })
      .prefault({}),
    matcher: z
      .strictObject({
        connstring: leaf(optional(text)),
        period: leaf(
          withDefault(duration({ positive: true, max: MAX_TIMER_MS }), '6h'),
        ),
        update_retention: leaf(retention),
        disable_updaters: leaf(withDefault(boolean, false)),
        report_max_age: leaf(optional(duration({ wholeSeconds: true }))),
      })
      .prefault({}),
    updaters: z.strictObject({ mirror: leaf(optional(text)) }).prefault({}),
    auth: z
      .strictObject({
        psk: z
          .strictObject({
            key: leaf(optional(base64Key(PSK_MIN_BYTES))),
            iss: leaf(optional(textList)),
          })
          .prefault({}),
      })
      .prefault({}),
  })
  .superRefine((cfg, ctx) => {
    const { key, iss } = cfg.auth.psk;
    if (key !== undefined && iss === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['auth', 'psk', 'iss'],
        message: 'required when auth.psk.key is set',
      });
    }
    if (key === undefined && iss !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['auth', 'psk', 'key'],
        message: 'required when auth.psk.iss is set',
      });
    }
  });

type ParsedConfig = z.output<typeof CONFIG_SCHEMA>;

/** The typed Config from the schema's output. */
export function toConfig(raw: ParsedConfig): Config {
  const { indexer, matcher, auth } = raw;
  const { key, iss } = auth.psk;
  return {
    mode: raw.mode,
    httpListenAddr: raw.http_listen_addr,
    introspectionAddr: raw.introspection_addr,
    logLevel: raw.log_level,
    indexer: {
      connstring: indexer.connstring,
      indexReportRequestConcurrency: indexer.index_report_request_concurrency,
      layerFetchTimeoutMs: indexer.layer_fetch_timeout,
      maxBodyBytes: indexer.max_body_bytes,
    },
    matcher: {
      connstring: matcher.connstring,
      periodMs: matcher.period,
      updateRetention: matcher.update_retention,
      disableUpdaters: matcher.disable_updaters,
      reportMaxAgeSeconds:
        matcher.report_max_age === undefined
          ? undefined
          : matcher.report_max_age / 1000,
    },
    updaters: { mirror: raw.updaters.mirror },
    auth:
      key === undefined || iss === undefined
        ? undefined
        : { key, issuers: iss },
  };
}

/**
 * A zod schema running one Reader, its ValueError becoming an issue. The
 * `optional()` lets an absent key reach the Reader as undefined.
 */
function leaf<T>(read: Reader<T>) {
  return z
    .unknown()
    .optional()
    .transform((value, ctx): T => {
      try {
        return read(value);
      } catch (err) {
        if (!(err instanceof ValueError)) throw err;
        ctx.addIssue({ code: 'custom', message: err.message, input: value });
        return z.NEVER;
      }
    });
}
