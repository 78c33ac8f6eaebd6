// npm run bench:throughput — autocannon against a listening Gatewire (the fake AWS behind it, no
// injected latency): a no-op PUT …/routes/{routeKey}/integration (the route already has exactly
// this backend: reads, an empty plan, no write, no audit record) and a GET of the same route, with
// the audit store on SQLite and on PostgreSQL. Prints requests/s and latency percentiles.
//
//   npm run bench:throughput -- --seconds 10 --connections 10
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { TEST_API_KEY } from '../test/support/build-test-app.js';
import { startFakeAws, type FakeAws } from '../test/support/fake-aws/index.js';
import { createTestSchema } from '../test/support/postgres.js';
import { listeningGatewire } from './support/listening-gatewire.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, connections: { type: 'string', default: '10' } } });
const duration = Number(values.seconds);
const connections = Number(values.connections);

const teardowns: (() => unknown)[] = [];
const BODY = JSON.stringify({ backend: { type: 'http', url: 'https://backend.example.com/messages', method: 'POST' }, timeoutInMillis: 5000 });

async function listening(fake: FakeAws, auditUrl: string): Promise<string> {
  const gatewire = await listeningGatewire(fake, auditUrl);
  teardowns.push(() => gatewire.close());
  return gatewire.address;
}

async function measure(title: string, options: autocannon.Options): Promise<void> {
  const result = await autocannon({ duration, connections, ...options });
  const failures = result.non2xx + result.errors + result.timeouts;
  console.log(
    `    ${title}: ${result.requests.average.toFixed(0)} req/s; latency p50 ${result.latency.p50} ms, p90 ${result.latency.p90} ms, p99 ${result.latency.p99} ms; ${result.requests.total} requests, ${failures} failed`,
  );
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'gatewire-throughput-'));
  teardowns.push(() => rm(dir, { recursive: true, force: true }));
  const postgres = await createTestSchema({ teardown: (fn: () => unknown) => teardowns.push(fn) } as never, 'bench_throughput');
  const fake = await startFakeAws();
  teardowns.push(() => fake.close());
  console.log(`throughput: autocannon, ${connections} connections, ${duration} s per run, fake AWS with no added latency`);
  for (const [label, auditUrl] of [
    ['SQLite', `sqlite:${join(dir, 'audit.db')}`],
    ['PostgreSQL', postgres.url],
  ] as const) {
    const address = await listening(fake, auditUrl);
    const apiId = fake.seedApi({ name: `throughput-${label}` });
    const url = `${address}/v1/apis/${apiId}/routes/send/integration`;
    const headers = { 'content-type': 'application/json', 'x-api-key': TEST_API_KEY };
    const first = await fetch(url, { method: 'PUT', headers, body: BODY });
    if (first.status !== 200) throw new Error(`setting up the route answered ${first.status}`);
    console.log(`  audit on ${label}:`);
    await measure('no-op PUT (nothing to change)', { url, method: 'PUT', headers, body: BODY });
    await measure('GET of the route integration', { url, method: 'GET', headers });
  }
}

try {
  await main();
} finally {
  for (const fn of teardowns.reverse()) await fn();
}
