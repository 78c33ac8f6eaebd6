// buildApp wired to the wire-level fake AWS (real SDK clients over HTTP) and an in-memory audit
// store; everything is closed on teardown.
//
// Authentication: the app is built with one configured admin API key (TEST_API_KEY, stored hashed
// like any other) and `app.inject` sends it as `x-api-key` whenever a request carries no credential
// of its own. Tests that are not about authentication stay as they were; tests about it pass
// `credential: false` (and keys of their own in `env`) to send exactly what they choose.
import type { FastifyInstance, InjectOptions } from 'fastify';
import { buildApp, type AppDeps } from '../../src/app.js';
import { SERVER_EXTRAS } from '../../src/plugins/server-extras.js';
import type { SerializerCompilers } from '../../src/serializers/types.js';
import type { ValidatorCompilers } from '../../src/validation.js';
import { checkedSerializers } from './checked-serializers.js';
import { checkedValidators } from './checked-validators.js';
import { hashApiKey } from '../../src/auth/credentials.js';
import { createInProcessLock } from '../../src/audit/locks.js';
import { createMemoryAuditStore, type MemoryAuditStore } from '../../src/audit/memory-store.js';
import { loadConfig } from '../../src/config.js';
import { createDependencies, type Dependencies } from '../../src/dependencies.js';
import type { ApiLock, AuditStore, BudgetMembers, Clock, IdempotencyStore } from '../../src/services/ports.js';
import { startFakeAws, type FakeAws } from './fake-aws/index.js';

interface Teardown {
  teardown(fn: () => unknown): void;
}

export interface TestApp {
  app: FastifyInstance;
  fake: FakeAws;
  auditStore: MemoryAuditStore;
  /** The id of a WebSocket API seeded in the fake. */
  apiId: string;
  /** The composition root's parts: recovery (its sweep is not started), the running changes. */
  deps: Dependencies;
}

/** The admin key every test app accepts (audit actor: api-key `test-admin`). */
export const TEST_API_KEY = 'gw_test-admin-key-0123456789abcdefghijklmnopqrstuvwxyz';
export const TEST_API_KEY_NAME = 'test-admin';
export const TEST_API_KEYS_ENV = JSON.stringify([{ name: TEST_API_KEY_NAME, sha256: hashApiKey(TEST_API_KEY), scopes: ['admin'] }]);

/**
 * The guardrails every test app gets unless its `env` sets GATEWIRE_GUARDRAILS(_FILE): everything
 * allowed, so that tests about roles, VPC links and other accounts are about those; the guardrail
 * tests (test/routes/guardrails.test.ts) set restrictive ones.
 */
export const PERMISSIVE_TEST_GUARDRAILS = JSON.stringify({
  policies: [
    {
      name: 'permissive-test',
      rules: { functionArns: ['*'], functionAccounts: ['*'], executionRoles: ['*'], vpcLinks: ['*'], httpHosts: ['*'] },
    },
  ],
});

export interface TestAppOptions {
  env?: Record<string, string>;
  /** Sent as `x-api-key` by `app.inject` when a request has no credential; false sends none. Default TEST_API_KEY. */
  credential?: string | false;
  /** buildApp's logger option (default false: silent). */
  logger?: AppDeps['logger'];
  fake?: FakeAws;
  audit?: { store: AuditStore; lock: ApiLock; idempotency?: IdempotencyStore; budget?: BudgetMembers; close?: () => Promise<void> };
  /** How long /readyz reuses one answer (default: production's). */
  readinessCacheMs?: number;
  /** Default: the server's, each response also written by the Lambda's and compared (checked-serializers.ts). */
  serializers?: SerializerCompilers;
  /**
   * Validate every request with both Ajv at run time and the Lambda bundle's generated validators,
   * failing on any difference (checked-validators.ts); default Ajv at run time only, as generating
   * them takes a test process about a second.
   */
  checkValidators?: boolean;
  /** Validators of the test's own (default: see checkValidators). */
  validators?: ValidatorCompilers;
  /** The clock of the services (audit times, Idempotency-Key expiry); default the system clock. */
  clock?: Clock;
}

