// PUT /v1/apis/{apiId}/routes — bulk apply: the desired backend of many routes as one change.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { BulkApplyService } from '../services/bulk-apply-service.js';
import { ApiIdParams, DryRunQuery, problemResponse, ref } from '../schemas/common.js';
import { BulkApplyChange, BulkApplyRequest } from '../schemas/bulk.js';
import { acceptedResponse } from '../schemas/change.js';
import type { AnswerChange } from './change-answer.js';

export const bulkRoutes: FastifyPluginAsyncTypebox<{ bulk: BulkApplyService; answerChange: AnswerChange }> = async (app, { bulk, answerChange }) => {
  app.put(
    '/apis/:apiId/routes',
    {
      config: { scope: 'write' },
      schema: {
        tags: ['route integrations'],
        summary: 'Set the backends of many routes at once',
        description:
          "Bulk apply: `routes` maps route keys to their desired backend in intent form (or `null` to remove a route's integration); routes not named are left alone. One change: state is read in bulk, one plan, one lock, one audit record with an outcome per route; on a failure the whole change is rolled back. Every route is validated before any AWS call (one 400 names every offending field, under `/routes/<route key>`). `?dryRun=true` returns the plan. AWS calls are paced to AWS's control-plane rates.",
        params: ApiIdParams,
        querystring: DryRunQuery,
        body: ref(BulkApplyRequest),
        response: {
          200: ref(BulkApplyChange),
          202: acceptedResponse,
          400: problemResponse('Invalid request: every offending field is named in `errors`.'),
          404: problemResponse('No such API.'),
          409: problemResponse('AWS reported a conflict; the change was rolled back.'),
          502: problemResponse('AWS failed; `aws` names the error and request id. The change was rolled back.'),
          503: problemResponse('AWS throttled the request (see Retry-After), or the audit store is down.'),
        },
      },
    },
    async (request, reply) => {
      const { routes, deployStage } = request.body;
      const query = { ...request.query, ...(deployStage !== undefined ? { deployStage } : {}) };
      return answerChange(request, reply, query, (context) => bulk.apply(request.params.apiId, routes, context));
    },
  );
};
