// GET /v1/targets, and every /v1/apis path again under /v1/targets/{target} (target-scope.ts).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import * as Type from 'typebox';
import type { TargetRegistry } from '../services/target-registry.js';
import { problemResponse, ref } from '../schemas/common.js';
import { TargetStatus } from '../schemas/targets.js';
import { TARGET_TAG } from './target-scope.js';

export const targetRoutes: FastifyPluginAsyncTypebox<{ targets: TargetRegistry }> = async (app, { targets }) => {
  app.get(
    '/targets',
    {
      config: { scope: 'read' },
      schema: {
        tags: [TARGET_TAG],
        summary: 'List targets',
        description:
          'The accounts and regions Gatewire manages: `default` (the account and region it runs with, what the paths without a target act on) and those configured in GATEWIRE_TARGETS, each with whether Gatewire can act there now (its role assumed, STS answering with its credentials; checked at most every GATEWIRE_TARGET_CHECK_TTL_MS).',
        response: {
          200: Type.Object({ items: Type.Array(ref(TargetStatus)) }),
          502: problemResponse('AWS failed.'),
        },
      },
    },
    async () => ({ items: await targets.list() }),
  );
};
