// Read-only views: the account's WebSocket APIs and an API's routes with their integrations.
import { integrationIdOfTarget, type Integration, type Route, type WebSocketApi } from '../domain/model.js';
import type { ApiGatewayPort } from './ports.js';
import { readApiSnapshot } from './route-state.js';

export interface RouteSummary extends Route {
  integration?: Pick<Integration, 'integrationId' | 'integrationType' | 'integrationUri' | 'connectionType'>;
}

export function createApiService({ apiGateway }: { apiGateway: ApiGatewayPort }) {
  return {
    listApis(): Promise<WebSocketApi[]> {
      return apiGateway.listApis();
    },
    async listRoutes(apiId: string): Promise<RouteSummary[]> {
      const { routes, integrations } = await readApiSnapshot(apiGateway, apiId);
      const byId = new Map(integrations.map((integration) => [integration.integrationId, integration]));
      return routes
        .map((route) => {
          const integration = byId.get(integrationIdOfTarget(route.target) ?? '');
          if (!integration) return route;
          const { integrationId, integrationType, integrationUri, connectionType } = integration;
          return {
            ...route,
            integration: {
              integrationId,
              integrationType,
              ...(integrationUri ? { integrationUri } : {}),
              ...(connectionType ? { connectionType } : {}),
            },
          };
        })
        // Code-point order: the same on every instance, whatever its locale.
        .sort((a, b) => (a.routeKey < b.routeKey ? -1 : a.routeKey > b.routeKey ? 1 : 0));
    },
  };
}

export type ApiService = ReturnType<typeof createApiService>;
