// Serialises changes to one API (DESIGN §3 step 5). In-process for a single instance (SQLite);
// a PostgreSQL advisory lock when several instances share the audit database.
import type pg from 'pg';
import { DomainError } from '../domain/errors.js';
import type { ApiLock } from '../services/ports.js';

export interface InProcessLock extends ApiLock {
  /** How many APIs currently have a holder or waiters (0 when idle: no entry outlives its use). */
  activeKeys(): number;
}

/** Bounds of a lock wait (DESIGN §3 step 5: bounded waits, never an endless queue). */
export interface LockWaitOptions {
  /** How long a change waits for the one before it, in all; then 409 with Retry-After. Default 30 s. */
  waitMillis?: number;
  /** How many changes to one API may wait in this instance at once; one more is a 409 at once. Default 64. */
  maxWaiters?: number;
}

export const DEFAULT_LOCK_WAIT_MS = 30_000;
export const DEFAULT_LOCK_MAX_WAITERS = 64;
/** What a refused caller is told to wait before trying again. */
const RETRY_AFTER_SECONDS = 2;

function busy(apiId: string, why: string, cause?: unknown): DomainError {
  return new DomainError('conflict', `another change to API ${apiId} is still running (${why}); retry later`, {
    retryAfterSeconds: RETRY_AFTER_SECONDS,
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * A per-apiId promise-chain mutex: each caller waits for the previous one's turn to end, for at
 * most `waitMillis`, and at most `maxWaiters` callers wait at once. A caller that gives up keeps
 * its place in the chain and passes its turn on at once, so the order of the others holds.
 */
export function createInProcessLock(options: LockWaitOptions = {}): InProcessLock {
  const waitMillis = options.waitMillis ?? DEFAULT_LOCK_WAIT_MS;
  const maxWaiters = options.maxWaiters ?? DEFAULT_LOCK_MAX_WAITERS;
  // The tail of each API's queue; removed by the last holder so idle APIs cost nothing.
  const tails = new Map<string, Promise<void>>();
  const waiting = new Map<string, number>();
  const setWaiting = (apiId: string, delta: number) => {
    const count = (waiting.get(apiId) ?? 0) + delta;
    if (count === 0) waiting.delete(apiId);
    else waiting.set(apiId, count);
  };

  return {
    async withLock(apiId, work) {
      const previous = tails.get(apiId);
      if (previous && (waiting.get(apiId) ?? 0) >= maxWaiters) throw busy(apiId, `${maxWaiters} changes are already waiting`);
      let endTurn!: () => void;
      const turn = new Promise<void>((resolve) => {
        endTurn = resolve;
      });
      const tail = (previous ?? Promise.resolve()).then(() => turn);
      tails.set(apiId, tail);
      const release = () => {
        endTurn();
        if (tails.get(apiId) === tail) tails.delete(apiId);
      };
      if (previous) {
        setWaiting(apiId, 1);
        let timer: NodeJS.Timeout | undefined;
        const gotTurn = await Promise.race([
          previous.then(() => true),
          new Promise<false>((resolve) => {
            timer = setTimeout(() => resolve(false), waitMillis);
          }),
        ]);
        clearTimeout(timer);
        setWaiting(apiId, -1);
        if (!gotTurn) {
          // Pass the turn on when it comes, without running anything.
          void previous.then(release);
          throw busy(apiId, `waited ${waitMillis} ms`);
        }
      }
      try {
        return await work();
      } finally {
        release();
      }
    },
    activeKeys: () => tails.size,
  };
}

export interface PostgresAdvisoryLockOptions extends LockWaitOptions {}

// Two-key form pg_advisory_lock(int4, int4): the namespace key keeps our locks apart from other
// advisory locks on the same database (Kysely's migration lock uses the one-bigint form). A
// hashtext collision between two API ids only serialises them needlessly, never breaks safety.
const NAMESPACE = 'gatewire:api';
const LOCK_NOT_AVAILABLE = '55P03';
/** How long after lock_timeout the server may take to say so before the connection is given up. */
const LOCK_ANSWER_MARGIN_MS = 5_000;

/**
 * Holds `pg_advisory_lock` on one connection checked out of `pool` for the whole change, and
 * always unlocks and returns it. Give it a pool of its own (createPostgresPool): while a change
 * holds its lock connection it also writes audit records, and a shared small pool could run out.
 * Callers in this instance queue in-process first, so each API ties up at most one connection.
 */
export function createPostgresAdvisoryLock(pool: pg.Pool, options: PostgresAdvisoryLockOptions = {}): ApiLock {
  const local = createInProcessLock(options);
  const waitMillis = options.waitMillis ?? DEFAULT_LOCK_WAIT_MS;
  return {
    // One bound for the whole wait: what the in-process queue took is not waited again in PostgreSQL.
    withLock: (apiId, work) => {
      const startedAt = performance.now();
      return local.withLock(apiId, () => {
        const left = Math.trunc(waitMillis - (performance.now() - startedAt));
        if (left <= 0) throw busy(apiId, `waited ${waitMillis} ms`);
        return withAdvisoryLock(pool, apiId, left, work);
      });
    },
  };
}

async function withAdvisoryLock<T>(pool: pg.Pool, apiId: string, waitMillis: number, work: () => Promise<T>) {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw new DomainError('audit-unavailable', `could not take the lock of API ${apiId}: database unreachable`, {
      cause: error,
    });
  }

  try {
    await lock(client, apiId, waitMillis);
  } catch (error) {
    // Destroy rather than reuse: its session settings are unknown.
    client.release(asError(error));
    if (isPgError(error) && error.code === LOCK_NOT_AVAILABLE) throw busy(apiId, 'in another instance', error);
    throw new DomainError('audit-unavailable', `could not take the lock of API ${apiId}`, { cause: error });
  }

  try {
    return await work();
  } finally {
    await unlock(client, apiId);
  }
}

// Lock and unlock are one round trip each: every change pays for them. Several statements in one
// query need the simple protocol, which takes no parameters, so values go in as escaped literals.
// The statements run in one implicit transaction: if the lock fails, the SETs roll back with it.

async function lock(client: pg.PoolClient, apiId: string, waitMillis: number): Promise<void> {
  // lock_timeout bounds the wait. statement_timeout must not cut it shorter, and must be off
  // before the lock's statement starts: each statement arms its timer with the value it finds.
  // Both are reset on unlock.
  // The client-side bound (query_timeout) outlasts the server's lock_timeout, so that the server's
  // 55P03 normally answers first; it fires only when the server does not answer at all.
  await client.query({
    text:
      `set lock_timeout = ${client.escapeLiteral(`${Math.trunc(waitMillis)}ms`)}; set statement_timeout = 0; ` +
      `select pg_advisory_lock(${lockKey(client, apiId)})`,
    query_timeout: Math.trunc(waitMillis) + LOCK_ANSWER_MARGIN_MS,
  } as pg.QueryConfig);
}

async function unlock(client: pg.PoolClient, apiId: string): Promise<void> {
  try {
    const results = await client.query(
      `select pg_advisory_unlock(${lockKey(client, apiId)}) as unlocked; reset lock_timeout; reset statement_timeout`,
    );
    if (firstRow(results)?.['unlocked'] !== true) throw new Error(`advisory lock of API ${apiId} was not held at unlock`);
    client.release();
  } catch (error) {
    // Destroying the connection ends its session, and PostgreSQL drops a session's advisory
    // locks with it: the lock never outlives a failed unlock. The work's own outcome stands.
    client.release(asError(error));
  }
}

/** The two int4 keys, as SQL: hashtext of the same texts as ever, so every version of Gatewire takes the same lock. */
function lockKey(client: pg.PoolClient, apiId: string): string {
  return `hashtext(${client.escapeLiteral(NAMESPACE)}), hashtext(${client.escapeLiteral(apiId)})`;
}

/** pg answers a multi-statement query with one result per statement (typed as if one). */
function firstRow(results: pg.QueryResult | pg.QueryResult[]): Record<string, unknown> | undefined {
  return (Array.isArray(results) ? results[0] : results)?.rows[0];
}

function isPgError(error: unknown): error is { code: string } {
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string';
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
