// The one reader of route changes (DESIGN §2): what a change of one route or of many needs to
// know, and nothing more (issue 15: read only what the plan needs). A single-route PUT or DELETE
// is a bulk change of one route and reads through here too; only the strategy differs, by what
// the benchmarks justify:
// - one route: the routes (a route is found by its key only in the list), its own integration by
//   id unless permission planning needs every integration, and its responses alongside it;
// - many routes: the API's routes and integrations through the paginated list calls, then per
//   route its responses. A no-change apply of 300 Lambda proxy routes so costs three API Gateway
//   calls and one policy read per function.
// Either way a route's state holds the responses that run (running-responses.ts) and those the
// change needs (a change that sets integration responses, or turns two-way replies on, must see
// the ones already there); a removal needs none beyond those.
import type { PermissionScope } from '../domain/permissions.js';
import type { Integration } from '../domain/model.js';
import type { DesiredRouteIntegration, RouteState } from '../domain/route-integration-plan.js';
import { integrationResponsesRun } from '../domain/running-responses.js';
import type { FactCache } from './fact-cache.js';
import type { ApiGatewayPort } from './ports.js';
import {
  readApiSnapshot,
  readChangeRouteState,
  readRouteState,
  routeStateFrom,
  type ApiSnapshot,
  type ExpectedIds,
  type ResponseNeeds,
} from './route-state.js';

export interface RouteRequest {
  routeKey: string;
  /** null: remove the route's integration (the route itself stays). */
  desired: DesiredRouteIntegration | null;
}

export interface RouteReadOptions {
  /** Per API or per route (DESIGN §4): whether a statement may stop being needed depends on it. */
  scope: PermissionScope;
  facts?: FactCache;
  /** After a change of one route: the route and integration its writes left (their responses are read alongside the API). */
  expected?: ExpectedIds;
}

export interface RouteStates {
  snapshot: ApiSnapshot;
  /** In the order of the requests. */
  states: RouteState[];
}

/** The responses a route's desired backend needs read beyond those that run. */
export function responseNeedsOf(desired: DesiredRouteIntegration | null): ResponseNeeds {
  if (desired === null) return {};
  return {
    integrationResponses: desired.responses.length > 0,
    routeResponses: desired.returnResponse === true,
    // A non-proxy desired integration suggests the current one is too: its responses are read
    // alongside it, before its type says whether they run (a guess that saves a round trip).
    integrationResponsesEarly: integrationResponsesRun(desired.integration),
  };
}

/**
 * Whether permission planning needs every integration of the API, given the route's current one:
 * when a statement may stop being needed — route scope, a removal, or the route's integration
 * invoking something else than the desired one.
 */
function needsWholeApi(scope: PermissionScope, desired: DesiredRouteIntegration | null): true | ((current: Integration | undefined) => boolean) {
  if (scope === 'route' || desired === null) return true;
  const wanted = desired.integration;
  return (current) =>
    current !== undefined &&
    (current.integrationType !== wanted.integrationType || current.integrationUri !== wanted.integrationUri || current.credentialsArn !== wanted.credentialsArn);
}

export async function readRouteStates(
  apiGateway: ApiGatewayPort,
  apiId: string,
  requests: readonly RouteRequest[],
  options: RouteReadOptions,
): Promise<RouteStates> {
  const { facts } = options;
  if (requests.length === 1) {
    const { routeKey, desired } = requests[0]!;
    const responses = responseNeedsOf(desired);
    const { snapshot, ...state } = options.expected
      ? await readRouteState(apiGateway, apiId, routeKey, options.expected, facts, responses)
      : await readChangeRouteState(apiGateway, apiId, routeKey, { wholeApi: needsWholeApi(options.scope, desired), responses, ...(facts ? { facts } : {}) });
    return { snapshot, states: [state] };
  }
  const snapshot = await readApiSnapshot(apiGateway, apiId, facts);
  // An integration shared by several named routes has its responses read once.
  const responseReads = new Map<string, ReturnType<ApiGatewayPort['listIntegrationResponses']>>();
  const sharingReads: ApiGatewayPort = {
    ...apiGateway,
    listIntegrationResponses(readApiId, integrationId) {
      let read = responseReads.get(integrationId);
      if (!read) {
        read = apiGateway.listIntegrationResponses(readApiId, integrationId);
        responseReads.set(integrationId, read);
      }
      return read;
    },
  };
  const states = await Promise.all(
    requests.map(({ routeKey, desired }) => routeStateFrom(sharingReads, apiId, routeKey, snapshot, {}, responseNeedsOf(desired))),
  );
  return { snapshot, states };
}

/**
 * The integration ids the API had when planned, known only when the whole list was read: a lost
 * create's answer is then found exactly (created-resource-lookup.ts).
 */
export function knownIntegrationIds(snapshot: ApiSnapshot): string[] | undefined {
  return snapshot.allIntegrations === false ? undefined : snapshot.integrations.map((integration) => integration.integrationId);
}
