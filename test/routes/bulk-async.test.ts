// A 300-route bulk apply at AWS's documented rates (issue 14): it runs about a minute, past the
// wait bound. Over a real socket: 202 within the bound, polling shows progress rising, the final
// answer is the synchronous body (every route created, bound as the fake says), and the client
// never sees a socket error. The fake throttles beyond AWS's rates; Gatewire paces itself to them.
import t from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildTestApp, TEST_API_KEY } from '../support/build-test-app.js';
import { startFakeAws } from '../support/fake-aws/index.js';

const ROUTES = 300;
const WAIT_MS = 5_000;

t.test('300 routes at AWS’s rates: 202 within the bound, progress, then the synchronous body', async (t) => {
  const fake = await startFakeAws({ rateLimit: { apiGatewayPerSecond: 10, apiGatewayBurst: 40, lambdaPerSecond: 15 } });
  t.teardown(() => fake.close());
  const ctx = await buildTestApp(t, {
    fake,
    env: {
      // Gatewire's own pacing at AWS's documented rates (the test default turns it off).
      GATEWIRE_APIGATEWAY_RATE: '10',
      GATEWIRE_APIGATEWAY_BURST: '40',
      GATEWIRE_AWS_MAX_ATTEMPTS: '4',
      GATEWIRE_WAIT_MS: String(WAIT_MS),
    },
  });
  const address = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  const routes = Object.fromEntries(Array.from({ length: ROUTES }, (_, i) => [`route${i}`, { backend: { type: 'mock' } }]));

  const started = Date.now();
  const response = await fetch(`${address}/v1/apis/${ctx.apiId}/routes`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', 'x-api-key': TEST_API_KEY },
    body: JSON.stringify({ routes }),
  });
  t.equal(response.status, 202);
  t.ok(Date.now() - started < WAIT_MS + 2_000, `answered within the wait bound (${Date.now() - started} ms)`);
  const location = response.headers.get('location')!;
  t.match(Number(response.headers.get('retry-after')), Number, 'Retry-After');

  const progress: number[] = [];
  let change: { status: string; progress: { stepsDone: number; stepsTotal: number; routes: Record<string, string> }; result?: { status: number; body: { outcome: string; routes: Record<string, { outcome: string; integrationId: string }> } } };
  for (;;) {
    const polled = await fetch(`${address}${location}`, { headers: { 'x-api-key': TEST_API_KEY } });
    t.equal(polled.status, 200, 'every poll answers');
    change = (await polled.json()) as typeof change;
    progress.push(change.progress.stepsDone);
    if (change.status !== 'pending') break;
    await sleep(2_000);
  }
  t.equal(change.status, 'succeeded');
  t.equal(change.progress.stepsTotal, ROUTES * 2);
  t.ok(progress.length >= 5, `polled while it ran (${progress.length} times)`);
  t.ok(progress.every((done, i) => i === 0 || done >= progress[i - 1]!), `progress only rises: ${progress.join(', ')}`);
  t.ok(new Set(progress).size >= 4, 'and it does rise');
  t.ok(Object.values(change.progress.routes).every((outcome) => outcome === 'created'));

  const body = change.result!.body;
  t.equal(change.result!.status, 200);
  t.equal(body.outcome, 'applied');
  const view = fake.api(ctx.apiId);
  t.equal(view.routes.length, ROUTES);
  t.equal(view.integrations.length, ROUTES);
  t.same(
    Object.entries(body.routes).map(([routeKey, route]) => [routeKey, route.outcome, `integrations/${route.integrationId}`]),
    Object.keys(routes).map((routeKey) => [routeKey, 'created', view.route(routeKey)?.target]),
    'each route as the synchronous answer gives it: created, bound to its own integration',
  );
  const throttled = fake.calls.filter((call) => call.status === 429).length;
  t.comment(`${ROUTES} routes in ${((Date.now() - started) / 1000).toFixed(1)} s; ${throttled} calls throttled by the fake`);
});
