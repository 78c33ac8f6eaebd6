// buildApp wired to the wire-level fake AWS (real SDK clients over HTTP) and an in-memory audit
// store; everything is closed on teardown.
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { createInProcessLock } from '../../src/audit/locks.js';
import { createMemoryAuditStore, type MemoryAuditStore } from '../../src/audit/memory-store.js';
import { loadConfig } from '../../src/config.js';
import { createDependencies } from '../../src/dependencies.js';
import type { ApiLock, AuditStore } from '../../src/services/ports.js';
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
}

export interface TestAppOptions {
  env?: Record<string, string>;
  fake?: FakeAws;
  audit?: { store: AuditStore; lock: ApiLock; close?: () => Promise<void> };
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
    ...options.env,
  });
  const auditStore = createMemoryAuditStore();
  const deps = await createDependencies(config, {
    awsCredentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
    audit: options.audit ?? { store: auditStore, lock: createInProcessLock() },
  });
  const app = await buildApp({ config, services: deps.services, auditStore: options.audit?.store ?? auditStore, logger: false });
  t.teardown(async () => {
    await app.close();
    await deps.close();
  });
  const apiId = fake.seedApi({ name: 'chat' });
  return { app, fake, auditStore, apiId };
}

/** `/v1/apis/{apiId}/routes/{routeKey}/integration`, with the route key URL-encoded. */
export function routeIntegrationUrl(apiId: string, routeKey: string, query = ''): string {
  return `/v1/apis/${apiId}/routes/${encodeURIComponent(routeKey)}/integration${query}`;
}
