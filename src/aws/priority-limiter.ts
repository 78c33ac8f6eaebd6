// The limiter of one AWS budget (API Gateway's or Lambda's, per account and region) as this
// instance sees it: a token bucket whose waiting callers are served changes first, reads after
// (issue 15). A read that would wait past a bound is refused at once, with the wait it would have
// had as Retry-After, instead of queueing behind changes; one that queued is refused when the
// bound passes (changes that came after it went first). The rate and burst are this instance's
// share of the account's (aws/budget-share.ts), which setShare changes as instances come and go.
import { DomainError } from '../domain/errors.js';
import type { RateLimit } from './rate-limiter.js';

export type CallPriority = 'change' | 'read';

export interface PriorityLimiter {
  /** Resolves when the caller may send one request; a read past the wait bound rejects (503). */
  acquire(priority?: CallPriority): Promise<void>;
  /** This instance's fraction of the budget, 0 < share ≤ 1 (1 / live instances). */
  setShare(share: number): void;
  readonly share: number;
  /** Callers waiting now, by priority (metrics, tests). */
  waiting(): { change: number; read: number };
}

export interface PriorityLimiterOptions {
  /** The longest a read may wait for a token; beyond it the read is refused. */
  readWaitMs: number;
  now?: () => number;
}

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
  deadline?: NodeJS.Timeout;
}

export function createPriorityLimiter(limit: RateLimit, options: PriorityLimiterOptions): PriorityLimiter {
  const now = options.now ?? (() => performance.now());
  let share = 1;
  const rate = () => limit.perSecond * share;
  // One token of the burst stays in reserve, as in rate-limiter.ts: a call that waited for a new
  // connection reaches AWS later than the ones after it.
  const capacity = () => Math.max(1, limit.burst * share - 1);
  let tokens = capacity();
  let last = now();
  const changes: Waiter[] = [];
  const reads: Waiter[] = [];
  let timer: NodeJS.Timeout | undefined;

  const refill = () => {
    const at = now();
    tokens = Math.min(capacity(), tokens + ((at - last) / 1000) * rate());
    last = at;
  };
  /** How long a caller joining the back of the whole queue now would wait, in ms. */
  const waitAtBack = () => Math.max(0, ((changes.length + reads.length + 1 - tokens) / rate()) * 1000);

  const schedule = () => {
    if (timer !== undefined || (changes.length === 0 && reads.length === 0)) return;
    // Timers run on whole milliseconds and may fire a hair early by performance.now(): the extra
    // millisecond makes sure the token was earned on AWS's side too.
    timer = setTimeout(pump, Math.ceil(((1 - tokens) / rate()) * 1000) + 1);
  };
  function pump() {
    timer = undefined;
    refill();
    while (tokens >= 1) {
      const next = changes.shift() ?? reads.shift();
      if (next === undefined) break;
      if (next.deadline) clearTimeout(next.deadline);
      tokens -= 1;
      next.resolve();
    }
    schedule();
  }

  const refuseRead = (waitMs: number) =>
    new DomainError(
      'budget-busy',
      `Gatewire's AWS call budget is busy with changes: this read would wait about ${Math.ceil(waitMs)} ms, more than the ${options.readWaitMs} ms a read may wait`,
      { retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) },
    );

  return {
    get share() {
      return share;
    },
    waiting: () => ({ change: changes.length, read: reads.length }),
    setShare(next) {
      if (!(next > 0 && next <= 1) || next === share) return;
      refill();
      share = next;
      tokens = Math.min(tokens, capacity());
      // The next token comes at the new rate.
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      schedule();
    },
    acquire(priority = 'change') {
      refill();
      if (priority === 'change') {
        // Queued reads mean the bucket is empty, so a change never overtakes a token they wait for
        // except by going to the front of the queue.
        if (changes.length === 0 && tokens >= 1) {
          tokens -= 1;
          return Promise.resolve();
        }
        return new Promise<void>((resolve, reject) => {
          changes.push({ resolve, reject });
          schedule();
        });
      }
      if (changes.length === 0 && reads.length === 0 && tokens >= 1) {
        tokens -= 1;
        return Promise.resolve();
      }
      const expected = waitAtBack();
      if (expected > options.readWaitMs) return Promise.reject(refuseRead(expected));
      return new Promise<void>((resolve, reject) => {
        const waiter: Waiter = { resolve, reject };
        waiter.deadline = setTimeout(() => {
          const index = reads.indexOf(waiter);
          if (index < 0) return;
          reads.splice(index, 1);
          reject(refuseRead(waitAtBack()));
        }, options.readWaitMs);
        reads.push(waiter);
        schedule();
      });
    },
  };
}
