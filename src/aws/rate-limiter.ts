// A client-side limiter for AWS control-plane calls (DESIGN §3 step 7): API Gateway allows 10
// requests/s per account with a burst of 40, Lambda's policy calls 15/s. Pacing every attempt here,
// shared by all requests of one instance, lets bulk work run at AWS's rate instead of being
// throttled, retried and (after the SDK's bounded attempts) failed.
import { setTimeout as sleep } from 'node:timers/promises';
import type { MiddlewareStack } from '@smithy/types';
import type { CallPriority } from './priority-limiter.js';
import { currentRead } from '../services/read-context.js';

export interface RateLimit {
  perSecond: number;
  burst: number;
}

export interface RateLimiter {
  /**
   * Resolves when the caller may send one request. Callers of one priority are served in the order
   * they ask; a priority-aware limiter (priority-limiter.ts) serves changes before reads.
   */
  acquire(priority?: CallPriority): Promise<void>;
}

/**
 * A token bucket that hands out reservations: a caller that finds it empty takes a token on
 * credit (the balance goes negative) and waits until that token has been earned. Waiting callers
 * are therefore served first come, first served, and the long-run rate never exceeds `perSecond`.
 */
export function createRateLimiter(limit: RateLimit, now: () => number = () => performance.now()): RateLimiter {
  // One token of the burst stays in reserve: AWS counts a call when it arrives, and a call that
  // waited for a new connection arrives later than the ones after it; the reserve absorbs that.
  const capacity = Math.max(1, limit.burst - 1);
  let tokens = capacity;
  let last = now();
  return {
    async acquire() {
      const at = now();
      tokens = Math.min(capacity, tokens + ((at - last) / 1000) * limit.perSecond);
      last = at;
      tokens -= 1;
      if (tokens >= 0) return;
      // Timers run on whole milliseconds and may round a fraction down: wait until the token has
      // surely been earned on AWS's side too, or the call arrives a hair early and is throttled.
      await sleep(Math.ceil((-tokens / limit.perSecond) * 1000) + 1);
    },
  };
}

/**
 * Paces every attempt of every call of a client, retries included: the limiter sits after the
 * SDK's retry middleware (finalizeRequest, low priority), so a retried call takes a token again.
 * A call made inside a GET handler (services/read-context.ts) asks as a read, every other as a change.
 */
export function addRateLimiterMiddleware(stack: MiddlewareStack<any, any>, limiter: RateLimiter): void {
  stack.add(
    (next: any) => async (args: any) => {
      await limiter.acquire(currentRead() === undefined ? 'change' : 'read');
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'gatewireRateLimiter', override: true },
  );
}
