// Idempotency-Key semantics over the IdempotencyStore port (IETF httpapi draft "The Idempotency-Key
// HTTP Header Field"): claim a key for one request, replay the kept response to a repeat, refuse a
// repeat while the first runs or a different request under the same key. Time comes from the
// clock, so expiry and takeover are testable without waiting.
import { isReplayableStatus } from '../domain/idempotency.js';
import type { Clock, IdempotencyClaimRef, IdempotencyEntry, IdempotencyStore, StoredResponse } from './ports.js';

/**
 * A claim left `in_progress` this long was abandoned (its instance crashed) and may be taken over.
 * Longer than any request can run: a Lambda invocation ends at 15 minutes, and the server's changes
 * are declared interrupted after 10 (server.ts). Shorter would risk a second run next to a slow
 * first one, which is the very thing the key prevents; longer only keeps a crashed claim's 409s.
 */
export const ABANDONED_CLAIM_AFTER_MS = 16 * 60_000;

/** Expired rows are swept at most this often per instance (and at start-up). */
export const SWEEP_EVERY_MS = 10 * 60_000;

/** Tries to claim a key that keeps changing under us before answering "in progress". */
const CLAIM_ATTEMPTS = 3;

export interface IdempotentRequest {
  /** The authenticated caller (`kind:id`): one caller's key never meets another's. */
  caller: string;
  key: string;
  /** domain/idempotency.ts requestFingerprint */
  fingerprint: string;
}

export type IdempotencyBegin =
  /** This request holds the key: run it, then finish(claim, response). */
  | { outcome: 'claimed'; claim: IdempotencyClaimRef }
  /** The same request already completed: send this instead of running it. */
  | { outcome: 'replay'; response: StoredResponse }
  /** The same request is still running (here or on another instance). */
  | { outcome: 'in-progress' }
  /** The key was used for a different request. */
  | { outcome: 'mismatch' };

export interface IdempotencyService {
  begin(request: IdempotentRequest): Promise<IdempotencyBegin>;
  /** Keeps the response for replay, or releases the key when the response is worth retrying. */
  finish(claim: IdempotencyClaimRef, response: StoredResponse): Promise<'stored' | 'released' | 'lost'>;
  /** Releases the key without a response (the request never produced one). */
  abandon(claim: IdempotencyClaimRef): Promise<void>;
  /** Deletes expired rows now; returns how many. */
  sweepExpired(): Promise<number>;
  /**
   * Deletes expired rows if the last sweep of this instance is SWEEP_EVERY_MS old (or there was
   * none); undefined when not due. Called now and then, so the table holds about one TTL of keys.
   */
  sweepIfDue(): Promise<number | undefined>;
}

export interface IdempotencyServiceDeps {
  store: IdempotencyStore;
  clock: Clock;
  ttlSeconds: number;
  abandonedAfterMs?: number;
  sweepEveryMs?: number;
}

export function createIdempotencyService(deps: IdempotencyServiceDeps): IdempotencyService {
  const { store, clock } = deps;
  const ttlMs = deps.ttlSeconds * 1000;
  const abandonedAfterMs = deps.abandonedAfterMs ?? ABANDONED_CLAIM_AFTER_MS;
  const sweepEveryMs = deps.sweepEveryMs ?? SWEEP_EVERY_MS;
  let lastSweep: number | undefined;

  const isExpired = (entry: IdempotencyEntry, now: Date) => entry.expiresAt <= now.toISOString();
  const isAbandoned = (entry: IdempotencyEntry, now: Date) =>
    entry.status === 'in_progress' && entry.createdAt <= new Date(now.getTime() - abandonedAfterMs).toISOString();

  async function sweepExpired(): Promise<number> {
    const now = clock.now();
    lastSweep = now.getTime();
    return store.deleteExpired(now);
  }

  async function sweepIfDue(): Promise<number | undefined> {
    if (lastSweep !== undefined && clock.now().getTime() - lastSweep < sweepEveryMs) return undefined;
    return sweepExpired();
  }

  return {
    async begin(request) {
      for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt += 1) {
        const now = clock.now();
        const mine = {
          caller: request.caller,
          key: request.key,
          requestHash: request.fingerprint,
          status: 'in_progress' as const,
          createdAt: now.toISOString(),
          expiresAt: new Date(now.getTime() + ttlMs).toISOString(),
        };
        if (await store.insertIfAbsent(mine)) return { outcome: 'claimed', claim: mine };
        const existing = await store.find(request.caller, request.key);
        // Released or swept between the two statements: claim again.
        if (existing === undefined) continue;
        // An expired key is as good as absent; a crashed instance's claim is taken over.
        if (isExpired(existing, now) || isAbandoned(existing, now)) {
          if (await store.replace(existing, mine)) return { outcome: 'claimed', claim: mine };
          continue;
        }
        if (existing.requestHash !== request.fingerprint) return { outcome: 'mismatch' };
        if (existing.status === 'in_progress' || existing.response === undefined) return { outcome: 'in-progress' };
        return { outcome: 'replay', response: existing.response };
      }
      // The row kept changing under us: others are racing for this key right now.
      return { outcome: 'in-progress' };
    },

    async finish(claim, response) {
      if (!isReplayableStatus(response.status)) {
        await store.release(claim);
        return 'released';
      }
      return (await store.complete(claim, response)) ? 'stored' : 'lost';
    },

    async abandon(claim) {
      await store.release(claim);
    },

    sweepExpired,
    sweepIfDue,
  };
}
