// The headline: the desired backend of one route, in intent form (DESIGN §2).
import { validationError } from '../domain/errors.js';
import { routeIntegrationEtag } from '../domain/etag.js';
import type { RouteIntegrationIntent } from '../domain/intent.js';
import { validateIntent } from '../domain/intent-to-integration.js';
import { validateRouteKey } from '../domain/integration-rules.js';
import { integrationIdOfTarget, type Integration, type IntegrationResponse, type Route, type RouteResponse } from '../domain/model.js';
import { planBulkApply } from '../domain/bulk-plan.js';
import { DEFAULT_ROUTE_RESPONSE_KEY, NEW_INTEGRATION, NEW_ROUTE, TWO_WAY_SELECTION_EXPRESSION, type RouteState } from '../domain/route-integration-plan.js';
import type { ChangeAftermath, ChangeContext, ChangeKinds, ChangeResult, ChangeRun, ChangeRunner, ChangeSpec } from './change-runner.js';
import type { FactCache } from './fact-cache.js';
import { routeStateFromWrites, type RouteChangeState } from './route-after-state.js';
import { answer, changeSummary } from './change-presenter.js';
import type { PlanStep } from '../domain/plan.js';
import type { RecordedRouteState } from '../domain/change-record.js';
import type { PermissionPlanner } from './permission-planner.js';
import { keptAsPermissions, type PermissionStage } from './permission-stage.js';
import type { ApiGatewayPort, LambdaPort } from './ports.js';
import { createIntentResolver } from './intent-resolution.js';
import { intentPaths, type Guardrails } from './guardrails.js';
import { withRunningResponses } from '../domain/running-responses.js';
import { readRouteState, requireRoute, type ExpectedIds } from './route-state.js';
import { knownIntegrationIds, readRouteStates, type RouteRequest } from './route-states.js';

export interface RouteIntegrationView {
  apiId: string;
  routeKey: string;
  route?: Route;
  integration?: Integration;
  integrationResponses: IntegrationResponse[];
  routeResponses: RouteResponse[];
  /** Two-way: the route's response selection expression is `$default` and it has a `$default` route response. */
  returnResponse: boolean;
  /** Other routes bound to the same integration. */
  sharedWith: string[];
}

export interface RouteIntegrationServiceDeps {
  apiGateway: ApiGatewayPort;
  lambda: LambdaPort;
  permissions: PermissionPlanner;
  runChange: ChangeRunner;
  region: string;
  /** Who may wire what (DESIGN §4a), checked before the change reads anything. */
  guardrails: Guardrails;
  /** Where this service says how another instance finishes its changes (roll forward). */
  kinds?: ChangeKinds;
  /** API protocol types and function ARNs earlier changes read (fact-cache.ts); absent: read each time. */
  facts?: FactCache;
}

export type { RouteChangeState };

