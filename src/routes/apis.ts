// GET /v1/apis and GET /v1/apis/{apiId}/routes.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import * as Type from 'typebox';
import type { ApiService } from '../services/api-service.js';
import { ApiIdParams, problemResponse, readUnavailable, ref } from '../schemas/common.js';
import { RouteSummary, WebSocketApi } from '../schemas/resources.js';

export const apiRoutes: FastifyPluginAsyncTypebox<{ apis: ApiService }> = async (app, { apis }) => {
  app.get(
    '/apis',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['apis'],
        summary: 'List WebSocket APIs',
        description: 'The WebSocket APIs of the configured account and region (HTTP APIs are left out).',
        response: {
          200: Type.Object({ items: Type.Array(ref(WebSocketApi)) }),
          502: problemResponse('AWS failed.'),
          503: readUnavailable,
        },
      },
    },
    async () => ({ items: await apis.listApis() }),
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
