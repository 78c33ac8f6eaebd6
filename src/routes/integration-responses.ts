// GET | PUT | DELETE /v1/apis/{apiId}/integrations/{integrationId}/responses/{responseKey}
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { IntegrationService } from '../services/integration-service.js';
import { ConditionalHeaders, DryRunQuery, preconditionFailedResponse, problemResponse, readUnavailable, ref, withEtagHeader } from '../schemas/common.js';
import { IntegrationResponse, IntegrationResponseInput, ResponseKeyParams } from '../schemas/integration-response.js';
import { ChangeSummary, IntegrationResponseChange } from '../schemas/plan.js';
import { acceptedResponse } from '../schemas/change.js';
import type { AnswerChange } from './change-answer.js';
import { setEtag } from './change-context.js';

const failures = {
  400: problemResponse('Invalid request: every offending field is named in `errors`.'),
  404: problemResponse('No such API, integration or response.'),
  409: problemResponse('AWS reported a conflict.'),
  412: preconditionFailedResponse,
  502: problemResponse('AWS failed; `aws` names the error and request id.'),
  503: problemResponse('AWS throttled the request (see Retry-After), or the audit store is down.'),
};

export const integrationResponseRoutes: FastifyPluginAsyncTypebox<{ integrations: IntegrationService; answerChange: AnswerChange }> = async (app, { integrations, answerChange }) => {
  const path = '/apis/:apiId/integrations/:integrationId/responses/:responseKey';

  app.get(
    path,
    {
      config: { scope: 'read' },
      schema: {
        tags: ['integrations'],
        summary: 'Read an integration response',
        description:
          'The integration response with this key (`$default`, `/2\\d\\d/`, …), URL-encoded in the path. The ETag header is a hash of the response as AWS holds it.',
        params: ResponseKeyParams,
        response: {
          200: withEtagHeader(ref(IntegrationResponse)),
          400: failures[400],
          404: failures[404],
          502: failures[502],
          503: readUnavailable,
        },
      },
    },
    async (request, reply) => {
      const { apiId, integrationId, responseKey } = request.params;
      const { etag, ...response } = await integrations.getResponse(apiId, integrationId, responseKey);
      setEtag(reply, etag);
      return response;
    },
  );

  app.put(
    path,
    {
      config: { scope: 'write' },
      schema: {
        tags: ['integrations'],
        summary: 'Set an integration response',
        description:
          'Creates the integration response with this key, or replaces it with the body. Integration responses apply to non-proxy integrations (AWS, HTTP, MOCK). `If-Match` makes it conditional on the ETag of a GET of this response; `If-None-Match: *` makes it create-only.',
        params: ResponseKeyParams,
        querystring: DryRunQuery,
        headers: ConditionalHeaders,
        body: { ...IntegrationResponseInput, examples: [{ responseTemplates: { 'application/json': '{"ok": true}' } }] },
        response: { 200: withEtagHeader(ref(IntegrationResponseChange)), 202: acceptedResponse, ...failures },
      },
    },
    async (request, reply) => {
      const { apiId, integrationId, responseKey } = request.params;
      return answerChange(request, reply, request.query, (context) =>
        integrations.putResponse(apiId, integrationId, responseKey, request.body, context),
      );
    },
  );

  app.delete(
    path,
    {
      config: { scope: 'write' },
      schema: {
        tags: ['integrations'],
        summary: 'Delete an integration response',
        description: 'Deleting a response that does not exist changes nothing. `If-Match` makes it conditional on the ETag of a GET of this response.',
        params: ResponseKeyParams,
        querystring: DryRunQuery,
        headers: ConditionalHeaders,
        response: { 200: ref(ChangeSummary), 202: acceptedResponse, ...failures },
      },
    },
    async (request, reply) => {
      const { apiId, integrationId, responseKey } = request.params;
      return answerChange(request, reply, request.query, (context) => integrations.removeResponse(apiId, integrationId, responseKey, context));
    },
  );
};
