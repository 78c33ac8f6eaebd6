// One AWS call budget per account and region, shared by every instance that shares the audit
// store (issue 15, docs/decisions.md). Each instance renews its membership of the budget every
// `intervalMs` (one store round trip, never one per AWS call) and sets its limiters to
// 1 / (live members) of the account's rate and burst. A new member shrinks every share at the
// next beat. A share grows only once the smaller count has held for a whole membership lifetime
// (3 intervals): a member whose beat came late (a stalled event loop, a slow store) looks gone for
// a moment, and growing at once would let both spend a whole budget each. So an instance that
// stops or dies is made up for after 3 to 6 intervals, which only slows the others meanwhile.
import type { BudgetMembers } from '../services/ports.js';
import type { PriorityLimiter } from './priority-limiter.js';

/** Which budget: AWS's control-plane quotas are per account and region. */
export interface BudgetKey {
  /** The account's id, or `caller` when unconfigured (the account of the credentials in use). */
  account: string;
  region: string;
}

export function budgetKeyText(key: BudgetKey): string {
  return `aws:${key.account}:${key.region}`;
}

export interface BudgetShareOptions {
  members: BudgetMembers;
  key: BudgetKey;
  instance: string;
  /** The limiters of this budget (API Gateway's, Lambda's): each gets the same share. */
  limiters: PriorityLimiter[];
  intervalMs: number;
  now?: () => Date;
  /** A beat failed (the store is down): the last share stays. */
  onError?: (error: unknown) => void;
}

export interface BudgetShare {
  /** Renews the membership now and applies the share; resolves to the live members counted. */
  beat(): Promise<number>;
  /** Stops the heartbeat and leaves the budget. */
  stop(): Promise<void>;
}

export function startBudgetShare(options: BudgetShareOptions): BudgetShare {
  const now = options.now ?? (() => new Date());
  const key = budgetKeyText(options.key);
  const ttlMs = options.intervalMs * 3;
  let stopped = false;
  let running: Promise<number> | undefined;
  // The member count the share is set for, and since when the beats have seen fewer.
  let applied = 0;
  let fewerSince: number | undefined;

  const beat = async () => {
    const at = now();
    const live = await options.members.beat(key, options.instance, at, new Date(at.getTime() + ttlMs));
    if (live >= applied) {
      applied = live;
      fewerSince = undefined;
    } else {
      fewerSince ??= at.getTime();
      if (at.getTime() - fewerSince >= ttlMs) {
        applied = live;
        fewerSince = undefined;
      }
    }
    if (!stopped) for (const limiter of options.limiters) limiter.setShare(1 / applied);
    return live;
  };
  const tick = () => {
    running ??= beat()
      .catch((error: unknown) => {
        options.onError?.(error);
        return 0;
      })
      .finally(() => (running = undefined));
  };
  const timer = setInterval(tick, options.intervalMs);
  // The heartbeat alone must not keep a process alive.
  timer.unref();

  return {
    beat,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      await running;
      await options.members.leave(key, options.instance).catch((error: unknown) => options.onError?.(error));
    },
  };
}
