import { setTimeout as sleep } from 'node:timers/promises';

import pg from 'pg';

import { ClaroError, errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';
import { ProcessLocks } from '../locks.js';
import type { LockResult } from '../store.js';
import { advisoryKey } from './keys.js';

/** Polling bounds while another process holds a lock, in ms. */
const MIN_WAIT_MS = 20;
const MAX_WAIT_MS = 250;

/** The connection that holds this store's advisory locks. */
interface Session {
  readonly client: pg.Client;
  /** Set once the connection failed or ended: every lock on it is gone. */
  lost: Error | undefined;
}

/**
 * `Store.withLock` across processes: session-level advisory locks
 * (PostgreSQL manual, "Advisory Locks") keyed by `advisoryKey(schema,
 * 'lock:' + name)`, all held on one connection of their own, apart from
 * the query pool, so that a holder's queries never wait behind waiters.
 *
 * Within the process, callers of one name queue first (`ProcessLocks`),
 * so the connection never takes a lock twice (session locks stack) and
 * only one caller per name asks the server. That caller polls with
 * `pg_try_advisory_lock` and jittered backoff, holding nothing between
 * polls. If the connection is lost while a lock is held, the holder's
 * callback finishes unprotected and the call then fails with
 * STORE_FAILED; the next lock opens a new connection.
 */
export class AdvisoryLocks {
  readonly #config: pg.ClientConfig;
  readonly #schema: string;
  readonly #logger: Logger;
  readonly #local = new ProcessLocks();
  #session: Promise<Session> | undefined;
  #closed = false;

  constructor(config: pg.ClientConfig, schema: string, logger: Logger) {
    this.#config = config;
    this.#schema = schema;
    this.#logger = logger;
  }

  async withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return this.#local.withLock(name, async () => {
      const key = this.#key(name);
      let wait = MIN_WAIT_MS;
      for (;;) {
        const session = await this.#try(name, key);
        if (session !== undefined) return this.#run(session, name, key, fn);

        await sleep(wait / 2 + (Math.random() * wait) / 2);
        wait = Math.min(MAX_WAIT_MS, wait * 2);
      }
    });
  }

  async tryLock<T>(name: string, fn: () => Promise<T>): Promise<LockResult<T>> {
    const res = await this.#local.tryLock(
      name,
      async (): Promise<LockResult<T>> => {
        const key = this.#key(name);
        const session = await this.#try(name, key);
        if (session === undefined) return { acquired: false };
        return {
          acquired: true,
          value: await this.#run(session, name, key, fn),
        };
      },
    );
    return res.acquired ? res.value : res;
  }

  /** Ends the lock connection; locks still held are released with it. */
  async close(): Promise<void> {
    this.#closed = true;
    const opening = this.#session;
    this.#session = undefined;
    const session = await opening?.catch(() => undefined);
    if (session === undefined || session.lost !== undefined) return;

    session.lost = new Error('the store was closed');
    await session.client.end();
  }

  #key(name: string): string {
    return advisoryKey(this.#schema, `lock:${name}`);
  }

  /** Takes the lock if it is free now; undefined when someone holds it. */
  async #try(name: string, key: string): Promise<Session | undefined> {
    try {
      const session = await this.#connected();
      const res = await session.client.query<{ ok: boolean }>(
        'SELECT pg_try_advisory_lock($1::bigint) AS ok',
        [key],
      );
      return res.rows[0]?.ok === true ? session : undefined;
    } catch (err) {
      throw lockError('take', name, err);
    }
  }

  /** Runs `fn`, then releases the lock; see the class comment on loss. */
  async #run<T>(
    session: Session,
    name: string,
    key: string,
    fn: () => Promise<T>,
  ): Promise<T> {
    let value: T;
    try {
      value = await fn();
    } catch (err) {
      await this.#release(session, name, key).catch(() => undefined);
      throw err;
    }
    await this.#release(session, name, key);
    return value;
  }

  async #release(session: Session, name: string, key: string): Promise<void> {
    if (session.lost !== undefined) {
      throw lockError('hold', name, session.lost);
    }
    try {
      const res = await session.client.query<{ ok: boolean }>(
        'SELECT pg_advisory_unlock($1::bigint) AS ok',
        [key],
      );
      if (res.rows[0]?.ok !== true) throw new Error('it was not held');
    } catch (err) {
      throw lockError('release', name, err);
    }
  }

  /** The current lock connection, opened on first use or after a loss. */
  #connected(): Promise<Session> {
    if (this.#closed) return Promise.reject(new Error('the store is closed'));

    if (this.#session === undefined) {
      const forget = () => {
        if (this.#session === opening) this.#session = undefined;
      };
      const opening = this.#open(forget);
      this.#session = opening;
      opening.catch(forget);
    }
    return this.#session;
  }

  async #open(onLost: () => void): Promise<Session> {
    const client = new pg.Client({ ...this.#config, keepAlive: true });
    const session: Session = { client, lost: undefined };
    const lose = (err: Error) => {
      if (session.lost !== undefined) return;
      session.lost = err;
      onLost();
      if (!this.#closed) {
        this.#logger.warn({ err }, 'lost the store lock connection');
      }
    };
    client.on('error', lose);
    client.on('end', () => lose(new Error('the connection ended')));
    await client.connect();
    return session;
  }
}

function lockError(action: string, name: string, err: unknown): ClaroError {
  return new ClaroError(
    'STORE_FAILED',
    `Cannot ${action} lock ${name}: ${errorMessage(err)}`,
    { cause: err },
  );
}
