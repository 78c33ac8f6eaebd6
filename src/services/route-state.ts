// Reads what a route change needs to know, with independent reads in parallel.
import { DomainError, notFound } from '../domain/errors.js';
import { integrationIdOfTarget, type Integration, type IntegrationResponse, type Route, type RouteResponse } from '../domain/model.js';
import type { RouteState } from '../domain/route-integration-plan.js';
import type { ApiGatewayPort } from './ports.js';
import { settle, unsettle, type Settled } from './settled.js';

export interface ApiSnapshot {
  routes: Route[];
  integrations: Integration[];
}

/** The API's routes and integrations; fails with 404 for an unknown API, 400 for a non-WebSocket one. */
export async function readApiSnapshot(apiGateway: ApiGatewayPort, apiId: string): Promise<ApiSnapshot> {
  const [api, routes, integrations] = await Promise.all([
    apiGateway.getApi(apiId),
    apiGateway.listRoutes(apiId),
    apiGateway.listIntegrations(apiId),
  ]);
  if (api.protocolType !== 'WEBSOCKET') {
    throw new DomainError('validation', `API ${apiId} is an ${api.protocolType} API; Gatewire manages WebSocket APIs only`, {
      violations: [{ path: '/apiId', message: `must name a WebSocket API (this one is ${api.protocolType})` }],
    });
  }
  return { routes, integrations };
}

/** A route's state, with the whole API it belongs to (permission planning looks at every integration). */
export type RouteStateWithApi = RouteState & { snapshot: ApiSnapshot };

/**
 * The route and integration a state is expected to have, when something already says so (after a
 * change, its own writes do): their responses are then read alongside the API instead of after it.
 * A wrong guess costs nothing but the wasted read; the responses are read again for the real ids.
 */
export interface ExpectedIds {
  routeId?: string | undefined;
  integrationId?: string | undefined;
}

export async function readRouteState(
  apiGateway: ApiGatewayPort,
  apiId: string,
  routeKey: string,
  expected: ExpectedIds = {},
): Promise<RouteStateWithApi> {
  const early: EarlyResponses = {
    ...(expected.routeId ? { route: { id: expected.routeId, responses: settle(apiGateway.listRouteResponses(apiId, expected.routeId)) } } : {}),
    ...(expected.integrationId
      ? { integration: { id: expected.integrationId, responses: settle(apiGateway.listIntegrationResponses(apiId, expected.integrationId)) } }
      : {}),
  };
  const snapshot = await readApiSnapshot(apiGateway, apiId);
  return { ...(await routeStateFrom(apiGateway, apiId, routeKey, snapshot, early)), snapshot };
}

interface EarlyResponses {
  route?: { id: string; responses: Promise<Settled<RouteResponse[]>> };
  integration?: { id: string; responses: Promise<Settled<IntegrationResponse[]>> };
}

export async function routeStateFrom(
  apiGateway: ApiGatewayPort,
  apiId: string,
  routeKey: string,
  snapshot: ApiSnapshot,
  early: EarlyResponses = {},
): Promise<RouteState> {
  const route = snapshot.routes.find((candidate) => candidate.routeKey === routeKey);
  const integrationId = integrationIdOfTarget(route?.target);
  const integration = integrationId ? snapshot.integrations.find((i) => i.integrationId === integrationId) : undefined;
  const [integrationResponses, routeResponses] = await Promise.all([
    !integration
      ? Promise.resolve([])
      : early.integration?.id === integration.integrationId
        ? unsettle(early.integration.responses)
        : apiGateway.listIntegrationResponses(apiId, integration.integrationId),
    !route
      ? Promise.resolve([])
      : early.route?.id === route.routeId
        ? unsettle(early.route.responses)
        : apiGateway.listRouteResponses(apiId, route.routeId),
  ]);
  const otherRoutesUsingIntegration = integrationId
    ? snapshot.routes
        .filter((other) => other.routeId !== route?.routeId && integrationIdOfTarget(other.target) === integrationId)
        .map((other) => other.routeKey)
    : [];
  return routeStateOf({ apiId, routeKey, route, integration, integrationResponses, routeResponses, otherRoutesUsingIntegration });
}

/** A RouteState from its parts; a missing route or integration is left out rather than undefined. */
export function routeStateOf(
  parts: Omit<RouteState, 'route' | 'integration'> & { route: Route | undefined; integration: Integration | undefined },
): RouteState {
  const { route, integration, ...rest } = parts;
  return { ...rest, ...(route ? { route } : {}), ...(integration ? { integration } : {}) };
}

export function requireRoute(state: RouteState): asserts state is RouteState & { route: Route } {
  if (!state.route) throw notFound(`Route ${state.routeKey} does not exist in API ${state.apiId}`);
}
