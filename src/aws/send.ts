// One way to send an SDK command: AWS's "concurrent modification" 409 is retried with backoff
// (the SDK retries throttling and 5xx itself, but never a 409), and every failure leaves as a
// domain error.
import { setTimeout as sleep } from 'node:timers/promises';
import { isConcurrentModification, isThrottling, toDomainError } from './errors.js';

export interface ConflictRetryPolicy {
  attempts: number;
  baseDelayMs: number;
}

export const DEFAULT_CONFLICT_RETRY: ConflictRetryPolicy = { attempts: 4, baseDelayMs: 100 };

export async function sendWithConflictRetry<T>(
  send: () => Promise<T>,
  policy: ConflictRetryPolicy = DEFAULT_CONFLICT_RETRY,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      if (attempt < policy.attempts && isConcurrentModification(error)) {
        // Full jitter: parallel writers to one API should not collide again in lock step.
        await sleep(Math.random() * policy.baseDelayMs * 2 ** (attempt - 1));
        continue;
      }
      throw toDomainError(error);
    }
  }
}

export interface CreateRetryPolicy extends ConflictRetryPolicy {
  /** Attempts in all when AWS throttles (it refused: nothing was created). */
  throttledAttempts: number;
}

/**
 * A create (CreateIntegration, CreateRoute, …), sent through a client that does not retry: a
 * create retried after a timeout, a reset or a 5xx may make a second resource that nothing knows
 * of (DESIGN §3). Only answers that say AWS did nothing are retried here: throttling and the
 * concurrent-modification 409. Any other failure leaves as a domain error, `outcomeUnknown` when
 * AWS gave no answer that says what happened; the change runner then finds out.
 */
export async function sendCreate<T>(send: () => Promise<T>, policy: CreateRetryPolicy): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      const retryable = isThrottling(error) ? attempt < policy.throttledAttempts : attempt < policy.attempts && isConcurrentModification(error);
      if (!retryable) throw toDomainError(error);
      await sleep(Math.random() * policy.baseDelayMs * 2 ** attempt);
    }
  }
}
