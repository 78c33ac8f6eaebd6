// GET /v1/apis/{apiId}/drift
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { DriftService } from '../services/drift-service.js';
import { ApiIdParams, problemResponse, readUnavailable, ref } from '../schemas/common.js';
import { DriftReport } from '../schemas/drift.js';

export const driftRoutes: FastifyPluginAsyncTypebox<{ drift: DriftService }> = async (app, { drift }) => {
  app.get(
    '/apis/:apiId/drift',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['apis'],
        summary: 'Drift: the live API against what Gatewire last applied',
        description:
          "Compares every route and integration Gatewire changed with the state its last succeeded change left (from the audit trail): deleted routes, rebound or unbound routes, changed integration fields, deleted integrations, changed integration responses. Adds the Lambda invoke permissions that are `missing` or stale, and the changes whose outcome is unknown (`interrupted` by a crash, `partial`) or still `pending`. Routes Gatewire never applied are listed as `unmanaged`, not compared. Read-only: nothing is changed.",
        params: ApiIdParams,
        response: {
          200: ref(DriftReport),
          400: problemResponse('Not a WebSocket API.'),
          404: problemResponse('No such API.'),
          502: problemResponse('AWS failed; `aws` names the error and request id.'),
          503: readUnavailable,
        },
      },
    },
    async (request) => drift.get(request.params.apiId),
  );
};
