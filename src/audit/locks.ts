// Serialises changes to one API (DESIGN §3 step 5). In-process for a single instance (SQLite);
// a PostgreSQL advisory lock when several instances share the audit database.
import type pg from 'pg';
import { DomainError } from '../domain/errors.js';
import type { ApiLock } from '../services/ports.js';

export interface InProcessLock extends ApiLock {
  /** How many APIs currently have a holder or waiters (0 when idle: no entry outlives its use). */
  activeKeys(): number;
}

/** A per-apiId promise-chain mutex: each caller waits for the previous one's turn to end. */
export function createInProcessLock(): InProcessLock {
  // The tail of each API's queue; removed by the last holder so idle APIs cost nothing.
  const tails = new Map<string, Promise<void>>();

  return {
    async withLock(apiId, work) {
      const previous = tails.get(apiId) ?? Promise.resolve();
      let endTurn!: () => void;
      const turn = new Promise<void>((resolve) => {
        endTurn = resolve;
      });
      const tail = previous.then(() => turn);
      tails.set(apiId, tail);
      await previous;
      try {
        return await work();
      } finally {
        endTurn();
        if (tails.get(apiId) === tail) tails.delete(apiId);
      }
    },
    activeKeys: () => tails.size,
  };
}

export interface PostgresAdvisoryLockOptions {
  /** How long to wait for another instance's change to the same API before a 409. */
  waitTimeoutMillis?: number;
}

// Two-key form pg_advisory_lock(int4, int4): the namespace key keeps our locks apart from other
// advisory locks on the same database (Kysely's migration lock uses the one-bigint form). A
// hashtext collision between two API ids only serialises them needlessly, never breaks safety.
const NAMESPACE = 'gatewire:api';
const LOCK_NOT_AVAILABLE = '55P03';

/**
 * Holds `pg_advisory_lock` on one connection checked out of `pool` for the whole change, and
 * always unlocks and returns it. Give it a pool of its own (createPostgresPool): while a change
 * holds its lock connection it also writes audit records, and a shared small pool could run out.
 * Callers in this instance queue in-process first, so each API ties up at most one connection.
 */
export function createPostgresAdvisoryLock(pool: pg.Pool, options: PostgresAdvisoryLockOptions = {}): ApiLock {
  const local = createInProcessLock();
  const waitTimeoutMillis = options.waitTimeoutMillis ?? 30_000;
  return {
    withLock: (apiId, work) => local.withLock(apiId, () => withAdvisoryLock(pool, apiId, waitTimeoutMillis, work)),
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
    // lock_timeout bounds the wait; statement_timeout must not cut it shorter. Reset on unlock.
    await client.query(`select set_config('lock_timeout', $1, false), set_config('statement_timeout', '0', false)`, [
      `${Math.trunc(waitMillis)}ms`,
    ]);
    await client.query('select pg_advisory_lock(hashtext($1), hashtext($2))', [NAMESPACE, apiId]);
  } catch (error) {
    // Destroy rather than reuse: its session settings are unknown.
    client.release(asError(error));
    if (isPgError(error) && error.code === LOCK_NOT_AVAILABLE) {
      throw new DomainError('conflict', `another change to API ${apiId} is still running; retry later`, {
        cause: error,
      });
    }
    throw new DomainError('audit-unavailable', `could not take the lock of API ${apiId}`, { cause: error });
  }

  try {
    return await work();
  } finally {
    await unlock(client, apiId);
  }
}

async function unlock(client: pg.PoolClient, apiId: string): Promise<void> {
  try {
    const { rows } = await client.query<{ unlocked: boolean }>(
      'select pg_advisory_unlock(hashtext($1), hashtext($2)) as unlocked',
      [NAMESPACE, apiId],
    );
    await client.query('reset lock_timeout; reset statement_timeout');
    if (rows[0]?.unlocked !== true) throw new Error(`advisory lock of API ${apiId} was not held at unlock`);
    client.release();
  } catch (error) {
    // Destroying the connection ends its session, and PostgreSQL drops a session's advisory
    // locks with it: the lock never outlives a failed unlock. The work's own outcome stands.
    client.release(asError(error));
  }
}

function isPgError(error: unknown): error is { code: string } {
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string';
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