export function createRouteIntegrationService(deps: RouteIntegrationServiceDeps) {
  const { apiGateway, lambda, permissions, runChange, region, guardrails, facts } = deps;

  /** The after-state from the writes' answers, when they tell all of it (route-after-state.ts). */
  function derive(after: ChangeAftermath<RouteChangeState>): RouteChangeState | undefined {
    return routeStateFromWrites(permissions, after);
  }

  /**
   * The runner's permission stage for a route: the statements of the functions its steps touch,
   * and of its current integration's (a PUT repairs a missing permission), kept in the state
   * (the record's policies; the after-state built from the writes starts from them).
   */
  function routeStage(prefetch?: PermissionStage<RouteChangeState>['prefetch']): PermissionStage<RouteChangeState> {
    return {
      api: (state) => state.snapshot,
      alsoCheck: (state) => [state.integration?.integrationId],
      ...(prefetch ? { prefetch } : {}),
      keep: keptAsPermissions(),
    };
  }

  /** The answer of a route change: the summary and the route's integration as it is now. */
  function present(result: ChangeResult<RouteState>) {
    return answer({ ...changeSummary(result), routeIntegration: viewOf(result.after) }, { etag: result.etag });
  }

  /**
   * A route PUT another instance finishes after a hand-over: only the after-read and the answer
   * need the spec (the steps left come from the record), and neither needs the intent.
   */
  function resumedPut(apiId: string, routeKey: string): ChangeSpec<RouteChangeState> {
    return {
      action: 'route-integration.put',
      apiId,
      routeKey,
      request: {},
      read: (after) => readRoute(apiId, { routeKey, desired: null }, after && idsAfterPut(after)),
      plan: () => [],
      permissions: routeStage(),
      describe: describeRoute,
      integrationIdOf: (state) => state.integration?.integrationId,
      etagOf: routeEtag,
      exists: hasBoundIntegration,
      present,
    };
  }
  deps.kinds?.register('route-integration.put', (record) =>
    record.routeKey === undefined ? undefined : (resumedPut(record.apiId, record.routeKey) as ChangeSpec<unknown>),
  );

  function checkRouteKey(routeKey: string): void {
    const problem = validateRouteKey(routeKey);
    if (problem) throw validationError([{ path: '/routeKey', message: problem }]);
  }

  return {
    /** The view, with the entity tag of the route's integration state (the ETag header). */
    async get(apiId: string, routeKey: string): Promise<RouteIntegrationView & { etag?: string }> {
      checkRouteKey(routeKey);
      const state = await readRouteState(apiGateway, apiId, routeKey);
      requireRoute(state);
      const etag = routeEtag(state);
      return { ...viewOf(state), ...(etag !== undefined ? { etag } : {}) };
    },

    async put(
      apiId: string,
      routeKey: string,
      intent: RouteIntegrationIntent,
      context: ChangeContext,
    ): Promise<ChangeRun<RouteChangeState>> {
      const violations = validateIntent(intent);
      const keyProblem = validateRouteKey(routeKey);
      if (keyProblem) violations.unshift({ path: '/routeKey', message: keyProblem });
      if (violations.length > 0) throw validationError(violations);

      const resolver = createIntentResolver({ lambda, region, ...(facts ? { facts } : {}) });
      const resolution = await resolver.resolve(intent);
      if (!resolution.ok) throw validationError(resolution.violations);
      const desired = resolution.desired;
      const guardrailPolicy = await guardrails.check(apiId, context, [{ integration: desired.integration, pathOf: intentPaths(intent) }]);
      const request: RouteRequest = { routeKey, desired };
      return runChange<RouteChangeState>(
        {
          action: 'route-integration.put',
          apiId,
          routeKey,
          request: intent,
          read: (after) => readRoute(apiId, request, after && idsAfterPut(after)),
          derive,
          plan: (state) => planRoute(apiId, request, state),
          // The desired function's policy is read alongside the route: it is needed both before
          // the change and after it, and would otherwise cost a round trip more each time.
          permissions: {
            ...routeStage(() => permissions.prefetch(apiId, routeKey, desired.integration)),
            async revalidate() {
              if (!resolver.stale()) return;
              // A function ARN came from the cache and the policy reads found the function gone:
              // ask Lambda again, as a change without the cache would have (a 400 when it is gone).
              resolver.reset();
              const again = await resolver.resolve(intent);
              if (!again.ok) throw validationError(again.violations);
            },
          },
          describe: describeRoute,
          integrationIdOf: (state) => state.integration?.integrationId,
          etagOf: routeEtag,
          exists: hasBoundIntegration,
          knownIntegrationIds: (state) => knownIntegrationIds(state.snapshot),
          guardrailPolicy,
          present,
        },
        context,
      );
    },

    async remove(apiId: string, routeKey: string, context: ChangeContext) {
      checkRouteKey(routeKey);
      return runChange<RouteChangeState>(
        {
          action: 'route-integration.delete',
          apiId,
          routeKey,
          request: {},
          read: async (after) => {
            // Unbound afterwards: only the route's responses are expected.
            const state = await readRoute(apiId, { routeKey, desired: null }, after && { routeId: after.before?.route?.routeId });
            requireRoute(state);
            return state;
          },
          derive,
          plan: (state) => planRoute(apiId, { routeKey, desired: null }, state),
          permissions: routeStage(),
          describe: describeRoute,
          integrationIdOf: (state) => integrationIdOfTarget(state.route?.target),
          etagOf: routeEtag,
          exists: hasBoundIntegration,
          present,
        },
        context,
      );
    },
  };

  /**
   * The route and its API, read as a bulk change of this one route reads them (route-states.ts);
   * `expected`: after the change, where its writes left the route. The runner's permission stage
   * adds the policies.
   */
  async function readRoute(apiId: string, request: RouteRequest, expected: ExpectedIds | undefined): Promise<RouteChangeState> {
    const { snapshot, states } = await readRouteStates(apiGateway, apiId, [request], {
      scope: permissions.scope,
      ...(facts ? { facts } : {}),
      ...(expected ? { expected } : {}),
    });
    return { ...states[0]!, snapshot };
  }
}

/** The route's own steps, planned as a bulk change of this one route plans them (domain/bulk-plan.ts). */
function planRoute(apiId: string, { routeKey, desired }: RouteRequest, state: RouteChangeState): PlanStep[] {
  return planBulkApply(apiId, state.snapshot, [{ routeKey, state, desired }], { perRouteNames: false }).steps;
}

/**
 * Where a PUT leaves the route: on the route it had or the one it created, bound to the integration
 * it created or (updated in place) the one it had.
 */
function idsAfterPut({ before, createdIds }: { before: RouteState | undefined; createdIds: ReadonlyMap<string, string> }): ExpectedIds {
  return {
    routeId: before?.route?.routeId ?? createdIds.get(NEW_ROUTE),
    integrationId: createdIds.get(NEW_INTEGRATION) ?? before?.integration?.integrationId,
  };
}

/**
 * The target of If-Match: * / If-None-Match: * is the route's integration: it exists once the route
 * is bound to one (an unbound route still has an entity tag, so a list in If-Match can pin it).
 */
function hasBoundIntegration(state: RouteState): boolean {
  return integrationIdOfTarget(state.route?.target) !== undefined;
}

/** What the audit record keeps of a route's state: the route, not the whole API around it. */
function describeRoute(state: RouteChangeState): RecordedRouteState {
  const { snapshot: _snapshot, permissions, ...route } = state;
  return { ...route, policies: Object.fromEntries(permissions?.policies ?? []) };
}

export type RouteIntegrationService = ReturnType<typeof createRouteIntegrationService>;

/** The entity tag of a route's integration: of the responses that run only, as the view shows. */
function routeEtag(state: RouteState): string | undefined {
  return routeIntegrationEtag(withRunningResponses(state));
}

/** The view shows the responses that run (running-responses.ts), whatever the change read. */
export function viewOf(read: RouteState): RouteIntegrationView {
  const state = withRunningResponses(read);
  return {
    apiId: state.apiId,
    routeKey: state.routeKey,
    ...(state.route ? { route: state.route } : {}),
    ...(state.integration ? { integration: state.integration } : {}),
    integrationResponses: state.integrationResponses,
    routeResponses: state.routeResponses,
    returnResponse:
      state.route?.routeResponseSelectionExpression === TWO_WAY_SELECTION_EXPRESSION &&
      state.routeResponses.some((r) => r.routeResponseKey === DEFAULT_ROUTE_RESPONSE_KEY),
    sharedWith: state.otherRoutesUsingIntegration,
  };
}
