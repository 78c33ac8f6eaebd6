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
  type FunctionPolicyState,
  type PermissionNeed,
  type PermissionPlan,
  type PermissionScope,
  type StageVariablePermission,
} from '../domain/permissions.js';
import type { LambdaPort } from './ports.js';
import { settle, unsettle, type Settled } from './settled.js';

type Need = PermissionNeed | StageVariablePermission;

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
}

export interface PermissionPlannerDeps {
  lambda: LambdaPort;
  scope: PermissionScope;
  region: string;
}

export function createPermissionPlanner({ lambda, scope, region }: PermissionPlannerDeps) {
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
  function touchedNeeds(apiId: string, current: ApiShape, steps: readonly PlanStep[], alsoCheck: readonly (string | undefined)[], apiAccountId: string) {
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

  async function readPolicies(needs: readonly Need[], apiAccountId: string, prefetched?: PolicyPrefetch): Promise<PermissionReadState> {
    const functionNeeds = needs.filter((need): need is PermissionNeed => need.kind === 'function');
    const accounts = [...new Set(functionNeeds.map((need) => need.accountId))];
    const manageable = new Map(await Promise.all(accounts.map(async (account) => [account, await lambda.canManage(account)] as const)));
    const targets = policyTargets(functionNeeds).filter((target) => manageable.get(target.accountId));
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
     * Reads what the permission steps of `steps` depend on. `alsoCheck`: integrations whose
     * permissions a change should repair even if it does not touch them. `prefetched`: policies
     * already being read (prefetch()).
     */
    async read(
      apiId: string,
      current: ApiShape,
      steps: readonly PlanStep[],
      alsoCheck: readonly (string | undefined)[] = [],
      prefetched?: PolicyPrefetch,
    ): Promise<PermissionReadState> {
      const apiAccountId = await lambda.accountId();
      const { before, after } = touchedNeeds(apiId, current, steps, alsoCheck, apiAccountId);
      return readPolicies([...before, ...after], apiAccountId, prefetched);
    },

    /** The whole API: every Lambda integration's need and every policy it lives in. */
    async readAll(apiId: string, current: ApiShape): Promise<PermissionReadState & { needs: Need[] }> {
      const apiAccountId = await lambda.accountId();
      const needs = needsOf(current, apiId, apiAccountId);
      return { ...(await readPolicies(needs, apiAccountId)), needs };
    },

    /** The change with its permission steps: adds first, the API Gateway steps, then removes. */
    plan(
      apiId: string,
      current: ApiShape,
      steps: PlanStep[],
      state: PermissionReadState,
      alsoCheck: readonly (string | undefined)[] = [],
    ): { steps: PlanStep[]; permissions: PermissionPlan } {
      const { before, after } = touchedNeeds(apiId, current, steps, alsoCheck, state.apiAccountId);
      const permissions = planPermissionSteps({
        apiId,
        needsBefore: before,
        needsAfter: after,
        policies: state.policies,
        canManage: (account) => state.manageable.get(account) === true,
      });
      return { steps: [...permissions.adds, ...steps, ...permissions.removes], permissions };
    },

    needsOf,
  };
}

export type PermissionPlanner = ReturnType<typeof createPermissionPlanner>;
