// Lambda entry (the bundle's `index.handler`): config → dependencies (audit migrations run here)
// → the app behind @fastify/aws-lambda, all at module load (top-level await), so that the init
// phase pays for it once and warm invocations reuse the instance, its SDK clients and its pool.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig } from './config.js';
import { createDependencies } from './dependencies.js';
import { createLambdaHandler, type LambdaHandler } from './lambda-handler.js';
import { precompiledValidators, VALIDATOR_INDEX_FILE } from './precompiled-validators.js';

/** The bundle ships the OpenAPI document and Swagger UI's static files here (scripts/build-lambda.mjs). */
const BUNDLED_DOCS_FILES = {
  openApiDocument: fileURLToPath(new URL('./openapi.json', import.meta.url)),
  swaggerUiDir: fileURLToPath(new URL('./static/', import.meta.url)),
};

/** The code Ajv generated for every route schema at build time (scripts/build-lambda.mjs). */
const BUNDLED_VALIDATORS_DIR = fileURLToPath(new URL('./validators/', import.meta.url));

async function init(): Promise<LambdaHandler> {
  let config;
  try {
    config = loadConfig(process.env, { runtime: 'lambda' });
  } catch (error) {
    // One clear line in the function's log; the init error then carries the same message.
    if (error instanceof ConfigError) console.error(error.message);
    throw error;
  }
  // Each invocation says which function (and version) runs: a continuation goes to the same one.
  const invocation: { functionArn?: string } = {};
  const deps = await createDependencies(config, { currentFunction: () => invocation.functionArn ?? process.env['AWS_LAMBDA_FUNCTION_NAME'] });
  // No sweep at init: the cold start stays short, and a change a dead invocation left is taken over
  // by the next change to its API, by the scheduled sweep event, or by its continuation.
  const { handler } = await createLambdaHandler({
    config,
    services: deps.services,
    auditStore: deps.auditStore,
    recovery: deps.recovery,
    invocation,
    // Run from the source tree (tsx), the handler finds them there.
    ...(existsSync(BUNDLED_DOCS_FILES.openApiDocument) ? { docsFiles: BUNDLED_DOCS_FILES } : {}),
    // The bundle has no Ajv: it must find them. From the source tree, Ajv compiles at run time.
    ...(existsSync(`${BUNDLED_VALIDATORS_DIR}${VALIDATOR_INDEX_FILE}`) ? { validators: precompiledValidators(BUNDLED_VALIDATORS_DIR) } : {}),
  });
  return handler;
}

export const handler: LambdaHandler = await init();
