// The raw form: /v1/apis/{apiId}/integrations[/{integrationId}], in AWS wire names.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import * as Type from 'typebox';
import type { IntegrationService } from '../services/integration-service.js';
import {
  ApiIdParams,
  ConditionalHeaders,
  DryRunQuery,
  IntegrationIdParams,
  preconditionFailedResponse,
  problemResponse,
  readUnavailable,
  ref,
  withEtagHeader,
} from '../schemas/common.js';
import { Integration, IntegrationCreate, IntegrationPatch } from '../schemas/integration.js';
import { IntegrationResponse } from '../schemas/integration-response.js';
import { ChangeSummary, IntegrationChange } from '../schemas/plan.js';
import { acceptedResponse } from '../schemas/change.js';
import type { AnswerChange } from './change-answer.js';
import { setEtag } from './change-context.js';

const failures = {
  400: problemResponse('Invalid request: every offending field is named in `errors`.'),
  404: problemResponse('No such API or integration.'),
  409: problemResponse('Conflict: e.g. the integration is still the target of a route.'),
  412: preconditionFailedResponse,
  502: problemResponse('AWS failed; `aws` names the error and request id.'),
  503: problemResponse('AWS throttled the request (see Retry-After), or the audit store is down.'),
};

const MOCK_EXAMPLE = {
  integrationType: 'MOCK',
  passthroughBehavior: 'WHEN_NO_MATCH',
  timeoutInMillis: 29000,
  connectionType: 'INTERNET',
  requestTemplates: { 'application/json': '{"statusCode":200}' },
};
const PROXY_EXAMPLE = {
  integrationType: 'AWS_PROXY',
  integrationMethod: 'POST',
  integrationUri:
    'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123412341234:function:simpleproxy-echo-e2e/invocations',
};

export const integrationRoutes: FastifyPluginAsyncTypebox<{ integrations: IntegrationService; answerChange: AnswerChange }> = async (app, { integrations, answerChange }) => {
  app.get(
    '/apis/:apiId/integrations',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['integrations'],
        summary: 'List integrations',
        description: "All integrations of the API, in AWS's wire names.",
        params: ApiIdParams,
        response: { 200: Type.Object({ items: Type.Array(ref(Integration)) }), 400: failures[400], 404: failures[404], 502: failures[502], 503: readUnavailable },
      },
    },
    async (request) => ({ items: await integrations.list(request.params.apiId) }),
  );

  app.post(
    '/apis/:apiId/integrations',
    {
      config: { scope: 'write' },
      schema: {
        tags: ['integrations'],
        summary: 'Create an integration',
        description:
          "CreateIntegration with every WebSocket field in AWS's wire names, validated against AWS's rules first. It is not bound to any route: bind it with a route's PUT …/integration, or use the intent form. A POST always creates a new integration, so If-Match / If-None-Match are ignored here. The ETag header is the new integration's.",
        params: ApiIdParams,
        querystring: DryRunQuery,
        body: {
          ...IntegrationCreate,
          'x-examples': {
            mock: { summary: "The AWS guide's CLI example: a mock integration", value: MOCK_EXAMPLE },
            lambdaProxy: { summary: "The AWS guide's CLI example: a Lambda proxy integration", value: PROXY_EXAMPLE },
          },
        },
        response: {
          200: ref(IntegrationChange),
          201: withEtagHeader(ref(IntegrationChange)),
          202: acceptedResponse,
          400: failures[400],
          404: failures[404],
          409: failures[409],
          502: failures[502],
          503: failures[503],
        },
      },
    },
    async (request, reply) =>
      answerChange(request, reply, request.query, (context) => integrations.create(request.params.apiId, request.body, context)),
  );

  app.get(
    '/apis/:apiId/integrations/:integrationId',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['integrations'],
        summary: 'Read an integration',
        description:
          'The integration, its integration responses, and the routes bound to it. The ETag header is a hash of the integration and its responses as AWS holds them: send it in If-Match on PATCH or DELETE.',
        params: IntegrationIdParams,
        response: {
          200: withEtagHeader(Type.Object({
            integration: ref(Integration),
            integrationResponses: Type.Array(ref(IntegrationResponse)),
            routes: Type.Array(Type.String(), { description: 'Route keys bound to this integration.' }),
          })),
          400: failures[400],
          404: failures[404],
          502: failures[502],
          503: readUnavailable,
        },
      },
    },
    async (request, reply) => {
      const { integration, responses, routes, etag } = await integrations.get(request.params.apiId, request.params.integrationId);
      setEtag(reply, etag);
      return { integration, integrationResponses: responses, routes };
    },
  );

  app.patch(
    '/apis/:apiId/integrations/:integrationId',
    {
      config: { scope: 'write' },
      schema: {
        tags: ['integrations'],
        summary: 'Update an integration',
        description:
          'UpdateIntegration: the fields given change, the others keep their value. The cross-field rules are checked on the integration as it will be. `If-Match` makes it conditional on the ETag of a GET (412 with the current ETag otherwise); the ETag header is the state after the change.',
        params: IntegrationIdParams,
        querystring: DryRunQuery,
        headers: ConditionalHeaders,
        body: { ...IntegrationPatch, examples: [{ timeoutInMillis: 10000, description: 'chat backend' }] },
        response: { 200: withEtagHeader(ref(IntegrationChange)), 202: acceptedResponse, ...failures },
      },
    },
    async (request, reply) => {
      const { apiId, integrationId } = request.params;
      return answerChange(request, reply, request.query, (context) => integrations.update(apiId, integrationId, request.body, context));
    },
  );

  app.delete(
    '/apis/:apiId/integrations/:integrationId',
    {
      config: { scope: 'write' },
      schema: {
        tags: ['integrations'],
        summary: 'Delete an integration',
        description:
          'Refused with 409 while a route is bound to it. Deleting one that is already gone changes nothing. `If-Match` makes it conditional on the ETag of a GET (`*`: only if it exists).',
        params: IntegrationIdParams,
        querystring: DryRunQuery,
        headers: ConditionalHeaders,
        response: { 200: ref(ChangeSummary), 202: acceptedResponse, ...failures },
      },
    },
    async (request, reply) => {
      const { apiId, integrationId } = request.params;
      return answerChange(request, reply, request.query, (context) => integrations.remove(apiId, integrationId, context));
    },
  );
};
