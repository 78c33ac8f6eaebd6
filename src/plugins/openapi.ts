// The OpenAPI document (generated from the TypeBox schemas) and Swagger UI at /docs.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { COMPONENT_SCHEMAS } from '../schemas/components.js';

export interface OpenApiOptions {
  /** Where Swagger UI's static files are (the Lambda bundle copies them next to itself). */
  swaggerUiBaseDir?: string;
}

/** Registered before any route: @fastify/swagger only sees routes registered after it. */
export async function registerOpenApi(app: FastifyInstance, options: OpenApiOptions = {}): Promise<void> {
  for (const schema of COMPONENT_SCHEMAS) app.addSchema(schema);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Gatewire',
        version: '1.0.0',
        description:
          'Wire the routes of Amazon API Gateway (v2) WebSocket APIs to their backends safely: every request is validated against AWS\'s rules before any AWS call, Lambda invoke permissions are reconciled, and every change is audited.',
      },
      tags: [
        { name: 'apis', description: 'WebSocket APIs and their routes' },
        { name: 'route integrations', description: 'The desired backend of a route, in intent form' },
        { name: 'integrations', description: 'Raw integrations and integration responses, in AWS wire names' },
        { name: 'health', description: 'Liveness and readiness' },
      ],
    },
    refResolver: {
      // Components keep their $id as their name (otherwise they become def-0, def-1, …).
      buildLocalReference: (json, _baseUri, _fragment, index) => String(json.$id ?? `def-${index}`),
    },
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    ...(options.swaggerUiBaseDir ? { baseDir: options.swaggerUiBaseDir } : {}),
    uiConfig: { deepLinking: true, tryItOutEnabled: true },
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
