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
