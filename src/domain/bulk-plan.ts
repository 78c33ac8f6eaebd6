// The one planner of route changes: the desired backend of many routes as one change (a bulk
// apply, PUT /v1/apis/{apiId}/routes), or of one (a single-route PUT or DELETE is a bulk change
// of one route). Each route is planned against one read of the API; the plans are joined into
// one, with every step that cannot be undone moved last so that a failure anywhere can still be
// rolled back. Pure: the state comes in, the steps go out.
import { projectApi, type ApiShape } from './api-projection.js';
import { integrationIdOfTarget } from './model.js';
import { prefixStepIds, type PlanStep } from './plan.js';
import { planRouteIntegration, planRouteUnbind, type DesiredRouteIntegration, type RouteState } from './route-integration-plan.js';

export type BulkRouteOutcome = 'unchanged' | 'created' | 'updated' | 'removed';

export interface BulkRoute {
  routeKey: string;
  state: RouteState;
  /** null: remove the route's integration (the route itself stays). */
  desired: DesiredRouteIntegration | null;
}

export interface BulkPlan {
  steps: PlanStep[];
  /** What each named route's part of the plan does, in the order the routes were given. */
  outcomes: Record<string, BulkRouteOutcome>;
}

export interface BulkPlanOptions {
  /**
   * Prefix each route's step ids and descriptions (`r0-`, `send: …`) so that routes' steps stay
   * apart (default). A single-route change's steps keep their own names, as its answers and
   * records always had them.
   */
  perRouteNames?: boolean;
}

export function planBulkApply(apiId: string, api: ApiShape, routes: readonly BulkRoute[], { perRouteNames = true }: BulkPlanOptions = {}): BulkPlan {
  if (!perRouteNames && routes.length > 1) throw new Error('planBulkApply: the steps of several routes need per-route names');
  const outcomes: Record<string, BulkRouteOutcome> = {};
  const steps: PlanStep[] = [];
  routes.forEach(({ routeKey, state, desired }, index) => {
    const own = desired ? planRouteIntegration(state, desired) : planRouteUnbind(state);
    // Step ids stay within `[a-z0-9-]` (references need it); the description names the route.
    steps.push(...(perRouteNames ? prefixStepIds(own, `r${index}-`, (description) => `${routeKey}: ${description}`) : own));
    outcomes[routeKey] = own.length === 0 ? 'unchanged' : desired === null ? 'removed' : state.route?.target ? 'updated' : 'created';
  });
  steps.push(...orphanDeletions(apiId, api, steps));
  // Deletions cannot be undone: they run once every step that might fail and need undoing has run.
  return { steps: [...steps.filter((step) => step.compensation), ...steps.filter((step) => !step.compensation)], outcomes };
}

/**
 * An integration that several of the named routes shared is kept by each route's own plan (the
 * others still use it); once all of them have moved away, nothing uses it and it is deleted.
 */
function orphanDeletions(apiId: string, api: ApiShape, steps: readonly PlanStep[]): PlanStep[] {
  const after = projectApi(api, steps);
  const boundBefore = new Set(api.routes.map((route) => integrationIdOfTarget(route.target)));
  const boundAfter = new Set(after.routes.map((route) => integrationIdOfTarget(route.target)));
  const deleted = new Set(
    steps.flatMap((step) => (step.operation === 'DeleteIntegration' ? [step.params.integrationId] : [])),
  );
  return api.integrations
    .filter(({ integrationId }) => boundBefore.has(integrationId) && !boundAfter.has(integrationId) && !deleted.has(integrationId))
    .map(({ integrationId }, index): PlanStep => ({
      id: `orphan-${index}`,
      operation: 'DeleteIntegration',
      params: { apiId, integrationId },
      description: `Delete integration ${integrationId}, which none of the routes that shared it uses any more`,
    }));
}
