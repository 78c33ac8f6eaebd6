// The OpenAPI document (generated from the TypeBox schemas) and Swagger UI at /docs, for the
// server and the tests; the Lambda build serves the committed document instead. Both serve them
// through bundled-docs.ts (Swagger UI's static files from @fastify/swagger-ui's package, not its
// plugin: see there).
import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { SECURITY_SCHEMES } from './authenticate.js';
import { bundledDocs, sourceTreeDocsFiles } from './bundled-docs.js';

/** Registered before any route: @fastify/swagger only sees routes registered after it. */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Gatewire',
        version: '1.0.0',
        description:
          'Wire the routes of Amazon API Gateway (v2) WebSocket APIs to their backends safely: every request is validated against AWS\'s rules before any AWS call, Lambda invoke permissions are reconciled, and every change is audited. Every /v1 operation needs a credential with the scope it names (`read`, `write` or `admin`): choose Authorize and paste an API key.',
      },
      tags: [
        { name: 'apis', description: 'WebSocket APIs and their routes' },
        { name: 'route integrations', description: 'The desired backend of a route, in intent form' },
        { name: 'integrations', description: 'Raw integrations and integration responses, in AWS wire names' },
        { name: 'permissions', description: 'Lambda invoke permissions: report and reconcile' },
        { name: 'changes', description: 'Changes that outlast their request: status, progress and the final answer' },
        {
          name: 'targets',
          description:
            'Accounts and regions (issue 19). Every /v1/apis operation is also served under /v1/targets/{target}, acting in that target; /v1/apis/… is the `default` target. An unknown target is a 404 and an unreachable one a 502, before any change.',
        },
        { name: 'audit', description: 'The audit trail of every change (scope `admin`)' },
        { name: 'health', description: 'Liveness, readiness and metrics (no credentials needed)' },
      ],
      // "Authorize" in Swagger UI: an API key in x-api-key, or a key or JWT as a bearer token.
      // Each /v1 operation names both and the scope it needs (plugins/authenticate.ts).
      components: { securitySchemes: SECURITY_SCHEMES },
    },
    refResolver: {
      // Components keep their $id as their name (otherwise they become def-0, def-1, …).
      buildLocalReference: (json, _baseUri, _fragment, index) => String(json.$id ?? `def-${index}`),
    },
  });
  await bundledDocs({ files: { swaggerUiDir: sourceTreeDocsFiles().swaggerUiDir }, document: () => app.swagger() })(app);
}
