// The fleet drift summary (issue 19, GET /v1/drift): per target and per API, how many items have
// drifted, how many changes were left of unknown outcome, and how many invoke permissions are kept
// for stages, counted from the same report as GET …/drift. Every AWS call is a read (the handler
// runs as one): it queues behind changes on the target's shared budget and is refused past the read
// bound. A target that cannot be reached, or an API that cannot be read, is named with why, and
// the rest of the fleet is summarised all the same.
import { DomainError } from '../domain/errors.js';
import type { Target } from '../domain/targets.js';
import type { DriftCounts } from './drift-service.js';
import type { TargetServices } from '../target-services.js';

/** How many APIs of one target are inspected at once: each is several reads, and the budget paces them anyway. */
const APIS_AT_ONCE = 4;

export interface ApiDriftSummary extends Partial<DriftCounts> {
  apiId: string;
  name: string;
  /** Why the API's drift could not be read (its counts are then absent). */
  problem?: string;
}

export interface TargetDriftSummary {
  target: string;
  accountId?: string;
  region: string;
  /** False when the target's APIs could not be listed: its role could not be assumed, or AWS failed. */
  reachable: boolean;
  problem?: string;
  apis: ApiDriftSummary[];
}

export interface FleetDriftSummary {
  items: TargetDriftSummary[];
}

export interface FleetDriftServiceDeps {
  targets: readonly Pick<Target, 'name' | 'accountId' | 'region'>[];
  /** A target's services: not-found for an unknown name, upstream when its role cannot be assumed. */
  resolve(name: string): Promise<Pick<TargetServices, 'apis' | 'drift'>>;
}

export function createFleetDriftService(deps: FleetDriftServiceDeps) {
  async function summarizeTarget(target: FleetDriftServiceDeps['targets'][number]): Promise<TargetDriftSummary> {
    const base = { target: target.name, ...(target.accountId !== undefined ? { accountId: target.accountId } : {}), region: target.region };
    let services: Pick<TargetServices, 'apis' | 'drift'>;
    let apis: { apiId: string; name: string }[];
    try {
      services = await deps.resolve(target.name);
      apis = await services.apis.listApis();
    } catch (error) {
      return { ...base, reachable: false, problem: problemOf(error), apis: [] };
    }
    const summaries = await mapAtMost(apis, APIS_AT_ONCE, async ({ apiId, name }): Promise<ApiDriftSummary> => {
      try {
        return { apiId, name, ...(await services.drift.counts(apiId)) };
      } catch (error) {
        return { apiId, name, problem: problemOf(error) };
      }
    });
    return { ...base, reachable: true, apis: summaries };
  }

  return {
    /** Every target's summary, in the order of GET /v1/targets; or one target's (`target`). */
    async summarize(options: { target?: string } = {}): Promise<FleetDriftSummary> {
      const targets = options.target === undefined ? deps.targets : deps.targets.filter((target) => target.name === options.target);
      if (targets.length === 0) {
        throw new DomainError('not-found', `No target is named "${options.target}": GET /v1/targets lists the configured ones`);
      }
      return { items: await Promise.all(targets.map(summarizeTarget)) };
    },
  };
}

export type FleetDriftService = ReturnType<typeof createFleetDriftService>;

/** What a caller is told of a target or API that failed: the domain error's message. Anything else is a bug, and fails the answer. */
function problemOf(error: unknown): string {
  if (error instanceof DomainError) return error.message;
  throw error;
}

/** `work` over `items`, at most `limit` at a time, answers in the items' order. */
async function mapAtMost<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
