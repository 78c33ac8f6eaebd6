// API Gateway allows one CreateDeployment per 5 s per account. Within one instance the pacer
// queues deployments and starts each one an interval after the previous one; a 429 that still
// comes back (another instance deployed meanwhile) is waited out and retried a bounded number of
// times. Across instances nothing is shared: the retry is what copes with them.
import { setTimeout as sleepFor } from 'node:timers/promises';
import { isDomainError } from '../domain/errors.js';

export interface DeploymentPacerOptions {
  /** The gap between deployments (AWS: 5000 ms); tests make it small. */
  intervalMs: number;
  /** Retries after a 429 before the throttling error is reported. */
  retries: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<unknown>;
}

export const DEFAULT_DEPLOYMENT_INTERVAL_MS = 5_000;
export const DEFAULT_DEPLOYMENT_RETRIES = 3;

export type DeploymentPacer = <T>(deploy: () => Promise<T>) => Promise<T>;

export function createDeploymentPacer(options: DeploymentPacerOptions): DeploymentPacer {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? sleepFor;
  let lastAttemptAt = Number.NEGATIVE_INFINITY;
  // One deployment at a time per instance, in arrival order.
  let queue: Promise<unknown> = Promise.resolve();

  async function waitForSlot(): Promise<void> {
    const wait = lastAttemptAt + options.intervalMs - now();
    if (wait > 0) await sleep(wait);
  }

  return function paced<T>(deploy: () => Promise<T>): Promise<T> {
    const run = queue.then(async () => {
      for (let retry = 0; ; retry++) {
        await waitForSlot();
        try {
          return await deploy();
        } catch (error) {
          // The send path turns AWS's 429 TooManyRequestsException into a `throttled` domain error.
          const throttled = isDomainError(error) && error.kind === 'throttled';
          if (!throttled || retry >= options.retries) throw error;
        } finally {
          // A 429 also means a deployment happened just now (elsewhere): wait a whole interval again.
          lastAttemptAt = now();
        }
      }
    });
    queue = run.catch(() => undefined);
    return run;
  };
}
