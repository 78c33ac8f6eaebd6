// PUT | GET | DELETE /v1/apis/{apiId}/routes/{routeKey}/integration — the intent form.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RouteIntegrationService } from '../services/route-integration-service.js';
import { acceptedResponse } from '../schemas/change.js';
import type { AnswerChange } from './change-answer.js';
import {
  ConditionalHeaders,
  DryRunQuery,
  preconditionFailedResponse,
  problemResponse,
  readUnavailable,
  ref,
  RouteKeyParams,
  withEtagHeader,
} from '../schemas/common.js';
import { RouteIntegrationIntentSchema } from '../schemas/intent.js';
import { RouteIntegrationChange } from '../schemas/plan.js';
import { RouteIntegration } from '../schemas/resources.js';
import { setEtag } from './change-context.js';
import { INTENT_EXAMPLES } from './examples.js';

const failures = {
  400: problemResponse('Invalid request: every offending field is named in `errors`.'),
  404: problemResponse('No such API (or route, for GET and DELETE).'),
  409: problemResponse('AWS reported a conflict.'),
  412: preconditionFailedResponse,
  502: problemResponse('AWS failed; `aws` names the error and request id.'),
  503: problemResponse('AWS throttled the request (see Retry-After), or the audit store is down.'),
};

export const routeIntegrationRoutes: FastifyPluginAsyncTypebox<{ routeIntegrations: RouteIntegrationService; answerChange: AnswerChange }> = async (
  app,
  { routeIntegrations, answerChange },
) => {
  app.put(
    '/apis/:apiId/routes/:routeKey/integration',
    {
      config: { scope: 'write' },
      schema: {
        tags: ['route integrations'],
        summary: "Set a route's backend",
        description:
          "Gives the route the backend described in intent form: creates the route when missing, creates or updates its integration, binds it and sets two-way replies. Validated against AWS's rules before any AWS call. Idempotent: the same body twice changes nothing the second time. `?dryRun=true` returns the plan and changes nothing; `?deployStage=` deploys the change. `If-Match` makes it conditional on the ETag of a GET; `If-None-Match: *` makes it create-only (412 when the route already has an integration). The ETag header is the state after the change. Route keys travel URL-encoded (`%24connect`).",
        params: RouteKeyParams,
        querystring: DryRunQuery,
        headers: ConditionalHeaders,
        body: { ...RouteIntegrationIntentSchema, 'x-examples': INTENT_EXAMPLES },
        response: { 200: withEtagHeader(ref(RouteIntegrationChange)), 202: acceptedResponse, ...failures },
      },
    },
    async (request, reply) => {
      const { apiId, routeKey } = request.params;
      return answerChange(request, reply, request.query, (context) => routeIntegrations.put(apiId, routeKey, request.body, context));
    },
  );

  app.get(
    '/apis/:apiId/routes/:routeKey/integration',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['route integrations'],
        summary: "Read a route's backend",
        description:
          'The route, its integration and integration responses, and whether it is two-way. The ETag header is a hash of that AWS state: send it in If-Match to change the route only if nobody else has.',
        params: RouteKeyParams,
        response: {
          200: withEtagHeader(ref(RouteIntegration)),
          400: failures[400],
          404: failures[404],
          502: failures[502],
          503: readUnavailable,
        },
      },
    },
    async (request, reply) => {
      const { etag, ...view } = await routeIntegrations.get(request.params.apiId, request.params.routeKey);
      setEtag(reply, etag);
      return view;
    },
  );

  app.delete(
    '/apis/:apiId/routes/:routeKey/integration',
    {
      config: { scope: 'write' },
      schema: {
        tags: ['route integrations'],
        summary: "Remove a route's backend",
        description:
          'Unbinds the route from its integration and deletes the integration when no other route uses it. The route itself stays. Deleting an unbound route changes nothing. `If-Match` makes it conditional (`*`: only if an integration is bound).',
        params: RouteKeyParams,
        querystring: DryRunQuery,
        headers: ConditionalHeaders,
        response: { 200: withEtagHeader(ref(RouteIntegrationChange)), 202: acceptedResponse, ...failures },
      },
    },
    async (request, reply) => {
      const { apiId, routeKey } = request.params;
      return answerChange(request, reply, request.query, (context) => routeIntegrations.remove(apiId, routeKey, context));
    },
  );
};
