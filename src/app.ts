// buildApp(deps): the one factory the server, the Lambda handler and the tests call. Every
// Fastify option lives here, so that tests exercise production settings. Never calls ready().
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { MAX_WAIT_MS, type Config } from './config.js';
import { installAuthentication } from './plugins/authenticate.js';
import { healthRoutes } from './plugins/health.js';
import { probeServerFactory } from './plugins/health-fast-path.js';
import { installIdempotency } from './plugins/idempotency.js';
import { installJsonBodyParser } from './plugins/json-body.js';
import { installProblemDetails, problemFrameworkErrors } from './plugins/problem-details.js';
import { registerRateLimit } from './plugins/rate-limit.js';
import { installReadPriority } from './plugins/read-priority.js';
import { apiRoutes } from './routes/apis.js';
import { auditRoutes } from './routes/audit.js';
import { bulkRoutes } from './routes/bulk-routes.js';
import { createChangeAnswers } from './routes/change-answer.js';
import { changeRoutes } from './routes/changes.js';
import { driftRoutes } from './routes/drift.js';
import { integrationResponseRoutes } from './routes/integration-responses.js';
import { integrationRoutes } from './routes/integrations.js';
import { permissionRoutes } from './routes/permissions.js';
import { routeIntegrationRoutes } from './routes/route-integration.js';
import { forRequestTarget, installTargetScope, requestTargetName } from './routes/target-scope.js';
import { targetRoutes } from './routes/targets.js';
import { fleetDriftRoutes } from './routes/fleet-drift.js';
import type { ApiService } from './services/api-service.js';
import type { AuditService } from './services/audit-service.js';
import type { DriftService } from './services/drift-service.js';
import type { IdempotencyService } from './services/idempotency-service.js';
import type { IntegrationService } from './services/integration-service.js';
import type { PermissionService } from './services/permission-service.js';
import type { ChangeService } from './services/change-service.js';
import type { AuditStore, ContinuationPort } from './services/ports.js';
import type { RouteIntegrationService } from './services/route-integration-service.js';
import type { BulkApplyService } from './services/bulk-apply-service.js';
import type { FleetDriftService } from './services/fleet-drift-service.js';
import type { TargetRegistry } from './services/target-registry.js';
import { COMPONENT_SCHEMAS } from './schemas/components.js';
import type { SerializerCompilers } from './serializers/types.js';
import { schemaCompilers, type ValidatorCompilers } from './validation.js';

/** Every operation that acts on AWS, with the services of the request's target. */
async function registerTargetOperations(scoped: FastifyInstance, answerChange: ReturnType<typeof createChangeAnswers>): Promise<void> {
  const permissions = forRequestTarget('permissions');
  const integrations = forRequestTarget('integrations');
  await scoped.register(apiRoutes, { apis: forRequestTarget('apis'), targetName: requestTargetName });
  await scoped.register(routeIntegrationRoutes, { routeIntegrations: forRequestTarget('routeIntegrations'), answerChange });
  await scoped.register(bulkRoutes, { bulk: forRequestTarget('bulk'), answerChange });
  await scoped.register(integrationRoutes, { integrations, answerChange });
  await scoped.register(integrationResponseRoutes, { integrations, answerChange });
  await scoped.register(permissionRoutes, { permissions, answerChange });
  await scoped.register(driftRoutes, { drift: forRequestTarget('drift') });
}

export interface AppServices {
  apis: ApiService;
  routeIntegrations: RouteIntegrationService;
  bulk: BulkApplyService;
  integrations: IntegrationService;
  audit: AuditService;
  permissions: PermissionService;
  idempotency: IdempotencyService;
  drift: DriftService;
  changes: ChangeService;
  /** Where a change handed over at the end of a Lambda invocation goes on. */
  continuation: ContinuationPort;
  /** The accounts and regions Gatewire manages (issue 19); `apis` … `drift` above are the default target's. */
  targets: TargetRegistry;
  /** GET /v1/drift: every target's drift in counts. */
  fleetDrift: FleetDriftService;
}

/** Registers routes or hooks on the app, like a Fastify plugin without encapsulation. */
export type AppPlugin = (app: FastifyInstance) => Promise<void>;

/**
 * What the two runtimes serve differently, passed in so that the Lambda bundle does not carry the
 * server's libraries: plugins/server-extras.ts (the server and the tests) generates the OpenAPI
 * document from the routes and adds Prometheus metrics; lambda-handler.ts serves the committed
 * document and has no /metrics (no scraper can reach one Lambda instance's counters).
 */
export interface AppExtras {
  /** The OpenAPI document and Swagger UI; registered before any route (@fastify/swagger sees only later ones). */
  docs: AppPlugin;
  metrics?: AppPlugin;
  /**
   * How response schemas become serializers: fast-json-stringify on the server
   * (serializers/compiled.ts), a projection onto the schema and JSON.stringify on Lambda
   * (serializers/json.ts, the same JSON with nothing to load or compile at a cold start).
   */
  serializers: SerializerCompilers;
  /**
   * How route schemas become validators: Ajv compiling at run time (the default: the server, the
   * tests), or the Lambda bundle's code that the same Ajv generated at build time
   * (precompiled-validators.ts: no Ajv to load or compile at a cold start).
   */
  validators?: ValidatorCompilers;
}

