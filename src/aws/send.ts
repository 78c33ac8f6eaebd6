// One way to send an SDK command: AWS's "concurrent modification" 409 is retried with backoff
// (the SDK retries throttling and 5xx itself, but never a 409), and every failure leaves as a
// domain error.
import { setTimeout as sleep } from 'node:timers/promises';
import { isConcurrentModification, toDomainError } from './errors.js';

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

/**
 * A create (CreateIntegration, CreateRoute, …), sent through the client whose SDK retries only
 * throttling (aws/clients.ts): a create retried after a timeout, a reset or a 5xx may make a second
 * resource that nothing knows of (DESIGN §3). The concurrent-modification 409 says AWS did nothing
 * and is retried here as for any write. Any other failure leaves as a domain error,
 * `outcomeUnknown` when AWS gave no answer that says what happened; the change runner then finds out.
 */
export const sendCreate = sendWithConflictRetry;
