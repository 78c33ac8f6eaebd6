// The client-side limiter (src/aws/rate-limiter.ts): its arithmetic with an injected clock, and
// the whole app against a fake that throttles beyond AWS's documented rates, scaled up so the
// test stays short.
import t from 'tap';
import { createRateLimiter } from '../../src/aws/rate-limiter.js';
import { buildTestApp, routeIntegrationUrl } from '../support/build-test-app.js';
import { startFakeAws } from '../support/fake-aws/index.js';

/**
 * Whether `work` settles before a timer of 0 ms fires: granted from tokens at hand, not after a
 * wait. Wall-clock bounds would fail on a loaded machine; the order of timers does not.
 */
function withoutWaiting(work: Promise<unknown>): Promise<boolean> {
  return Promise.race([work.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 0))]);
}

t.test('the bucket lets a burst (less one token in reserve) through, then paces callers first come, first served', async (t) => {
  let now = 0;
  const limiter = createRateLimiter({ perSecond: 100, burst: 4 }, () => now);
  t.ok(await withoutWaiting(Promise.all([limiter.acquire(), limiter.acquire(), limiter.acquire()])), 'the burst does not wait');

  const order: number[] = [];
  const waits = [1, 2, 3].map((n) => limiter.acquire().then(() => order.push(n)));
  const waitStarted = performance.now();
  await Promise.all(waits);
  const waited = performance.now() - waitStarted;
  t.same(order, [1, 2, 3], 'waiting callers go in order');
  // Three tokens on credit at 100/s: the last one waits about 30 ms.
  t.ok(waited >= 25, `the fourth to sixth callers waited ${waited.toFixed(1)} ms for earned tokens`);

  now += 1000;
  t.ok(await withoutWaiting(Promise.all([limiter.acquire(), limiter.acquire(), limiter.acquire()])), 'after a quiet second the bucket is full again');
});

// Low enough that even a busy test machine sends faster than the fake allows.
const ROUTES = 8;
const RATE = { apiGatewayPerSecond: 30, apiGatewayBurst: 5, lambdaPerSecond: 30 };
// The fake's bucket has room for a few calls more than the limiter's: calls the limiter spaced out
// can reach the fake together when a busy machine delays their sockets (as the network does with
// AWS), and that jitter is not the limiter's doing.
const FAKE_RATE = { ...RATE, apiGatewayBurst: RATE.apiGatewayBurst + 5 };

/** One change per API: changes to one API wait for each other's lock, changes to different APIs do not. */
async function putConcurrently(env: Record<string, string>, rateLimit: typeof FAKE_RATE = FAKE_RATE) {
  const fake = await startFakeAws({ rateLimit });
  t.teardown(() => fake.close());
  const ctx = await buildTestApp(t, { fake, env });
  const apiIds = Array.from({ length: ROUTES }, (_, i) => fake.seedApi({ name: `api${i}` }));
  fake.resetCalls();
  const responses = await Promise.all(
    apiIds.map((apiId, i) =>
      ctx.app.inject({
        method: 'PUT',
        url: routeIntegrationUrl(apiId, 'send'),
        payload: { backend: { type: 'http', url: `https://backend.example.com/${i}`, method: 'POST' } },
      }),
    ),
  );
  const throttled = fake.calls.filter((call) => call.status === 429).length;
  const bound = apiIds.filter((apiId) => fake.api(apiId).route('send')?.target).length;
  return { responses, throttled, bound };
}

t.test('with the limiter at AWS\'s rate, concurrent changes all succeed against a throttling AWS', async (t) => {
  const { responses, throttled, bound } = await putConcurrently({
    GATEWIRE_APIGATEWAY_RATE: String(RATE.apiGatewayPerSecond),
    GATEWIRE_APIGATEWAY_BURST: String(RATE.apiGatewayBurst),
    GATEWIRE_LAMBDA_RATE: String(RATE.lambdaPerSecond),
    GATEWIRE_AWS_MAX_ATTEMPTS: '4',
  });
  t.same(
    responses.map((r) => r.statusCode),
    Array(ROUTES).fill(200),
    'no failure surfaced',
  );
  t.equal(bound, ROUTES, 'every route is bound');
  t.ok(throttled <= 3, `the fake throttled ${throttled} calls (the limiter keeps within the rate)`);
});

t.test('without the limiter and without retries, the same burst is throttled and answered 503 with Retry-After', async (t) => {
  // Gatewire's default budget (AWS's 10/s, burst 40) lets the burst through at once, against a fake
  // far stricter than that: even a machine so loaded that the changes take seconds sends faster
  // than 3 calls and 2 a second.
  const { responses, throttled } = await putConcurrently({ GATEWIRE_AWS_MAX_ATTEMPTS: '1' }, { ...FAKE_RATE, apiGatewayPerSecond: 2, apiGatewayBurst: 3 });
  t.ok(throttled > 0, `the fake throttled ${throttled} calls`);
  const refused = responses.filter((r) => r.statusCode === 503);
  t.ok(refused.length > 0, `${refused.length} changes failed on throttling`);
  for (const response of refused) {
    t.match(response.headers['retry-after'], /^\d+$/, 'with Retry-After');
    t.equal(response.json().aws.error, 'TooManyRequestsException');
  }
});
