// Response shapes of the API Gateway resources Gatewire shows: APIs, routes, route responses.
import * as Type from 'typebox';
import { Integration } from './integration.js';
import { IntegrationResponse } from './integration-response.js';
import { ref } from './common.js';
import { WEBSOCKET_API_EXAMPLE, ROUTE_EXAMPLE, ROUTE_SUMMARY_EXAMPLE, ROUTE_RESPONSE_EXAMPLE, ROUTE_INTEGRATION_EXAMPLE } from './examples.js';

export const WebSocketApi = Type.Object(
  {
    apiId: Type.String(),
    name: Type.String(),
    protocolType: Type.String(),
    routeSelectionExpression: Type.Optional(Type.String()),
    apiEndpoint: Type.Optional(Type.String()),
    description: Type.Optional(Type.String()),
    target: Type.Optional(Type.String({ description: 'The target (GET /v1/targets) the API is in: its account and region.' })),
  },
  { $id: 'WebSocketApi', title: 'WebSocketApi', examples: [WEBSOCKET_API_EXAMPLE] },
);

const routeFields = {
  routeId: Type.String(),
  routeKey: Type.String(),
  target: Type.Optional(Type.String()),
  routeResponseSelectionExpression: Type.Optional(Type.String()),
  authorizationType: Type.Optional(Type.String()),
  apiGatewayManaged: Type.Optional(Type.Boolean()),
};

export const Route = Type.Object(routeFields, { $id: 'Route', title: 'Route', examples: [ROUTE_EXAMPLE] });

export const RouteSummary = Type.Object(
  {
    ...routeFields,
    integration: Type.Optional(
      Type.Object({
        integrationId: Type.String(),
        integrationType: Type.String(),
        integrationUri: Type.Optional(Type.String()),
        connectionType: Type.Optional(Type.String()),
      }),
    ),
  },
  { $id: 'RouteSummary', title: 'RouteSummary', examples: [ROUTE_SUMMARY_EXAMPLE] },
);

export const RouteResponse = Type.Object(
  { routeResponseId: Type.String(), routeResponseKey: Type.String() },
  { $id: 'RouteResponse', title: 'RouteResponse', examples: [ROUTE_RESPONSE_EXAMPLE] },
);

export const RouteIntegration = Type.Object(
  {
    apiId: Type.String(),
    routeKey: Type.String(),
    route: Type.Optional(ref(Route)),
    integration: Type.Optional(ref(Integration)),
    integrationResponses: Type.Array(ref(IntegrationResponse), {
      description: 'The integration responses that run: none on a proxy integration, where AWS ignores them.',
    }),
    routeResponses: Type.Array(ref(RouteResponse), {
      description: 'The route responses that run: none unless the route has a response selection expression.',
    }),
    returnResponse: Type.Boolean({ description: 'Two-way: replies from the backend reach the client.' }),
    sharedWith: Type.Array(Type.String(), { description: 'Other routes bound to the same integration.' }),
  },
  { $id: 'RouteIntegration', title: 'RouteIntegration', examples: [ROUTE_INTEGRATION_EXAMPLE] },
);
