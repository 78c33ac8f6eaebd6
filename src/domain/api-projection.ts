// What an API's routes and integrations will be once a plan has run, computed from the plan
// itself. Permission planning compares the needs of the API before and after a change with it,
// whatever kind of change the plan is. Ids a step creates stand as `<step-id>`, as in the plan.
import { integrationIdOfTarget, type Integration, type Route } from './model.js';
import { stepReference, type PlanStep } from './plan.js';

export interface ApiShape {
  routes: Route[];
  integrations: Integration[];
}

export function projectApi(current: ApiShape, steps: readonly PlanStep[]): ApiShape {
  let routes = [...current.routes];
  let integrations = [...current.integrations];
  for (const step of steps) {
    switch (step.operation) {
      case 'CreateIntegration': {
        const { apiId: _apiId, ...fields } = step.params;
        integrations.push({ ...fields, integrationId: stepReference(step.id) });
        break;
      }
      case 'UpdateIntegration': {
        const { apiId: _apiId, integrationId, ...fields } = step.params;
        integrations = integrations.map((integration) => (integration.integrationId === integrationId ? { ...integration, ...fields } : integration));
        break;
      }
      case 'DeleteIntegration':
        integrations = integrations.filter((integration) => integration.integrationId !== step.params.integrationId);
        break;
      case 'CreateRoute': {
        const { apiId: _apiId, ...fields } = step.params;
        routes.push(withoutEmptyTarget({ ...fields, routeId: stepReference(step.id) }));
        break;
      }
      case 'UpdateRoute': {
        const { apiId: _apiId, routeId, ...fields } = step.params;
        routes = routes.map((route) => (route.routeId === routeId ? withoutEmptyTarget({ ...route, ...fields }) : route));
        break;
      }
      case 'DeleteRoute':
        routes = routes.filter((route) => route.routeId !== step.params.routeId);
        break;
      default:
        // Responses, permissions and deployments do not change which integration a route uses.
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
    if (step.operation === 'CreateIntegration') touched.add(stepReference(step.id));
    if ('integrationId' in step.params && /Integration$/.test(step.operation)) touched.add(step.params.integrationId);
    if ('target' in step.params && typeof step.params.target === 'string') {
      const id = integrationIdOfTarget(step.params.target);
      if (id) touched.add(id);
    }
  }
  return touched;
}
