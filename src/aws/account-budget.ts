// What one AWS account and region's quota takes on this instance (issues 15 and 19): its priority
// limiters (changes before reads, reads bounded), the share of them this instance takes among the
// instances sharing the audit store, and a read coalescer of its own (the same read in two
// accounts or regions is two reads). The default target has one, each other target one more.
import type { Config } from '../config.js';
import type { BudgetMembers } from '../services/ports.js';
import { startBudgetShare, type BudgetKey, type BudgetShare } from './budget-share.js';
import { createPriorityLimiter, type PriorityLimiter } from './priority-limiter.js';
import { createReadCoalescer, type ReadCoalescer } from './read-coalescer.js';

export interface AccountBudget {
  limiters: { apiGateway: PriorityLimiter | undefined; lambda: PriorityLimiter | undefined };
  readCoalescer: ReadCoalescer;
  /** Resolves once the first share is set (at once when the budget is not shared). */
  ready: Promise<void>;
  stop(): Promise<void>;
}

export interface AccountBudgetOptions {
  config: Pick<Config, 'awsRateLimits' | 'awsBudget'>;
  key: BudgetKey;
  /** Where the instances sharing the store keep their membership; undefined: not shared. */
  members: BudgetMembers | undefined;
  instance: string;
}

export function createAccountBudget({ config, key, members, instance }: AccountBudgetOptions): AccountBudget {
  const { readWaitMs, readCacheMs } = config.awsBudget;
  const limiters = {
    apiGateway: config.awsRateLimits.apiGateway ? createPriorityLimiter(config.awsRateLimits.apiGateway, { readWaitMs }) : undefined,
    lambda: config.awsRateLimits.lambda ? createPriorityLimiter(config.awsRateLimits.lambda, { readWaitMs }) : undefined,
  };
  const paced = [limiters.apiGateway, limiters.lambda].filter((limiter): limiter is PriorityLimiter => limiter !== undefined);
  let share: BudgetShare | undefined;
  if (config.awsBudget.shared && members !== undefined && paced.length > 0) {
    share = startBudgetShare({ members, key, instance, limiters: paced, intervalMs: config.awsBudget.heartbeatMs });
  }
  // A store that does not answer leaves this instance the whole budget until a beat succeeds: only
  // reads can run meanwhile (changes fail closed without their audit store), and the SDK retries
  // what AWS throttles.
  const ready = share ? share.beat().then(() => undefined, () => undefined) : Promise.resolve();
  return {
    limiters,
    readCoalescer: createReadCoalescer({ cacheMs: readCacheMs }),
    ready,
    async stop() {
      await share?.stop();
    },
  };
}
