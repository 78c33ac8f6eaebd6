// What an API's routes and integrations will be once a plan has run, computed from the plan
// itself. Permission planning compares the needs of the API before and after a change with it,
// whatever kind of change the plan is. Ids a step creates stand as `<step-id>`, as in the plan.
import type { Integration, Route } from './model.js';
import { stepReference, type PlanStep } from './plan.js';

export interface ApiShape {
  routes: Route[];
  integrations: Integration[];
}

export function projectApi(current: ApiShape, steps: readonly PlanStep[]): ApiShape {
  let routes = [...current.routes];
  let integrations = [...current.integrations];
  for (const step of steps) {
    const { apiId: _apiId, integrationId, routeId, ...fields } = step.params as Record<string, any>;
    switch (step.operation) {
      case 'CreateIntegration':
        integrations.push({ ...(fields as Omit<Integration, 'integrationId'>), integrationId: stepReference(step.id) });
        break;
      case 'UpdateIntegration':
        integrations = integrations.map((integration) =>
          integration.integrationId === integrationId ? { ...integration, ...fields } : integration,
        );
        break;
      case 'DeleteIntegration':
        integrations = integrations.filter((integration) => integration.integrationId !== integrationId);
        break;
      case 'CreateRoute':
        routes.push(withoutEmptyTarget({ ...(fields as Omit<Route, 'routeId'>), routeId: stepReference(step.id) }));
        break;
      case 'UpdateRoute':
        routes = routes.map((route) => (route.routeId === routeId ? withoutEmptyTarget({ ...route, ...fields }) : route));
        break;
      case 'DeleteRoute':
        routes = routes.filter((route) => route.routeId !== routeId);
        break;
      default:
        // Responses and permissions do not change which integration a route uses.
        break;
    }
  }
  return { routes, integrations };
}

/** An empty target unbinds the route (what UpdateRoute with target '' does). */
function withoutEmptyTarget(route: Route): Route {
  if (route.target !== '') return route;
  const { target: _target, ...rest } = route;
  return rest;
}

/** The integrations a plan creates, changes, deletes or (re)binds a route to. */
export function integrationsTouchedBy(steps: readonly PlanStep[]): Set<string> {
  const touched = new Set<string>();
  for (const step of steps) {
    const params = step.params as { integrationId?: unknown; target?: unknown };
    if (step.operation === 'CreateIntegration') touched.add(stepReference(step.id));
    if (/Integration$/.test(step.operation) && typeof params.integrationId === 'string') touched.add(params.integrationId);
    if (typeof params.target === 'string') {
      const id = /^integrations\/(.+)$/.exec(params.target)?.[1];
      if (id) touched.add(id);
    }
  }
  return touched;
}
