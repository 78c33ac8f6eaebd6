// Adds the Lambda permission steps to a change (DESIGN §4): before the API Gateway steps, the
// statements the API will need; after them, Gatewire's statements nothing needs any more. Only
// the functions the change touches are read (one GetPolicy per function and qualifier).
import { integrationsTouchedBy, projectApi, type ApiShape } from '../domain/api-projection.js';
import { DomainError } from '../domain/errors.js';
import type { Integration } from '../domain/model.js';
import type { PlanStep } from '../domain/plan.js';
import {
  permissionNeedOf,
  planPermissionSteps,
  policyKey,
  policyTargets,
  staleStatements,
  statementKey,
  type FunctionPolicyState,
  type StageHoldInput,
  type PermissionNeed,
  type PermissionPlan,
  type PermissionScope,
  type StageVariablePermission,
} from '../domain/permissions.js';
import type { LambdaPort } from './ports.js';
import type { StageHoldReader, TrailUses } from './stage-holds.js';
import { settle, unsettle, type Settled } from './settled.js';

type Need = PermissionNeed | StageVariablePermission;
type PolicyTarget = ReturnType<typeof policyTargets>[number];

/**
 * Policies read ahead, by policy key: started with the API's own reads, so that a change does not
 * wait a round trip more for the policy of the function it targets (DESIGN §3: independent reads
 * run in parallel). A read that planning turns out not to need is dropped.
 */
export type PolicyPrefetch = ReadonlyMap<string, Promise<Settled<FunctionPolicyState | undefined>>>;

/** What planning needs to know beyond the API itself, read before the plan is made. */
export interface PermissionReadState {
  apiAccountId: string;
  policies: Map<string, FunctionPolicyState | undefined>;
  /** Accounts Gatewire can write policies in. */
  manageable: Map<string, boolean>;
  /**
   * Read when statements are about to go: when each stopped being needed and when each stage was
   * last deployed (DESIGN §4). Absent: nothing to remove, or no stage can hold it.
   */
  holds?: StageHoldInput;
}

export interface PermissionPlannerDeps {
  lambda: LambdaPort;
  scope: PermissionScope;
  region: string;
  stageHolds: StageHoldReader;
}

/** The needs of the functions a change touches, before and after its API Gateway steps (DESIGN §4). */
export interface TouchedNeeds {
  before: Need[];
  after: Need[];
}

/** Options of planning that come from the change rather than its state. */
export interface PermissionPlanOptions {
  /** The stage the change deploys after its API Gateway steps: it holds no statement back. */
  deployingStage?: string;
}

