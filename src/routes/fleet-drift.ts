// GET /v1/drift: the fleet drift summary (issue 19), per target and per API.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import * as Type from 'typebox';
import type { FleetDriftService } from '../services/fleet-drift-service.js';
import { problemResponse, ref } from '../schemas/common.js';
import { FleetDriftSummary } from '../schemas/drift.js';
import { TARGET_TAG } from './target-scope.js';

export const fleetDriftRoutes: FastifyPluginAsyncTypebox<{ fleetDrift: FleetDriftService }> = async (app, { fleetDrift }) => {
  app.get(
    '/drift',
    {
      config: { scope: 'read' },
      schema: {
        tags: [TARGET_TAG],
        summary: 'Fleet drift summary',
        description:
          "Per target and per WebSocket API, counts from the API's drift report (`GET …/apis/{apiId}/drift`): items `drifted` from what Gatewire last applied, changes `interrupted` with an outcome no newer change settled, invoke permissions `keptForStage`, and missing or stale permissions. A target whose APIs cannot be listed (its role cannot be assumed, or AWS failed) is marked `reachable: false` with the reason, and an API whose drift cannot be read carries a `problem` instead of counts: the rest of the fleet is summarised all the same. Its AWS calls are reads: they go after changes on each account's shared budget. `?target=` summarises one target.",
        querystring: Type.Object({
          target: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Only this target (GET /v1/targets).' })),
        }),
        response: {
          200: ref(FleetDriftSummary),
          404: problemResponse('No target has the name `target` gives.'),
        },
      },
    },
    async (request) => fleetDrift.summarize(request.query.target === undefined ? {} : { target: request.query.target }),
  );
};
