// GET /v1/changes/{changeId}: a change as it runs and after it — where a 202's Location points.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { includesScope } from '../auth/credentials.js';
import { grantOf } from '../plugins/authenticate.js';
import type { ChangeService } from '../services/change-service.js';
import { problemResponse, ref } from '../schemas/common.js';
import { Change, ChangeIdParams } from '../schemas/change.js';

export const changeRoutes: FastifyPluginAsyncTypebox<{ changes: ChangeService }> = async (app, { changes }) => {
  app.get(
    '/changes/:changeId',
    {
      // Only its caller or an admin sees a change: it names the caller's request and plan.
      config: { scope: 'read', callersOwn: true },
      schema: {
        tags: ['changes'],
        summary: 'Follow a change',
        description:
          'A change as it runs and after it: its status, progress (steps done of all, per-route outcomes of a bulk apply, an estimate of the time left), the plan, the journal of the steps that ran, and once it has ended `result`: the status and body the request would have been answered with, had it waited. A mutation that outlasts its wait bound answers 202 with this URL in `Location`. Visible to the caller who started the change, and to `admin` callers; to anyone else it does not exist (404).',
        params: ChangeIdParams,
        response: {
          200: ref(Change),
          404: problemResponse('No such change, or not yours to see.'),
          503: problemResponse('The audit store does not answer.'),
        },
      },
    },
    async (request) => {
      const grant = grantOf(request);
      return changes.get(request.params.changeId, { actor: grant?.actor ?? null, admin: grant ? includesScope(grant.scopes, 'admin') : false });
    },
  );
};
