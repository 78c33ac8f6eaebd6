// Reads what a route change needs to know, with independent reads in parallel.
import { DomainError, notFound } from '../domain/errors.js';
import { integrationIdOfTarget, type Integration, type IntegrationResponse, type Route, type RouteResponse } from '../domain/model.js';
import type { RouteState } from '../domain/route-integration-plan.js';
import { integrationResponsesRun, routeResponsesRun } from '../domain/running-responses.js';
import type { FactCache } from './fact-cache.js';
import type { ApiGatewayPort } from './ports.js';
import { settle, unsettle, type Settled } from './settled.js';

export interface ApiSnapshot {
  routes: Route[];
  integrations: Integration[];
  /**
   * False when `integrations` holds only the route's own integration (read by id): planning that
   * looks beyond it (the other integrations invoking a function) must not be done on it.
   */
  allIntegrations?: false;
}

/** The API's routes and integrations; fails with 404 for an unknown API, 400 for a non-WebSocket one. */
export async function readApiSnapshot(apiGateway: ApiGatewayPort, apiId: string, facts?: FactCache): Promise<ApiSnapshot> {
  const [, routes, integrations] = await Promise.all([
    checkWebSocket(apiGateway, apiId, facts),
    forgettingApi(apiGateway.listRoutes(apiId), apiId, facts),
    apiGateway.listIntegrations(apiId),
  ]);
  return { routes, integrations };
}

/**
 * Fails with 404 for an unknown API, 400 for a non-WebSocket one. The protocol type never changes,
 * so with a fact cache GetApi runs once per API (and again once the API is found gone).
 */
async function checkWebSocket(apiGateway: ApiGatewayPort, apiId: string, facts?: FactCache): Promise<void> {
  let protocolType = facts?.protocolTypes.get(apiId);
  if (protocolType === undefined) {
    protocolType = (await apiGateway.getApi(apiId)).protocolType;
    facts?.protocolTypes.set(apiId, protocolType);
  }
  if (protocolType !== 'WEBSOCKET') {
    throw new DomainError('validation', `API ${apiId} is an ${protocolType} API; Gatewire manages WebSocket APIs only`, {
      violations: [{ path: '/apiId', message: `must name a WebSocket API (this one is ${protocolType})` }],
    });
  }
}

/** A read of the API that finds it gone drops its cached protocol type. */
function forgettingApi<T>(read: Promise<T>, apiId: string, facts?: FactCache): Promise<T> {
  if (!facts) return read;
  return read.catch((error: unknown) => {
    if (error instanceof DomainError && error.kind === 'not-found') facts.protocolTypes.delete(apiId);
    throw error;
  });
}

/** How a change reads its route (readChangeRouteState). */
export interface ChangeReadOptions {
  expected?: ExpectedIds;
  facts?: FactCache;
  /**
   * Whether permission planning needs every integration of the API, given the route's current
   * integration (read by id first); true: the whole list is read at once.
   */
  wholeApi: true | ((current: Integration | undefined) => boolean);
  /** Responses the change may make run, read even where they do not run now. */
  responses?: ResponseNeeds;
}

/**
 * Responses a read takes even where they do not run (running-responses.ts): a change that sets
 * integration responses, or turns two-way replies on, must see the ones already there.
 */
export interface ResponseNeeds {
  integrationResponses?: boolean;
  routeResponses?: boolean;
  /**
   * Read the integration's responses alongside the integration itself, before its type says
   * whether they run: a guess (the desired integration is not a proxy) that saves a round trip.
   */
  integrationResponsesEarly?: boolean;
}

/**
 * A route's state as a change needs it (issue 15: read only what the plan needs): the routes (a
 * route is found by its key only in the list), the route's own integration by id unless planning
 * needs the whole list, and the responses that run or that the change needs.
 */
