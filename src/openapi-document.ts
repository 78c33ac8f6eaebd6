// Builds the OpenAPI document the app serves, without AWS or a database: the services are wired
// but never called. Used by `npm run openapi` and by the test that keeps openapi/openapi.json current.
import { buildApp } from './app.js';
import { SERVER_EXTRAS } from './plugins/server-extras.js';
import { createInProcessLock } from './audit/locks.js';
import { createMemoryAuditStore } from './audit/memory-store.js';
import { loadConfig } from './config.js';
import { createDependencies } from './dependencies.js';

export async function generateOpenApiDocument(): Promise<string> {
  const config = loadConfig({ LOG_LEVEL: 'silent' });
  const auditStore = createMemoryAuditStore();
  const deps = await createDependencies(config, { audit: { store: auditStore, lock: createInProcessLock() } });
  const app = await buildApp({ config, services: deps.services, auditStore, logger: false, extras: SERVER_EXTRAS });
  try {
    await app.ready();
    return `${JSON.stringify(app.swagger(), null, 2)}\n`;
  } finally {
    await app.close();
    await deps.close();
  }
}
