// GET /v1/apis and GET /v1/apis/{apiId}/routes.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import * as Type from 'typebox';
import type { ApiService } from '../services/api-service.js';
import type { FleetApis } from '../services/target-registry.js';
import { ApiIdParams, problemResponse, readUnavailable, ref } from '../schemas/common.js';
import { RouteSummary, WebSocketApi } from '../schemas/resources.js';

export interface ApiRouteOptions {
  apis: ApiService;
  /**
   * GET /v1/apis: the fleet view, every target's APIs (issue 19). Under /v1/targets/:target there
   * is none, and `targetName` marks the one target's APIs.
   */
  fleet?: () => Promise<FleetApis>;
  targetName?: () => string;
}

export const apiRoutes: FastifyPluginAsyncTypebox<ApiRouteOptions> = async (app, { apis, fleet, targetName }) => {
  app.get(
    '/apis',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['apis'],
        summary: 'List WebSocket APIs',
        description: fleet
          ? "The WebSocket APIs of every target (GET /v1/targets), each marked with its `target` (HTTP APIs are left out). A target that cannot be listed is named under `unreachable` with the reason, and the others are listed all the same."
          : 'The WebSocket APIs of the target, marked with it (HTTP APIs are left out).',
        response: {
          200: Type.Object({
            items: Type.Array(ref(WebSocketApi)),
            unreachable: Type.Optional(
              Type.Array(Type.Object({ target: Type.String(), problem: Type.String() }), { description: 'Targets whose APIs could not be listed, and why.' }),
            ),
          }),
          502: problemResponse('AWS failed.'),
          503: readUnavailable,
        },
      },
    },
    async () => {
      if (fleet) return fleet();
      const target = targetName?.();
      const items = await apis.listApis();
      return { items: target === undefined ? items : items.map((api) => ({ ...api, target })) };
    },
  );

  app.get(
    '/apis/:apiId/routes',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['apis'],
        summary: "List an API's routes",
        description: 'Every route of the API with the integration it is bound to, sorted by route key.',
        params: ApiIdParams,
        response: {
          200: Type.Object({ items: Type.Array(ref(RouteSummary)) }),
          400: problemResponse('Not a WebSocket API.'),
          404: problemResponse('No such API.'),
          502: problemResponse('AWS failed.'),
          503: readUnavailable,
        },
      },
    },
    async (request) => ({ items: await apis.listRoutes(request.params.apiId) }),
  );
};
