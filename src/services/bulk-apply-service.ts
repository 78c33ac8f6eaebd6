// Bulk apply (DESIGN §2, PUT /v1/apis/{apiId}/routes): the desired backend of many routes as one
// change — one read, one plan, one lock, one audit record with an outcome per route.
import { planBulkApply, type BulkRoute, type BulkRouteOutcome } from '../domain/bulk-plan.js';
import { validationError, type FieldViolation } from '../domain/errors.js';
import type { RouteIntegrationIntent } from '../domain/intent.js';
import { validateIntent } from '../domain/intent-to-integration.js';
import { validateRouteKey } from '../domain/integration-rules.js';
import { plannedOutcomesOf, type RecordedBulkState } from '../domain/change-record.js';
import type { ChangeAftermath, ChangeContext, ChangeKinds, ChangeResult, ChangeRun, ChangeRunner, ChangeSpec } from './change-runner.js';
import { answer, changeSummary } from './change-presenter.js';
import { knownIntegrationIds, readRouteStates, type RouteRequest } from './route-states.js';
import { intentPaths, type Guardrails } from './guardrails.js';
import { createIntentResolver } from './intent-resolution.js';
import type { PermissionScope } from '../domain/permissions.js';
import type { FactCache } from './fact-cache.js';
import type { PermissionPlanner, PermissionReadState } from './permission-planner.js';
import { routeStateFromWrites } from './route-after-state.js';
import { keptAsPermissions, type PermissionStage } from './permission-stage.js';
import type { ApiGatewayPort, LambdaPort } from './ports.js';
import type { ApiSnapshot } from './route-state.js';

export type BulkRequest = Record<string, RouteIntegrationIntent | null>;

export interface BulkApplyServiceDeps {
  apiGateway: ApiGatewayPort;
  lambda: LambdaPort;
  /** Reads a policy ahead; whose needs tell which policies an after-state built from the writes keeps. */
  permissions: Pick<PermissionPlanner, 'needsOf' | 'prefetch'>;
  runChange: ChangeRunner;
  region: string;
  /** Per API or per route (DESIGN §4): what the reads must cover for permission planning. */
  scope: PermissionScope;
  /** API protocol types earlier changes read (fact-cache.ts); absent: read each time. */
  facts?: FactCache;
  /** Who may wire what (DESIGN §4a), checked for every route before the change reads anything. */
  guardrails: Guardrails;
  /** Where this service says how another instance finishes its changes (roll forward). */
  kinds?: ChangeKinds;
}

interface BulkState {
  snapshot: ApiSnapshot;
  routes: BulkRoute[];
  /** The policies the runner's permission stage read for the change. */
  permissions?: PermissionReadState;
}

/**
 * The runner's permission stage for a bulk apply: the statements of the functions its steps touch,
 * and of the routes' current integrations (an apply repairs missing permissions), kept for the record.
 */
const BULK_PERMISSIONS: PermissionStage<BulkState> = {
  api: (state) => state.snapshot,
  alsoCheck: (state) => state.routes.map((route) => route.state.integration?.integrationId),
  keep: keptAsPermissions(),
};

export type BulkRouteResults = Record<string, { outcome: BulkRouteOutcome; integrationId?: string }>;

