// Gatewire listening on loopback, wired to a fake AWS, for the benchmarks that go over HTTP.
import { buildApp } from '../../src/app.js';
import { SERVER_EXTRAS } from '../../src/plugins/server-extras.js';
import { loadConfig } from '../../src/config.js';
import { createDependencies } from '../../src/dependencies.js';
import { TEST_API_KEYS_ENV } from '../../test/support/build-test-app.js';
import type { FakeAws } from '../../test/support/fake-aws/index.js';

export interface ListeningGatewire {
  /** `http://127.0.0.1:PORT` */
  address: string;
  close(): Promise<void>;
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
  const deps = await createDependencies(config, { awsCredentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' } });
  const app = await buildApp({ config, services: deps.services, auditStore: deps.auditStore, logger: false, extras: SERVER_EXTRAS });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    address,
    async close() {
      await app.close();
      await deps.close();
    },
  };
}