export async function readChangeRouteState(
  apiGateway: ApiGatewayPort,
  apiId: string,
  routeKey: string,
  options: ChangeReadOptions,
): Promise<RouteStateWithApi> {
  const needs = options.responses ?? {};
  if (options.wholeApi === true) return readRouteState(apiGateway, apiId, routeKey, options.expected, options.facts, needs);
  const needsWholeApi = options.wholeApi;
  const [, routes] = await Promise.all([
    checkWebSocket(apiGateway, apiId, options.facts),
    forgettingApi(apiGateway.listRoutes(apiId), apiId, options.facts),
  ]);
  const route = routes.find((candidate) => candidate.routeKey === routeKey);
  const integrationId = integrationIdOfTarget(route?.target);
  // The route says whether its responses run; they are read alongside the integration (the route
  // names both ids). The integration's own responses wait for its type unless guessed needed.
  const early: EarlyResponses = {
    ...(route && (routeResponsesRun(route) || needs.routeResponses)
      ? { route: { id: route.routeId, responses: settle(apiGateway.listRouteResponses(apiId, route.routeId)) } }
      : {}),
    ...(integrationId !== undefined && (needs.integrationResponses || needs.integrationResponsesEarly)
      ? { integration: { id: integrationId, responses: settle(apiGateway.listIntegrationResponses(apiId, integrationId)) } }
      : {}),
  };
  const current = integrationId === undefined ? undefined : await integrationById(apiGateway, apiId, integrationId);
  const snapshot: ApiSnapshot = needsWholeApi(current)
    ? { routes, integrations: await apiGateway.listIntegrations(apiId) }
    : { routes, integrations: current ? [current] : [], allIntegrations: false };
  return { ...(await routeStateFrom(apiGateway, apiId, routeKey, snapshot, early, needs)), snapshot };
}

/** An integration a route targets; undefined when it is gone (the whole list would not have it either). */
async function integrationById(apiGateway: ApiGatewayPort, apiId: string, integrationId: string): Promise<Integration | undefined> {
  try {
    return await apiGateway.getIntegration(apiId, integrationId);
  } catch (error) {
    if (error instanceof DomainError && error.kind === 'not-found') return undefined;
    throw error;
  }
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
  facts?: FactCache,
  needs: ResponseNeeds = {},
): Promise<RouteStateWithApi> {
  const early: EarlyResponses = {
    ...(expected.routeId ? { route: { id: expected.routeId, responses: settle(apiGateway.listRouteResponses(apiId, expected.routeId)) } } : {}),
    ...(expected.integrationId
      ? { integration: { id: expected.integrationId, responses: settle(apiGateway.listIntegrationResponses(apiId, expected.integrationId)) } }
      : {}),
  };
  const snapshot = await readApiSnapshot(apiGateway, apiId, facts);
  return { ...(await routeStateFrom(apiGateway, apiId, routeKey, snapshot, early, needs)), snapshot };
}

interface EarlyResponses {
  route?: { id: string; responses: Promise<Settled<RouteResponse[]>> };
  integration?: { id: string; responses: Promise<Settled<IntegrationResponse[]>> };
}

/**
 * The route's state from a snapshot of its API. Responses that do not run (running-responses.ts)
 * are left out unless `needs` asks for them (read early on a guess, they are dropped): what a
 * state holds depends on AWS's state and `needs` only, never on what was guessed.
 */
export async function routeStateFrom(
  apiGateway: ApiGatewayPort,
  apiId: string,
  routeKey: string,
  snapshot: ApiSnapshot,
  early: EarlyResponses = {},
  needs: ResponseNeeds = {},
): Promise<RouteState> {
  const route = snapshot.routes.find((candidate) => candidate.routeKey === routeKey);
  const integrationId = integrationIdOfTarget(route?.target);
  const integration = integrationId ? snapshot.integrations.find((i) => i.integrationId === integrationId) : undefined;
  const [integrationResponses, routeResponses] = await Promise.all([
    !integration || !(integrationResponsesRun(integration) || needs.integrationResponses)
      ? Promise.resolve([])
      : early.integration?.id === integration.integrationId
        ? unsettle(early.integration.responses)
        : apiGateway.listIntegrationResponses(apiId, integration.integrationId),
    !route || !(routeResponsesRun(route) || needs.routeResponses)
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