/** A route key as one JSON Pointer token (RFC 6901): `~` and `/` are escaped. */
export function pointerToken(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

export function createBulkApplyService(deps: BulkApplyServiceDeps) {
  const { apiGateway, lambda, permissions, runChange, region, guardrails, scope, facts } = deps;

  /** Every violation of every route, then every function that does not exist: one 400 for all. */
  async function resolveRequests(routes: BulkRequest): Promise<RouteRequest[]> {
    const violations: FieldViolation[] = [];
    for (const [routeKey, intent] of Object.entries(routes)) {
      const at = `/routes/${pointerToken(routeKey)}`;
      const keyProblem = validateRouteKey(routeKey);
      if (keyProblem) violations.push({ path: at, message: `route key ${keyProblem}` });
      if (intent) violations.push(...validateIntent(intent).map((v) => ({ ...v, path: at + v.path })));
    }
    if (violations.length > 0) throw validationError(violations);

    const resolver = createIntentResolver({ lambda, region });
    const requests = await Promise.all(
      Object.entries(routes).map(async ([routeKey, intent]) => {
        if (intent === null) return { routeKey, desired: null };
        const resolution = await resolver.resolve(intent, `/routes/${pointerToken(routeKey)}`);
        if (!resolution.ok) {
          violations.push(...resolution.violations);
          return { routeKey, desired: null };
        }
        return { routeKey, desired: resolution.desired };
      }),
    );
    if (violations.length > 0) throw validationError(violations);
    return requests;
  }

  /** The answer: the summary and, per route named, its outcome and the integration it is bound to now. */
  function present(routeKeys: readonly string[], outcomes: () => Record<string, BulkRouteOutcome>) {
    return (result: ChangeResult<BulkState>) => {
      const after = new Map(result.after.routes.map((route) => [route.routeKey, route.state]));
      const planned = outcomes();
      const routes: BulkRouteResults = Object.fromEntries(
        routeKeys.map((routeKey) => {
          const integrationId = after.get(routeKey)?.integration?.integrationId;
          return [routeKey, { outcome: planned[routeKey] ?? 'unchanged', ...(integrationId ? { integrationId } : {}) }];
        }),
      );
      return answer({ ...changeSummary(result), routes });
    };
  }

  /**
   * A bulk apply another instance finishes after a hand-over: the steps left come from the
   * record, the outcomes planned from its `before`; the after-read needs only the route keys.
   */
  deps.kinds?.register('routes.bulk-put', (record) => {
    const routes = (record.request as { routes?: Record<string, unknown> } | undefined)?.routes;
    const planned = plannedOutcomesOf(record);
    if (!routes || !planned) return undefined;
    const requests = Object.keys(routes).map((routeKey) => ({ routeKey, desired: null }));
    const spec: ChangeSpec<BulkState> = {
      action: 'routes.bulk-put',
      apiId: record.apiId,
      request: record.request,
      read: () => read(record.apiId, requests),
      plan: () => [],
      permissions: BULK_PERMISSIONS,
      describe: (state) => describeBulk(state, planned),
      present: present(Object.keys(routes), () => planned),
    };
    return spec as ChangeSpec<unknown>;
  });

  /**
   * A bulk change of one route: its after-state from the writes' answers, as a single-route
   * change builds it (route-after-state.ts); of several routes, read again.
   */
  function deriveOne(after: ChangeAftermath<BulkState>): BulkState | undefined {
    const { before } = after;
    const only = before?.routes.length === 1 ? before.routes[0]! : undefined;
    if (!before || !only) return undefined;
    const derived = routeStateFromWrites(permissions, {
      ...after,
      before: { ...only.state, snapshot: before.snapshot, ...(before.permissions ? { permissions: before.permissions } : {}) },
    });
    if (!derived) return undefined;
    const { snapshot, permissions: policies, ...state } = derived;
    return { snapshot, routes: [{ ...only, state }], ...(policies ? { permissions: policies } : {}) };
  }

  /** A bulk change of one route reads its desired function's policy alongside the route, as a single-route change does. */
  function prefetchOne(apiId: string, requests: readonly RouteRequest[]): Pick<PermissionStage<BulkState>, 'prefetch'> {
    const only = requests.length === 1 ? requests[0]! : undefined;
    if (!only?.desired) return {};
    const { routeKey, desired } = only;
    return { prefetch: () => permissions.prefetch(apiId, routeKey, desired.integration) };
  }

  async function read(apiId: string, requests: readonly RouteRequest[]): Promise<BulkState> {
    const { snapshot, states } = await readRouteStates(apiGateway, apiId, requests, { scope, ...(facts ? { facts } : {}) });
    return { snapshot, routes: requests.map((request, index) => ({ ...request, state: states[index]! })) };
  }

  return {
    async apply(apiId: string, routes: BulkRequest, context: ChangeContext): Promise<ChangeRun<BulkState>> {
      const requests = await resolveRequests(routes);
      // One policy for the caller and the API; every route's denial is named under its own path.
      const guardrailPolicy = await guardrails.check(
        apiId,
        context,
        requests.flatMap(({ routeKey, desired }) => {
          const intent = routes[routeKey];
          return desired && intent ? [{ integration: desired.integration, pathOf: intentPaths(intent, `/routes/${pointerToken(routeKey)}`) }] : [];
        }),
      );
      let outcomes: Record<string, BulkRouteOutcome> = {};
      return runChange<BulkState>(
        {
          action: 'routes.bulk-put',
          apiId,
          request: { routes },
          read: () => read(apiId, requests),
          derive: deriveOne,
          plan(state) {
            const bulk = planBulkApply(apiId, state.snapshot, state.routes);
            outcomes = bulk.outcomes;
            return bulk.steps;
          },
          permissions: { ...BULK_PERMISSIONS, ...prefetchOne(apiId, requests) },
          describe: (state) => describeBulk(state, outcomes),
          knownIntegrationIds: (state) => knownIntegrationIds(state.snapshot),
          guardrailPolicy,
          present: present(
            requests.map(({ routeKey }) => routeKey),
            () => outcomes,
          ),
        },
        context,
      );
    },
  };
}

/**
 * What the audit record keeps: each named route's state (drift reads `routes[routeKey]`), the
 * function policies the change depended on, and the outcome planned for each route.
 */
function describeBulk(state: BulkState, outcomes: Record<string, BulkRouteOutcome>): RecordedBulkState {
  const routes: RecordedBulkState['routes'] = {};
  for (const { routeKey, state: route } of state.routes) {
    const { apiId: _apiId, routeKey: _routeKey, ...rest } = route;
    routes[routeKey] = rest;
  }
  return { routes, outcomes, policies: Object.fromEntries(state.permissions?.policies ?? []) };
}

export type BulkApplyService = ReturnType<typeof createBulkApplyService>;
