// GET /v1/apis/{apiId}/permissions and POST /v1/apis/{apiId}/permissions/reconcile
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { PermissionService } from '../services/permission-service.js';
import { ApiIdParams, DryRunQuery, problemResponse, readUnavailable, ref } from '../schemas/common.js';
import { PermissionReconcileResult, PermissionReport } from '../schemas/permission.js';
import { acceptedResponse } from '../schemas/change.js';
import type { AnswerChange } from './change-answer.js';

const failures = {
  400: problemResponse('Not a WebSocket API, or an invalid id.'),
  404: problemResponse('No such API.'),
  409: problemResponse('A policy would exceed Lambda\'s 20 KB cap, or AWS reported a conflict.'),
  502: problemResponse('AWS failed; `aws` names the error and request id.'),
  503: problemResponse('AWS throttled the request (see Retry-After), or the audit store is down.'),
};

export const permissionRoutes: FastifyPluginAsyncTypebox<{ permissions: PermissionService; answerChange: AnswerChange }> = async (app, { permissions, answerChange }) => {
  app.get(
    '/apis/:apiId/permissions',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['permissions'],
        summary: 'Lambda invoke permissions of an API',
        description:
          "For every Lambda integration of the API: whether its function's resource policy lets API Gateway invoke it (`ok`, `missing`, `unmanaged`, `unverifiable`), Gatewire statements nothing needs (`stale`), those nothing in the working configuration needs but a stage without autoDeploy may still run (`kept`, naming each stage and when it was last deployed), and stage-variable URIs to grant by hand.",
        params: ApiIdParams,
        response: { 200: ref(PermissionReport), ...failures, 503: readUnavailable },
      },
    },
    async (request) => permissions.get(request.params.apiId),
  );

  app.post(
    '/apis/:apiId/permissions/reconcile',
    {
      // Reconcile may remove statements across the API's functions: an admin operation (issue 7).
      config: { scope: 'admin' },
      schema: {
        tags: ['permissions'],
        summary: 'Bring Lambda invoke permissions in line',
        description:
          "Adds the statements the API's Lambda integrations miss and removes Gatewire statements nothing needs, keeping those a stage without autoDeploy may still run (removed once every such stage has been deployed since they stopped being needed). Statements of others are never changed. `?dryRun=true` returns the plan; `?deployStage=` deploys the API before the removals, so that a statement kept only for that stage goes in the same change.",
        params: ApiIdParams,
        querystring: DryRunQuery,
        response: { 200: ref(PermissionReconcileResult), 202: acceptedResponse, ...failures },
      },
    },
    async (request, reply) =>
      answerChange(request, reply, request.query, (context) => permissions.reconcile(request.params.apiId, context)),
  );
};
