// A route change's after-state, built from what its writes answered (issue 15) instead of reading
// the API, the responses and the policies again: CreateRoute/UpdateRoute and
// CreateIntegration/UpdateIntegration answer with the whole resource, and a policy after
// AddPermission/RemovePermission is the one read before with that statement added or removed.
// Whatever the answers do not tell (response writes, a step another owner ran) leaves it
// undefined, and the spec reads the state again.
import { integrationIdOfTarget, type Integration, type Route } from '../domain/model.js';
import { policyKey, type FunctionPolicyState } from '../domain/permissions.js';
import { resolveReferences, type PlanStep } from '../domain/plan.js';
import { statementFor } from '../domain/policy-statements.js';
import type { RouteState } from '../domain/route-integration-plan.js';
import type { ChangeAftermath } from './change-runner.js';
import type { PermissionPlanner, PermissionReadState } from './permission-planner.js';
import type { ApiSnapshot } from './route-state.js';

/** A route change's state; `permissions`: the policies the runner's permission stage read for it. */
export type RouteChangeState = RouteState & { snapshot: ApiSnapshot; permissions?: PermissionReadState };

export interface AfterStateInput {
  before: RouteChangeState;
  plan: readonly PlanStep[];
  resources: ReadonlyMap<string, unknown>;
  createdIds: ReadonlyMap<string, string>;
  /** The policy keys a read of `state` would read (the functions its integration invokes, in accounts Gatewire manages). */
  policyKeysOf(state: RouteState & { snapshot: ApiSnapshot }, permissions: PermissionReadState): string[];
}

export function routeStateAfter({ before, plan, resources, createdIds, policyKeysOf }: AfterStateInput): RouteChangeState | undefined {
  let route = before.route;
  const routes = new Map(before.snapshot.routes.map((candidate) => [candidate.routeId, candidate]));
  const integrations = new Map(before.snapshot.integrations.map((candidate) => [candidate.integrationId, candidate]));
  const created = new Set<string>();
  if (!before.permissions) return undefined;
  const policies = new Map(before.permissions.policies);
  for (const step of plan) {
    const resource = resources.get(step.id);
    switch (step.operation) {
      case 'CreateRoute':
      case 'UpdateRoute': {
        if (!isRoute(resource) || resource.routeKey !== before.routeKey) return undefined;
        route = resource;
        routes.set(resource.routeId, resource);
        break;
      }
      case 'CreateIntegration':
      case 'UpdateIntegration': {
        if (!isIntegration(resource)) return undefined;
        integrations.set(resource.integrationId, resource);
        if (step.operation === 'CreateIntegration') created.add(resource.integrationId);
        break;
      }
      case 'DeleteIntegration':
        integrations.delete(resolveReferences(step, createdIds).params.integrationId);
        break;
      case 'AddPermission':
      case 'RemovePermission': {
        const outcome = (resource as { outcome?: string } | undefined)?.outcome;
        if (outcome === undefined) return undefined;
        const { functionName, qualifier, statementId } = step.params;
        const key = policyKey(functionName, qualifier);
        if (!policies.has(key)) return undefined;
        if (outcome === 'added' || outcome === 'removed') {
          const kept = (policies.get(key)?.statements ?? []).filter((statement) => statement.Sid !== statementId);
          // The revision AWS gave the policy is not in the answer: unknown, so not recorded.
          const next: FunctionPolicyState = { statements: outcome === 'added' && step.operation === 'AddPermission' ? [...kept, statementFor(step.params)] : kept };
          policies.set(key, next);
        }
        break;
      }
      case 'CreateDeployment':
        break;
      default:
        // Response writes (and anything new): their after-state is read, not guessed.
        return undefined;
    }
  }

  const integrationId = integrationIdOfTarget(route?.target);
  const integration = integrationId === undefined ? undefined : integrations.get(integrationId);
  if (integrationId !== undefined && !integration) return undefined;
  const integrationResponses =
    integration === undefined
      ? []
      : integration.integrationId === before.integration?.integrationId
        ? before.integrationResponses
        : created.has(integration.integrationId)
          ? []
          : undefined;
  if (integrationResponses === undefined) return undefined;
  const routeResponses = route === undefined ? [] : route.routeId === before.route?.routeId ? before.routeResponses : [];
  const allRoutes = [...routes.values()];
  const otherRoutesUsingIntegration = integrationId
    ? allRoutes.filter((other) => other.routeId !== route?.routeId && integrationIdOfTarget(other.target) === integrationId).map((other) => other.routeKey)
    : [];
  const snapshot: ApiSnapshot = {
    routes: allRoutes,
    integrations: [...integrations.values()],
    ...(before.snapshot.allIntegrations === false ? { allIntegrations: false as const } : {}),
  };
  const state = {
    apiId: before.apiId,
    routeKey: before.routeKey,
    ...(route ? { route } : {}),
    ...(integration ? { integration } : {}),
    integrationResponses,
    routeResponses,
    otherRoutesUsingIntegration,
    snapshot,
  };
  const { holds: _holds, ...readState } = before.permissions;
  const keys = policyKeysOf(state, readState);
  if (keys.some((key) => !policies.has(key))) return undefined;
  return { ...state, permissions: { ...readState, policies: new Map(keys.map((key) => [key, policies.get(key)])) } };
}

function isRoute(value: unknown): value is Route {
  return typeof value === 'object' && value !== null && typeof (value as Route).routeId === 'string';
}

function isIntegration(value: unknown): value is Integration {
  return typeof value === 'object' && value !== null && typeof (value as Integration).integrationId === 'string';
}

/**
 * A route change's after-state from what its writes answered, when they tell all of it: the
 * policies kept are those of the functions the route's integration invokes, in accounts Gatewire
 * manages (what the permission stage would read).
 */
export function routeStateFromWrites(planner: Pick<PermissionPlanner, 'needsOf'>, after: ChangeAftermath<RouteChangeState>): RouteChangeState | undefined {
  if (!after.before || !after.plan || !after.resources) return undefined;
  return routeStateAfter({
    before: after.before,
    plan: after.plan,
    resources: after.resources,
    createdIds: after.createdIds,
    policyKeysOf: (state, read) => {
      const only = new Set(state.integration ? [state.integration.integrationId] : []);
      return [
        ...new Set(
          planner
            .needsOf(state.snapshot, state.apiId, read.apiAccountId, only)
            .filter((need) => need.kind === 'function' && read.manageable.get(need.accountId) === true)
            .map((need) => policyKey(need.functionArn, need.qualifier)),
        ),
      ];
    },
  });
}
