// Which responses of a route's integration run (reference §1.3, §2): AWS ignores integration
// responses on proxy integrations, and a route's responses are selected only through its
// RouteResponseSelectionExpression. Responses that do not run are neither read (unless a change is
// about to make them run) nor part of a route's view or entity tag, so a GET, which never reads
// them, and a PUT, which sometimes does, compute the same tag for the same AWS state.
import type { Integration, IntegrationResponse, Route, RouteResponse } from './model.js';

const PROXY_TYPES: ReadonlySet<string> = new Set(['AWS_PROXY', 'HTTP_PROXY']);

/** Whether the integration's responses run: it is not a proxy type (AWS, HTTP, MOCK). */
export function integrationResponsesRun(integration: Pick<Integration, 'integrationType'>): boolean {
  return !PROXY_TYPES.has(integration.integrationType);
}

/** Whether the route's responses run: it has a response selection expression. */
export function routeResponsesRun(route: Pick<Route, 'routeResponseSelectionExpression'>): boolean {
  return (route.routeResponseSelectionExpression ?? '') !== '';
}

/** A route state with only the responses that run (what a view shows and an entity tag covers). */
export function withRunningResponses<
  T extends { route?: Route; integration?: Integration; integrationResponses: IntegrationResponse[]; routeResponses: RouteResponse[] },
>(state: T): T {
  return {
    ...state,
    integrationResponses: state.integration && integrationResponsesRun(state.integration) ? state.integrationResponses : [],
    routeResponses: state.route && routeResponsesRun(state.route) ? state.routeResponses : [],
  };
}