export interface AppDeps {
  config: Pick<Config, 'bodyLimitBytes' | 'logLevel' | 'auth' | 'rateLimit' | 'awsTimeoutMs'> & { changes: Pick<Config['changes'], 'waitMs'> };
  services: AppServices;
  auditStore: AuditStore;
  /**
   * Logger options (e.g. `{ level, stream }` to capture the JSON lines); false silences logging
   * (tests). The redaction of credentials is always added to the options.
   */
  logger?: FastifyServerOptions['logger'] | false;
  /** Trust `x-request-id` (Lambda mode: API Gateway's request id). */
  trustRequestIdHeader?: boolean;
  /**
   * 'lambda' (src/lambda.ts): trusts `x-request-id` (the adapter sets it to API Gateway's request
   * id) and takes the caller from the Lambda event's IAM or JWT identity (plugins/authenticate.ts)
   * before any header credential. Default 'server'.
   */
  runtime?: 'server' | 'lambda';
  extras: AppExtras;
  /** How long /readyz reuses one answer (plugins/health.ts); tests that flip the store's state use 0. */
  readinessCacheMs?: number;
  /** Compile every route's validators and serializers at ready() instead of on first use (tests prove they all compile). */
  compileSchemasEagerly?: boolean;
}

// Credentials never reach a log line, whatever logs a request or its headers.
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-api-key"]',
  'headers.cookie',
  '*.headers.authorization',
  '*.headers["x-api-key"]',
  'authorization',
  'apiKey',
  'token',
];
const REDACT = { paths: REDACTED_PATHS, censor: '[redacted]' };

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const logger =
    deps.logger === undefined
      ? { level: deps.config.logLevel, redact: REDACT }
      : typeof deps.logger === 'object' && deps.logger !== null
        ? { ...deps.logger, redact: REDACT }
        : deps.logger;
  let closing = false;
  const connectionTimeout = MAX_WAIT_MS + 10_000;
  const keepAliveTimeout = 72_000;
  const requestTimeout = 120_000;
  const app = Fastify({
    logger,
    bodyLimit: deps.config.bodyLimitBytes,
    requestIdHeader: deps.trustRequestIdHeader || deps.runtime === 'lambda' ? 'x-request-id' : false,
    // Audit records of every instance share one trail: Fastify's default (`req-1`, `req-2`, … per
    // process) repeats across instances and restarts, a UUID does not.
    genReqId: () => randomUUID(),
    // Explicit server timeouts: a slow client cannot hold a socket forever, and none cuts a socket
    // while an answer is due: a change answers (at worst 202) within MAX_WAIT_MS.
    connectionTimeout,
    keepAliveTimeout,
    requestTimeout,
    // Liveness probes answered before Fastify's per-request work (plugins/health-fast-path.ts).
    serverFactory: probeServerFactory({ connectionTimeout, keepAliveTimeout, requestTimeout, closing: () => closing }),
    routerOptions: { maxParamLength: 512 },
    schemaController: schemaCompilers({
      lazy: !deps.compileSchemasEagerly,
      buildSerializer: deps.extras.serializers({ lazy: !deps.compileSchemasEagerly }),
      buildValidator: deps.extras.validators?.({ lazy: !deps.compileSchemasEagerly }),
    }),
    // The router's own errors (bad percent-encoding, an over-long parameter) come before any route.
    frameworkErrors: problemFrameworkErrors,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.addHook('preClose', async () => {
    closing = true;
  });
  installProblemDetails(app);
  installJsonBodyParser(app);
  // The shared schemas that route schemas $ref, before the docs (which name them as components).
  for (const schema of COMPONENT_SCHEMAS) app.addSchema(schema);
  await deps.extras.docs(app);
  // Order matters: /metrics after the docs (so it is documented); the limiter's onRoute hook before
  // authentication's, so that each /v1 route counts the request, then checks its credential.
  if (deps.extras.metrics) await deps.extras.metrics(app);
  await registerRateLimit(app, deps.config.rateLimit);
  installAuthentication(app, { auth: deps.config.auth, runtime: deps.runtime ?? 'server' });
  // After authentication: a key is claimed only once the caller is known and allowed.
  installIdempotency(app, { idempotency: deps.services.idempotency });
  await app.register(healthRoutes, {
    auditStore: deps.auditStore,
    ...(deps.readinessCacheMs === undefined ? {} : { cacheMs: deps.readinessCacheMs }),
  });
  const answerChange = createChangeAnswers({
    changes: deps.services.changes,
    continuation: deps.services.continuation,
    defaultWaitMs: deps.config.changes.waitMs,
    maxWaitMs: MAX_WAIT_MS,
    // Lambda: room for the step in flight at the bound (one AWS call) and the hand-over.
    lambdaMarginMs: deps.config.awsTimeoutMs + 2_000,
  });
  await app.register(
    async (v1) => {
      installReadPriority(v1);
      await v1.register(apiRoutes, { apis: deps.services.apis, fleet: () => deps.services.targets.listApis() });
      await v1.register(routeIntegrationRoutes, { routeIntegrations: deps.services.routeIntegrations, answerChange });
      await v1.register(bulkRoutes, { bulk: deps.services.bulk, answerChange });
      await v1.register(integrationRoutes, { integrations: deps.services.integrations, answerChange });
      await v1.register(integrationResponseRoutes, { integrations: deps.services.integrations, answerChange });
      await v1.register(permissionRoutes, { permissions: deps.services.permissions, answerChange });
      await v1.register(changeRoutes, { changes: deps.services.changes });
      await v1.register(driftRoutes, { drift: deps.services.drift });
      await v1.register(fleetDriftRoutes, { fleetDrift: deps.services.fleetDrift });
      await v1.register(auditRoutes, { audit: deps.services.audit });
      await v1.register(targetRoutes, { targets: deps.services.targets });
      // The same operations in a named target (routes/target-scope.ts, docs/decisions.md).
      await v1.register(
        async (scoped) => {
          installTargetScope(scoped, deps.services.targets);
          await registerTargetOperations(scoped, answerChange);
        },
        { prefix: '/targets/:target' },
      );
    },
    { prefix: '/v1' },
  );
  return app;
}
