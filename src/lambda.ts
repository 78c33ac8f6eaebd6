// Lambda entry (the bundle's `index.handler`): config → dependencies (audit migrations run here)
// → the app behind @fastify/aws-lambda, all at module load (top-level await), so that the init
// phase pays for it once and warm invocations reuse the instance, its SDK clients and its pool.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig } from './config.js';
import { createDependencies } from './dependencies.js';
import { createLambdaHandler, type LambdaHandler } from './lambda-handler.js';
import { settle } from './services/settled.js';

/**
 * A change still pending after this long was cut off: a Lambda invocation lasts 15 minutes at
 * most, so no instance can still be running it (DESIGN §3).
 */
const INTERRUPTED_AFTER_MS = 16 * 60_000;

/** The bundle ships the OpenAPI document and Swagger UI's static files here (scripts/build-lambda.mjs). */
const BUNDLED_DOCS_FILES = {
  openApiDocument: fileURLToPath(new URL('./openapi.json', import.meta.url)),
  swaggerUiDir: fileURLToPath(new URL('./static/', import.meta.url)),
};

async function init(): Promise<LambdaHandler> {
  let config;
  try {
    config = loadConfig(process.env, { runtime: 'lambda' });
  } catch (error) {
    // One clear line in the function's log; the init error then carries the same message.
    if (error instanceof ConfigError) console.error(error.message);
    throw error;
  }
  const deps = await createDependencies(config);
  // Independent of building the app, so it runs meanwhile (the cold start waits for the longer).
  const interrupted = settle(deps.auditStore.markInterrupted(new Date(Date.now() - INTERRUPTED_AFTER_MS)));
  const { app, handler } = await createLambdaHandler({
    config,
    services: deps.services,
    auditStore: deps.auditStore,
    // Run from the source tree (tsx), the handler finds them there.
    ...(existsSync(BUNDLED_DOCS_FILES.openApiDocument) ? { docsFiles: BUNDLED_DOCS_FILES } : {}),
  });
  const outcome = await interrupted;
  if ('error' in outcome) {
    // Not fatal: /readyz and the change path report a store that does not answer.
    app.log.error({ err: outcome.error }, 'could not mark interrupted audit records');
  } else if (outcome.value > 0) {
    app.log.warn({ interrupted: outcome.value }, 'audit records left pending by an earlier crash are now marked interrupted');
  }
  return handler;
}

export const handler: LambdaHandler = await init();
