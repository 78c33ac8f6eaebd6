// Reads what a bulk apply needs in bulk: the API's routes and integrations through the paginated
// list calls, and per route only what its plan can depend on — integration responses of
// non-proxy integrations (on proxy integrations AWS ignores them, reference §1) or when the
// intent sets responses, and route responses only when the intent sets `returnResponse`. A
// no-change apply of 300 Lambda proxy routes so costs three API Gateway calls and one policy read
// per function.
import { integrationIdOfTarget, type Integration, type IntegrationResponse, type RouteResponse } from '../domain/model.js';
import type { DesiredRouteIntegration, RouteState } from '../domain/route-integration-plan.js';
import type { ApiGatewayPort } from './ports.js';
import { readApiSnapshot, routeStateOf, type ApiSnapshot } from './route-state.js';

const PROXY_TYPES = new Set(['AWS_PROXY', 'HTTP_PROXY']);

export interface RouteRequest {
  routeKey: string;
  desired: DesiredRouteIntegration | null;
}

export async function readBulkRouteStates(
  apiGateway: ApiGatewayPort,
  apiId: string,
  requests: readonly RouteRequest[],
): Promise<{ snapshot: ApiSnapshot; states: RouteState[] }> {
  const snapshot = await readApiSnapshot(apiGateway, apiId);
  const routesByKey = new Map(snapshot.routes.map((route) => [route.routeKey, route]));
  const integrationsById = new Map(snapshot.integrations.map((integration) => [integration.integrationId, integration]));
  const routesByIntegration = new Map<string, string[]>();
  for (const route of snapshot.routes) {
    const id = integrationIdOfTarget(route.target);
    if (id) routesByIntegration.set(id, [...(routesByIntegration.get(id) ?? []), route.routeKey]);
  }
  // An integration shared by several named routes is read once.
  const responseReads = new Map<string, Promise<IntegrationResponse[]>>();
  const responsesOf = (integration: Integration) => {
    let read = responseReads.get(integration.integrationId);
    if (!read) {
      read = apiGateway.listIntegrationResponses(apiId, integration.integrationId);
      responseReads.set(integration.integrationId, read);
    }
    return read;
  };

  const states = await Promise.all(
    requests.map(async ({ routeKey, desired }): Promise<RouteState> => {
      const route = routesByKey.get(routeKey);
      const integrationId = integrationIdOfTarget(route?.target);
      const integration = integrationId ? integrationsById.get(integrationId) : undefined;
      // A removal never looks at responses: deleting the integration deletes them.
      const needsResponses =
        integration !== undefined && desired !== null && (!PROXY_TYPES.has(integration.integrationType) || desired.responses.length > 0);
      const needsRouteResponses = route !== undefined && desired !== null && desired.returnResponse !== undefined;
      const [integrationResponses, routeResponses] = await Promise.all([
        needsResponses ? responsesOf(integration) : Promise.resolve<IntegrationResponse[]>([]),
        needsRouteResponses ? apiGateway.listRouteResponses(apiId, route.routeId) : Promise.resolve<RouteResponse[]>([]),
      ]);
      const otherRoutesUsingIntegration = integrationId ? (routesByIntegration.get(integrationId) ?? []).filter((key) => key !== routeKey) : [];
      return routeStateOf({ apiId, routeKey, route, integration, integrationResponses, routeResponses, otherRoutesUsingIntegration });
    }),
  );
  return { snapshot, states };
}
