// npm run bench:bulk — 300 route changes against the wire-level fake enforcing AWS's documented
// control-plane rates (API Gateway 10 requests/s per account with a burst of 40; Lambda 15/s),
// sent by three concurrent callers as bulk applies of 100 routes each (Lambda proxy, three
// functions, with invoke permissions). Prints the elapsed time against the floor those rates set
// for the calls made, AWS calls per route change, throttled calls absorbed and failures surfaced;
// then a no-change bulk apply over the same 300 routes (its AWS calls and time), and the resident
// set size after start and after the run.
//
//   npm run bench:bulk -- --routes 300 --callers 3
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { buildApp } from '../src/app.js';
import { SERVER_EXTRAS } from '../src/plugins/server-extras.js';
import { createInProcessLock } from '../src/audit/locks.js';
import { createMemoryAuditStore } from '../src/audit/memory-store.js';
import { loadConfig } from '../src/config.js';
import { createDependencies } from '../src/dependencies.js';
import { TEST_API_KEY, TEST_API_KEYS_ENV } from '../test/support/build-test-app.js';
import { startFakeAws, type FakeCall } from '../test/support/fake-aws/index.js';

const { values } = parseArgs({ options: { routes: { type: 'string', default: '300' }, callers: { type: 'string', default: '3' } } });
const routeCount = Number(values.routes);
const callers = Number(values.callers);
const RATES = { apiGatewayPerSecond: 10, apiGatewayBurst: 40, lambdaPerSecond: 15 };

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** The least time AWS's token buckets allow for these calls (both buckets start full). */
function floorSeconds(calls: readonly FakeCall[]): { seconds: number; apiGateway: number; lambda: number } {
  const apiGateway = calls.filter((call) => call.service === 'apigatewayv2').length;
  const lambda = calls.filter((call) => call.service === 'lambda').length;
  const seconds = Math.max(
    Math.max(0, apiGateway - RATES.apiGatewayBurst) / RATES.apiGatewayPerSecond,
    Math.max(0, lambda - RATES.lambdaPerSecond) / RATES.lambdaPerSecond,
  );
  return { seconds, apiGateway, lambda };
}

async function main(): Promise<void> {
  const fake = await startFakeAws({ rateLimit: RATES });
  const config = loadConfig({
    AWS_REGION: fake.region,
    AWS_ENDPOINT_URL: fake.url,
    LOG_LEVEL: 'silent',
    GATEWIRE_API_KEYS: TEST_API_KEYS_ENV,
    GATEWIRE_RATE_LIMIT_MAX: '100000',
    // Gatewire's defaults: AWS's documented rates, adaptive retries, 4 attempts.
  });
  const store = createMemoryAuditStore();
  const deps = await createDependencies(config, {
    awsCredentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret' },
    audit: { store, lock: createInProcessLock() },
  });
  const app = await buildApp({ config, services: deps.services, auditStore: store, logger: false, extras: SERVER_EXTRAS });
  await app.ready();
  const rssAfterStart = process.memoryUsage().rss;

  const apiId = fake.seedApi({ name: 'bench' });
  const functions = ['alpha', 'beta', 'gamma'].map((name) => fake.seedFunction({ name }));
  const routes = Array.from({ length: routeCount }, (_, i) => [`route${i}`, { backend: { type: 'lambda', function: ['alpha', 'beta', 'gamma'][i % 3] } }] as const);
  const put = (slice: readonly (readonly [string, unknown])[]) =>
    app.inject({
      method: 'PUT',
      url: `/v1/apis/${apiId}/routes`,
      headers: { 'x-api-key': TEST_API_KEY },
      payload: { routes: Object.fromEntries(slice) },
    });

  // Let the fake's buckets fill, as they would be after a quiet spell.
  await new Promise((resolve) => setTimeout(resolve, 4000));
  fake.resetCalls();
  const started = performance.now();
  const perCaller = Math.ceil(routeCount / callers);
  const responses = await Promise.all(
    Array.from({ length: callers }, (_, c) => put(routes.slice(c * perCaller, (c + 1) * perCaller))),
  );
  const elapsed = (performance.now() - started) / 1000;
  const calls = [...fake.calls];
  const floor = floorSeconds(calls);
  const failures = responses.filter((response) => response.statusCode !== 200);
  const throttled = calls.filter((call) => call.status === 429).length;
  const bound = fake.api(apiId).routes.filter((route) => route.target).length;

  console.log(`bulk: ${routeCount} route changes from ${callers} concurrent callers (bulk applies of ${perCaller})`);
  console.log(`  elapsed ${elapsed.toFixed(2)} s; rate floor ${floor.seconds.toFixed(2)} s; ratio ${(elapsed / floor.seconds).toFixed(3)}`);
  console.log(
    `  AWS calls: ${floor.apiGateway} API Gateway + ${floor.lambda} Lambda = ${((floor.apiGateway + floor.lambda) / routeCount).toFixed(2)} per route change; throttled and retried: ${throttled}`,
  );
  console.log(`  failures surfaced: ${failures.length}${failures.length ? ` (${failures.map((r) => r.statusCode).join(', ')})` : ''}; routes bound: ${bound}/${routeCount}`);
  console.log(`  statements: ${functions.map((fn) => fake.policy(fn).length).join(', ')} (one per function)`);

  await new Promise((resolve) => setTimeout(resolve, 4000));
  fake.resetCalls();
  const noChangeStarted = performance.now();
  const noChange = await put(routes);
  const noChangeMs = performance.now() - noChangeStarted;
  const noChangeCalls = fake.calls.filter((call) => call.service !== 'sts');
  console.log(
    `no-change bulk apply of ${routeCount} routes: HTTP ${noChange.statusCode}, outcome ${noChange.json().outcome}; ${noChangeCalls.length} AWS calls (${noChangeCalls.map((c) => c.operation).join(', ')}); ${noChangeMs.toFixed(0)} ms`,
  );
  console.log(`memory: RSS ${mib(rssAfterStart)} after start, ${mib(process.memoryUsage().rss)} after the bulk run`);

  await app.close();
  await deps.close();
  await fake.close();
}

await main();
