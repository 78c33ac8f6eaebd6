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
import type { IntegrationFields } from '../domain/model.js';
import type { AwsCallSpec, AwsOperation, PlanStep } from '../domain/plan.js';
import type { ApiGatewayPort } from './ports.js';

/** The creates whose result can be looked up after a lost answer. */
export type LookupOperation = 'CreateRoute' | 'CreateIntegration' | 'CreateIntegrationResponse' | 'CreateRouteResponse';

const LOOKUP_OPERATIONS: ReadonlySet<AwsOperation> = new Set<LookupOperation>([
  'CreateRoute',
  'CreateIntegration',
  'CreateIntegrationResponse',
  'CreateRouteResponse',
]);

/** Whether a lost answer of this step can be looked up (it is a create of something with a mark). */
export function canLookUp(step: PlanStep): step is PlanStep<LookupOperation> {
  return LOOKUP_OPERATIONS.has(step.operation);
}

export interface KnownResources {
  /** Integration ids the API had when the change was planned (absent: not known, e.g. an old record). */
  integrationIds?: ReadonlySet<string>;
  /** Ids created by earlier steps of the change. */
  createdIds: Iterable<string>;
}

/**
 * The id of what the create made, or undefined when AWS made nothing. `call` is the create with
 * its references resolved (ids in place of `<step-id>`).
 */
export async function findCreatedResource(
  apiGateway: ApiGatewayPort,
  call: AwsCallSpec<LookupOperation>,
  known: KnownResources,
): Promise<string | undefined> {
  switch (call.operation) {
    case 'CreateRoute': {
      const { apiId, routeKey } = call.params;
      const routes = await apiGateway.listRoutes(apiId);
      return routes.find((route) => route.routeKey === routeKey)?.routeId;
    }
    case 'CreateIntegrationResponse': {
      const { apiId, integrationId, integrationResponseKey } = call.params;
      const responses = await apiGateway.listIntegrationResponses(apiId, integrationId);
      return responses.find((response) => response.integrationResponseKey === integrationResponseKey)?.integrationResponseId;
    }
    case 'CreateRouteResponse': {
      const { apiId, routeId, routeResponseKey } = call.params;
      const responses = await apiGateway.listRouteResponses(apiId, routeId);
      return responses.find((response) => response.routeResponseKey === routeResponseKey)?.routeResponseId;
    }
    case 'CreateIntegration': {
      const { apiId, ...fields } = call.params;
      const [integrations, routes] = await Promise.all([apiGateway.listIntegrations(apiId), apiGateway.listRoutes(apiId)]);
      const bound = new Set(routes.map((route) => integrationIdOfTarget(route.target)));
      const ours = new Set(known.createdIds);
      const sent = Object.entries(fields) as [keyof IntegrationFields, unknown][];
      const candidates = integrations.filter(
        (integration) =>
          !bound.has(integration.integrationId) &&
          !ours.has(integration.integrationId) &&
          !(known.integrationIds?.has(integration.integrationId) ?? false) &&
          sent.every(([name, value]) => isDeepStrictEqual(integration[name], value)),
      );
      // Two identical strangers: which one is ours cannot be told; the newest-listed is as good a
      // guess as any, and it is named in the journal either way.
      return candidates.at(-1)?.integrationId;
    }
  }
}