export function createPermissionPlanner({ lambda, scope, region, stageHolds }: PermissionPlannerDeps) {
  function needsOf(api: ApiShape, apiId: string, apiAccountId: string, only?: Set<string>): Need[] {
    const context = { apiId, apiAccountId, apiRegion: region, scope };
    const needs: Need[] = [];
    const include = (integration: Integration | undefined) => integration !== undefined && (!only || only.has(integration.integrationId));
    if (scope === 'api') {
      for (const integration of api.integrations) {
        if (!include(integration)) continue;
        const need = permissionNeedOf(integration, context);
        if (need) needs.push(need);
      }
      return needs;
    }
    const byId = new Map(api.integrations.map((integration) => [integration.integrationId, integration]));
    for (const route of api.routes) {
      const integration = byId.get(/^integrations\/(.+)$/.exec(route.target ?? '')?.[1] ?? '');
      if (!include(integration)) continue;
      const need = permissionNeedOf(integration!, { ...context, routeKey: route.routeKey });
      if (need) needs.push(need);
    }
    return needs;
  }

  /** The policies the permission steps of `steps` depend on: those of every function they touch. */
  function touchedNeeds(
    apiId: string,
    current: ApiShape,
    steps: readonly PlanStep[],
    alsoCheck: readonly (string | undefined)[],
    apiAccountId: string,
  ): TouchedNeeds {
    const touchedIds = integrationsTouchedBy(steps);
    for (const id of alsoCheck) if (id) touchedIds.add(id);
    const after = projectApi(current, steps);
    const touchedKeys = new Set(
      [...needsOf(current, apiId, apiAccountId, touchedIds), ...needsOf(after, apiId, apiAccountId, touchedIds)].map((need) =>
        policyKey(need.functionArn, need.qualifier),
      ),
    );
    const relevant = (need: Need) => touchedKeys.has(policyKey(need.functionArn, need.qualifier));
    return {
      before: needsOf(current, apiId, apiAccountId).filter(relevant),
      after: needsOf(after, apiId, apiAccountId).filter(relevant),
    };
  }

  async function readPolicy(target: { functionArn: string; qualifier?: string }): Promise<FunctionPolicyState | undefined> {
    try {
      return await lambda.getPolicy(target.functionArn, target.qualifier);
    } catch (error) {
      // A function that is gone has no policy to keep in step; AddPermission reports it if needed.
      if (error instanceof DomainError && error.kind === 'not-found') return undefined;
      throw error;
    }
  }

  /** The policies of `needs` and of `alsoRead` (functions no integration uses any more). */
  async function readPolicies(
    needs: readonly Need[],
    apiAccountId: string,
    prefetched?: PolicyPrefetch,
    alsoRead: readonly PolicyTarget[] = [],
  ): Promise<PermissionReadState> {
    const functionNeeds = needs.filter((need): need is PermissionNeed => need.kind === 'function');
    const accounts = [...new Set([...functionNeeds, ...alsoRead].map((target) => target.accountId))];
    const manageable = new Map(await Promise.all(accounts.map(async (account) => [account, await lambda.canManage(account)] as const)));
    const targets = [...policyTargets(functionNeeds), ...alsoRead].filter((target) => manageable.get(target.accountId));
    const policies = new Map(
      await Promise.all(
        targets.map(async (target) => {
          const key = policyKey(target.functionArn, target.qualifier);
          const early = prefetched?.get(key);
          return [key, early ? await unsettle(early) : await readPolicy(target)] as const;
        }),
      ),
    );
    return { apiAccountId, policies, manageable };
  }

  /**
   * The stage facts for the statements that `before` -> `after` leaves unneeded: those `before`
   * needed stop being needed now, the others earlier (the trail says when).
   */
  async function readHolds(
    apiId: string,
    before: readonly Need[],
    after: readonly Need[],
    state: PermissionReadState,
    uses?: TrailUses,
  ): Promise<PermissionReadState> {
    const manageableNeeds = (needs: readonly Need[]) =>
      needs.filter((need): need is PermissionNeed => need.kind === 'function' && state.manageable.get(need.accountId) === true);
    const stale = staleStatements(apiId, manageableNeeds(after), state.policies).filter((statement) => state.manageable.get(statement.accountId) === true);
    const releasedNow = new Set(manageableNeeds(before).map(statementKey));
    const holds = await stageHolds.read(apiId, stale, releasedNow, uses);
    return holds ? { ...state, holds } : state;
  }

  return {
    /**
     * Starts reading the policy `integration` (a change's desired integration, on `routeKey`)
     * will need, before the API is read; pass the result to read().
     */
    async prefetch(apiId: string, routeKey: string, integration: Pick<Integration, 'integrationType' | 'integrationUri' | 'credentialsArn'>): Promise<PolicyPrefetch> {
      const apiAccountId = await lambda.accountId();
      const need = permissionNeedOf(integration, { apiId, apiAccountId, apiRegion: region, scope, routeKey });
      if (need?.kind !== 'function' || !(await lambda.canManage(need.accountId))) return new Map();
      return new Map([[policyKey(need.functionArn, need.qualifier), settle(readPolicy(need))]]);
    },

    /**
     * Reads what the permission steps of `steps` depend on, and says which needs those are
     * (`touched`: plan() takes them, so that a change computes them once). `alsoCheck`:
     * integrations whose permissions a change should repair even if it does not touch them.
     * `prefetched`: policies already being read (prefetch()). `forPlanning` false (the state after
     * a change): the stage facts, which only decide what a plan removes, are not read.
     */
    async read(
      apiId: string,
      current: ApiShape,
      steps: readonly PlanStep[],
      alsoCheck: readonly (string | undefined)[] = [],
      prefetched?: PolicyPrefetch,
      forPlanning = true,
    ): Promise<{ state: PermissionReadState; touched: TouchedNeeds }> {
      const apiAccountId = await lambda.accountId();
      const touched = touchedNeeds(apiId, current, steps, alsoCheck, apiAccountId);
      const state = await readPolicies([...touched.before, ...touched.after], apiAccountId, prefetched);
      return { state: forPlanning ? await readHolds(apiId, touched.before, touched.after, state) : state, touched };
    },

    /**
     * The whole API: every Lambda integration's need and every policy it lives in, and the policies
     * of the functions the trail says its integrations invoked before (statements kept there for a
     * stage are found, and removed once no stage holds them).
     */
    async readAll(apiId: string, current: ApiShape): Promise<PermissionReadState & { needs: Need[] }> {
      const apiAccountId = await lambda.accountId();
      const needs = needsOf(current, apiId, apiAccountId);
      const uses = await stageHolds.trailUses(apiId);
      const inUse = new Set(needs.map((need) => policyKey(need.functionArn, need.qualifier)));
      const formerly = [...uses.entries()].filter(([key]) => !inUse.has(key)).map(([, use]) => use);
      const state = await readPolicies(needs, apiAccountId, undefined, formerly);
      return { ...(await readHolds(apiId, needs, needs, state, uses)), needs };
    },

    /** The permission steps of a change whose needs read() found: `adds` go before its API Gateway steps, `removes` after. */
    plan(apiId: string, touched: TouchedNeeds, state: PermissionReadState, options: PermissionPlanOptions = {}): PermissionPlan {
      return planPermissionSteps({
        apiId,
        needsBefore: touched.before,
        needsAfter: touched.after,
        policies: state.policies,
        canManage: (account) => state.manageable.get(account) === true,
        ...holdsFor(state, options),
      });
    },

    needsOf,
    /** Per API or per route (DESIGN §4): a route-scope plan needs every integration of the API. */
    scope,
  };
}

/** The `holds` of planPermissionSteps for a change that deploys `options.deployingStage`. */
export function holdsFor(state: Pick<PermissionReadState, 'holds'>, options: PermissionPlanOptions = {}): { holds?: StageHoldInput } {
  if (!state.holds) return {};
  return { holds: { ...state.holds, ...(options.deployingStage !== undefined ? { deploying: options.deployingStage } : {}) } };
}

export type PermissionPlanner = ReturnType<typeof createPermissionPlanner>;
