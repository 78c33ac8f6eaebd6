// After a create whose answer was lost (a timeout, a reset, a 5xx: DESIGN §3 "ambiguous writes"),
// finds out whether AWS made the resource, so that the journal names it and compensation can
// remove it. Each kind is found by what identifies it:
// - a route by its key (unique in its API);
// - an integration or route response by its key (unique in its integration or route);
// - an integration by its content: an integration of the API that has every field the create
//   sent, that no route targets, and that was not there when the change was planned (`known`)
//   nor made by an earlier step of the change. API Gateway gives integrations no name, tag or
//   creation time, so content is the only mark there is (docs/decisions.md).
import { isDeepStrictEqual } from 'node:util';
import { integrationIdOfTarget } from '../domain/model.js';
import type { AwsOperation } from '../domain/plan.js';
import type { ApiGatewayPort } from './ports.js';

export const LOOKUP_OPERATIONS: ReadonlySet<AwsOperation> = new Set([
  'CreateRoute',
  'CreateIntegration',
  'CreateIntegrationResponse',
  'CreateRouteResponse',
]);

export interface KnownResources {
  /** Integration ids the API had when the change was planned (absent: not known, e.g. an old record). */
  integrationIds?: ReadonlySet<string>;
  /** Ids created by earlier steps of the change. */
  createdIds: Iterable<string>;
}

/**
 * The id of what the create made, or undefined when AWS made nothing. `params` are the create's
 * resolved parameters (ids in place of step references), in AWS wire names.
 */
export async function findCreatedResource(
  apiGateway: ApiGatewayPort,
  operation: AwsOperation,
  params: Record<string, unknown>,
  known: KnownResources,
): Promise<string | undefined> {
  const apiId = String(params['apiId']);
  switch (operation) {
    case 'CreateRoute': {
      const routes = await apiGateway.listRoutes(apiId);
      return routes.find((route) => route.routeKey === params['routeKey'])?.routeId;
    }
    case 'CreateIntegrationResponse': {
      const responses = await apiGateway.listIntegrationResponses(apiId, String(params['integrationId']));
      return responses.find((response) => response.integrationResponseKey === params['integrationResponseKey'])?.integrationResponseId;
    }
    case 'CreateRouteResponse': {
      const responses = await apiGateway.listRouteResponses(apiId, String(params['routeId']));
      return responses.find((response) => response.routeResponseKey === params['routeResponseKey'])?.routeResponseId;
    }
    case 'CreateIntegration': {
      const [integrations, routes] = await Promise.all([apiGateway.listIntegrations(apiId), apiGateway.listRoutes(apiId)]);
      const bound = new Set(routes.map((route) => integrationIdOfTarget(route.target)));
      const ours = new Set(known.createdIds);
      const { apiId: _apiId, ...fields } = params;
      const candidates = integrations.filter(
        (integration) =>
          !bound.has(integration.integrationId) &&
          !ours.has(integration.integrationId) &&
          !(known.integrationIds?.has(integration.integrationId) ?? false) &&
          Object.entries(fields).every(([name, value]) => isDeepStrictEqual((integration as unknown as Record<string, unknown>)[name], value)),
      );
      // Two identical strangers: which one is ours cannot be told; the newest-listed is as good a
      // guess as any, and it is named in the journal either way.
      return candidates.at(-1)?.integrationId;
    }
    default:
      throw new Error(`${operation} is not a create that can be looked up`);
  }
}
