// Gatewire listening on loopback, wired to a fake AWS, for the benchmarks that go over HTTP.
import { buildApp } from '../../src/app.js';
import { SERVER_EXTRAS } from '../../src/plugins/server-extras.js';
import { loadConfig } from '../../src/config.js';
import { createDependencies, openAuditStore } from '../../src/dependencies.js';
import type { AuditStore } from '../../src/services/ports.js';
import { TEST_API_KEYS_ENV } from '../../test/support/build-test-app.js';
import type { FakeAws } from '../../test/support/fake-aws/index.js';

export interface ListeningGatewire {
  /** `http://127.0.0.1:PORT` */
  address: string;
  /** Commits to the audit store so far, and the time spent in them, by kind. */
  commits(): CommitCounts;
  close(): Promise<void>;
}

/** The audit store's writes a change makes: its pending record, its journal commits, its final record. */
export type CommitCounts = Record<'appendPending' | 'appendJournal' | 'finalize', { count: number; ms: number }>;

/** The store, timing each write. */
function timedStore(store: AuditStore): { store: AuditStore; counts: CommitCounts } {
  const counts: CommitCounts = { appendPending: { count: 0, ms: 0 }, appendJournal: { count: 0, ms: 0 }, finalize: { count: 0, ms: 0 } };
  const timed = <A extends unknown[]>(kind: keyof CommitCounts, write: (...args: A) => Promise<void>) => async (...args: A) => {
    const started = performance.now();
    try {
      return await write(...args);
    } finally {
      counts[kind].count += 1;
      counts[kind].ms += performance.now() - started;
    }
  };
  return {
    counts,
    store: {
      ...store,
      appendPending: timed('appendPending', (record) => store.appendPending(record)),
      appendJournal: timed('appendJournal', (id, lease, entries) => store.appendJournal(id, lease, entries)),
      finalize: timed('finalize', (id, final, options) => store.finalize(id, final, options)),
    },
  };
}

/**
 * The fake does not throttle in these benchmarks and the direct SDK script does not pace, so
 * neither does Gatewire: they measure Gatewire, not AWS's rate (bench/bulk.ts measures that).
 */
export async function listeningGatewire(fake: FakeAws, auditUrl: string): Promise<ListeningGatewire> {
  const config = loadConfig({
    AWS_REGION: fake.region,
    AWS_ENDPOINT_URL: fake.url,
    GATEWIRE_ACCOUNT_ID: fake.accountId,
    LOG_LEVEL: 'silent',
    GATEWIRE_API_KEYS: TEST_API_KEYS_ENV,
    GATEWIRE_RATE_LIMIT_MAX: '1000000',
    GATEWIRE_AUDIT_URL: auditUrl,
    GATEWIRE_APIGATEWAY_RATE: '0',
    GATEWIRE_LAMBDA_RATE: '0',
  });
  const audit = await openAuditStore(config);
  const timing = timedStore(audit.store);
  const deps = await createDependencies(config, {
    awsCredentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' },
    audit: { ...audit, store: timing.store },
  });
  const app = await buildApp({ config, services: deps.services, auditStore: deps.auditStore, logger: false, extras: SERVER_EXTRAS });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    address,
    commits: () => structuredClone(timing.counts),
    async close() {
      await app.close();
      await deps.close();
    },
  };
}