export async function buildTestApp(t: Teardown, options: TestAppOptions = {}): Promise<TestApp> {
  const fake = options.fake ?? (await startFakeAws());
  if (!options.fake) t.teardown(() => fake.close());
  const config = loadConfig({
    AWS_REGION: fake.region,
    AWS_ENDPOINT_URL: fake.url,
    // One attempt per call unless a test asks for retries: fault tests stay fast and exact.
    GATEWIRE_AWS_MAX_ATTEMPTS: '1',
    GATEWIRE_AWS_TIMEOUT_MS: '5000',
    LOG_LEVEL: 'silent',
    GATEWIRE_API_KEYS: TEST_API_KEYS_ENV,
    // Table-driven tests send hundreds of requests from one caller.
    GATEWIRE_RATE_LIMIT_MAX: '100000',
    // The fake does not throttle unless a test asks it to, so neither does Gatewire's own pacing.
    GATEWIRE_APIGATEWAY_RATE: '0',
    GATEWIRE_LAMBDA_RATE: '0',
    // Tests change the fake behind Gatewire's back and read again at once: no cached GETs unless
    // a test asks (concurrent identical GETs are still coalesced).
    GATEWIRE_READ_CACHE_MS: '0',
    ...(options.env?.['GATEWIRE_GUARDRAILS_FILE'] === undefined ? { GATEWIRE_GUARDRAILS: PERMISSIVE_TEST_GUARDRAILS } : {}),
    ...options.env,
  });
  const auditStore = createMemoryAuditStore();
  const deps = await createDependencies(config, {
    awsCredentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
    audit: options.audit ?? { store: auditStore, lock: createInProcessLock({ waitMillis: config.lock.waitMs, maxWaiters: config.lock.maxWaiters }) },
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const app = await buildApp({
    config,
    services: deps.services,
    auditStore: options.audit?.store ?? auditStore,
    logger: options.logger ?? false,
    // The server's, with every response also written by the Lambda's serializers and compared.
    extras: {
      ...SERVER_EXTRAS,
      serializers: options.serializers ?? checkedSerializers,
      ...(options.validators ? { validators: options.validators } : options.checkValidators ? { validators: await checkedValidators() } : {}),
    },
    ...(options.readinessCacheMs === undefined ? {} : { readinessCacheMs: options.readinessCacheMs }),
  });
  const credential = options.credential ?? TEST_API_KEY;
  if (credential !== false) sendCredentialByDefault(app, credential);
  t.teardown(async () => {
    await app.close();
    await deps.close();
  });
  const apiId = fake.seedApi({ name: 'chat' });
  return { app, fake, auditStore, apiId, deps };
}

/** `/v1/apis/{apiId}/routes/{routeKey}/integration`, with the route key URL-encoded. */
export function routeIntegrationUrl(apiId: string, routeKey: string, query = ''): string {
  return `/v1/apis/${apiId}/routes/${encodeURIComponent(routeKey)}/integration${query}`;
}

/** `app.inject(options)` adds `x-api-key: <credential>` when the request names no credential itself. */
function sendCredentialByDefault(app: FastifyInstance, credential: string): void {
  const inject = app.inject.bind(app) as (options?: InjectOptions | string) => ReturnType<FastifyInstance['inject']>;
  const withCredential = (options: InjectOptions | string): InjectOptions => {
    const request: InjectOptions = typeof options === 'string' ? { url: options } : options;
    const names = Object.keys(request.headers ?? {}).map((name) => name.toLowerCase());
    if (names.includes('authorization') || names.includes('x-api-key')) return request;
    return { ...request, headers: { ...request.headers, 'x-api-key': credential } };
  };
  app.inject = ((options?: InjectOptions | string) =>
    options === undefined ? inject() : inject(withCredential(options))) as FastifyInstance['inject'];
}
