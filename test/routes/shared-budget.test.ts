// One budget per account and region (issue 15): two Gatewire instances on one PostgreSQL database
// share the account's API Gateway rate, against a fake AWS that enforces that rate. Changes and
// reads run on both at once: no throttling reaches a caller, the calls of both together stay
// within the account's token bucket (measured on the fake's arrival times), and a change queued
// behind a crowd of reads waits for at most one burst of them.
import t from 'tap';
import { openAuditStore } from '../../src/dependencies.js';
import { buildTestApp, routeIntegrationUrl, type TestApp } from '../support/build-test-app.js';
import { startFakeAws, type FakeAws, type FakeCall } from '../support/fake-aws/index.js';
import { createTestSchema } from '../support/postgres.js';
import type { TestContext } from '../support/tap.js';

// The account's budget, scaled up from AWS's 10/s (burst 40) so the test stays short.
const RATE = 20;
const BURST = 10;
const HEARTBEAT_MS = 200;
// Calls the limiters spaced out may still reach the fake closer together than they were granted:
// timers and sockets, and above all a stall of this process (the suite runs four test files at a
// time on two cores), after which the fake reads together calls that were sent on time. Two
// calls of slack on the fake's arrival times; instances that did not share the budget would
// exceed it by a whole burst.
const JITTER_CALLS = 2;

async function twoInstances(t: TestContext, env: Record<string, string> = {}): Promise<{ fake: FakeAws; a: TestApp; b: TestApp }> {
  const fake = await startFakeAws({
    rateLimit: { apiGatewayPerSecond: RATE, apiGatewayBurst: BURST, lambdaPerSecond: RATE },
  });
  t.teardown(() => fake.close());
  const { url } = await createTestSchema(t, 'shared_budget');
  const instance = async () => {
    const audit = await openAuditStore({ auditUrl: url });
    return buildTestApp(t, {
      fake,
      audit,
      env: {
        GATEWIRE_APIGATEWAY_RATE: String(RATE),
        GATEWIRE_APIGATEWAY_BURST: String(BURST),
        GATEWIRE_LAMBDA_RATE: String(RATE),
        GATEWIRE_BUDGET_HEARTBEAT_MS: String(HEARTBEAT_MS),
        // The SDK may retry a throttled call; the test counts what the fake throttled anyway.
        GATEWIRE_AWS_MAX_ATTEMPTS: '4',
        ...env,
      },
    });
  };
  const a = await instance();
  const b = await instance();
  // The first instance learns of the second at its next heartbeat.
  await new Promise((resolve) => setTimeout(resolve, HEARTBEAT_MS * 2));
  // Open each instance's connections to AWS first: a call that waits for a new connection reaches
  // the fake after calls granted later, and a cold pool at the start bunches a whole burst that
  // way (with 4 test files at a time, up to 12 calls in one stretch). The test is about the
  // budget; connection set-up jitter is what the limiters' reserve token is for in production.
  await Promise.all(
    [a, b].flatMap((ctx) => Array.from({ length: 8 }, (_, i) => ctx.app.inject({ method: 'GET', url: `/v1/apis/warmup${i}abc/routes` }))),
  );
  // Both buckets, Gatewire's and the fake's, full again.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  return { fake, a, b };
}

/**
 * The most calls that exceed the account's bucket in any stretch of time: for every i < j, calls
 * i..j may number at most BURST + RATE × (t_j − t_i). 0 when the calls conform.
 */
function excessOverBucket(calls: readonly FakeCall[]): number {
  const times = calls.map((call) => call.receivedAt).sort((x, y) => x - y);
  let worst = 0;
  for (let i = 0; i < times.length; i++) {
    for (let j = i; j < times.length; j++) {
      const allowed = BURST + (RATE * (times[j]! - times[i]!)) / 1000;
      worst = Math.max(worst, j - i + 1 - allowed);
    }
  }
  return worst;
}

const apiGatewayCalls = (fake: FakeAws) => fake.calls.filter((call) => call.service === 'apigatewayv2');

t.test('two instances on one database run changes and reads within the account budget, with no throttling surfaced', async (t) => {
  // Reads may wait long behind the changes here: no read is refused, every one reaches AWS.
  const { fake, a, b } = await twoInstances(t, { GATEWIRE_READ_WAIT_MS: '20000' });
  const changeApis = Array.from({ length: 4 }, (_, i) => fake.seedApi({ name: `changes-${i}` }));
  const readApis = Array.from({ length: 8 }, (_, i) => fake.seedApi({ name: `reads-${i}` }));
  fake.resetCalls();
  const started = performance.now();
  const changes = changeApis.map(async (apiId, i) => {
    const app = i % 2 === 0 ? a.app : b.app;
    const statuses: number[] = [];
    for (const routeKey of ['one', 'two']) {
      const response = await app.inject({ method: 'PUT', url: routeIntegrationUrl(apiId, routeKey), payload: { backend: { type: 'mock' } } });
      statuses.push(response.statusCode);
    }
    return statuses;
  });
  const reads = readApis.flatMap((apiId, i) => {
    const app = i % 2 === 0 ? a.app : b.app;
    return [`/v1/apis/${apiId}/routes`, `/v1/apis/${apiId}/drift`].map((url) => app.inject({ method: 'GET', url }).then((response) => response.statusCode));
  });
  const changeStatuses = (await Promise.all(changes)).flat();
  const readStatuses = await Promise.all(reads);
  const elapsed = performance.now() - started;

  t.same(new Set(changeStatuses), new Set([200]), 'every change applied');
  t.same(new Set(readStatuses), new Set([200]), 'every read answered');
  const calls = apiGatewayCalls(fake);
  const throttled = calls.filter((call) => call.status === 429).length;
  // The SDK would retry a throttled call (4 attempts), so none would surface; the limiters should
  // not need that.
  t.ok(throttled <= JITTER_CALLS, `AWS throttled ${throttled} calls`);
  const excess = excessOverBucket(calls);
  t.ok(excess <= JITTER_CALLS, `the calls of both instances stay within ${RATE}/s with a burst of ${BURST} (worst excess ${excess.toFixed(2)} calls)`);
  const span = (calls.at(-1)!.receivedAt - calls[0]!.receivedAt) / 1000;
  // The whole run as one window of the check above, as a figure: the rate beyond the burst.
  const sustained = (calls.length - BURST) / span;
  t.comment(
    `two instances: ${calls.length} API Gateway calls over ${span.toFixed(2)} s (run ${(elapsed / 1000).toFixed(2)} s): ${sustained.toFixed(1)}/s beyond the burst, budget ${RATE}/s; worst excess ${excess.toFixed(2)} calls`,
  );
});

t.test('a change on an instance busy with reads waits behind at most one burst of them', async (t) => {
  // Reads may queue long here: this test is about their order, not their bound.
  const { fake, a } = await twoInstances(t, { GATEWIRE_READ_WAIT_MS: '20000' });
  const changeApi = fake.seedApi({ name: 'change' });
  const readApis = Array.from({ length: 30 }, (_, i) => fake.seedApi({ name: `reads-${i}` }));
  fake.resetCalls();
  const reads = Promise.all(readApis.map((apiId) => a.app.inject({ method: 'GET', url: `/v1/apis/${apiId}/routes` })));
  // The reads have taken this instance's burst and the rest queue.
  await new Promise((resolve) => setTimeout(resolve, 100));
  const changeStarted = performance.now();
  const change = await a.app.inject({ method: 'PUT', url: routeIntegrationUrl(changeApi, 'send'), payload: { backend: { type: 'mock' } } });
  const changeTook = performance.now() - changeStarted;
  t.equal(change.statusCode, 200, change.body.slice(0, 200));
  const readAnswers = await Promise.all([reads]).then(([answers]) => answers);
  t.same(new Set(readAnswers.map((answer) => answer.statusCode)), new Set([200]), 'every read answered');

  const calls = apiGatewayCalls(fake);
  const firstChangeCall = calls.findIndex((call) => call.path.includes(changeApi));
  // From the moment the change ran, under its lock, to its first call reaching AWS: the time it
  // spent taking the lock is the database's (slow on a loaded machine), not the budget's.
  const record = (await a.app.inject({ method: 'GET', url: `/v1/audit/${change.json().auditId}` })).json();
  const changeRan = Date.parse(record.occurredAt) - performance.timeOrigin;
  const readsBefore = calls.slice(0, firstChangeCall).filter((call) => call.receivedAt >= changeRan).length;
  // One instance's burst is BURST / 2 less the reserved token; besides it, reads released just
  // before the change ran were on their way, and a token may be earned meanwhile.
  t.ok(readsBefore <= BURST / 2 + 2, `${readsBefore} read calls reached AWS between the change's start and its first call`);
  const readsAfterChange = calls.slice(firstChangeCall).filter((call) => readApis.some((apiId) => call.path.includes(apiId))).length;
  t.ok(readsAfterChange >= 10, `${readsAfterChange} queued reads went after the change's calls`);
  t.comment(`the change took ${changeTook.toFixed(0)} ms with 30 reads queued before it`);
});

t.test('a read that would wait past the bound gets 503 with Retry-After and makes no AWS call', async (t) => {
  // No read cache: each GET /v1/apis below is one GetApis call of its own, or none when refused.
  const { fake, a } = await twoInstances(t, { GATEWIRE_READ_WAIT_MS: '300', GATEWIRE_READ_CACHE_MS: '0' });
  const changeApis = Array.from({ length: 6 }, (_, i) => fake.seedApi({ name: `change-${i}` }));
  fake.resetCalls();
  // Six changes of several calls each at this instance's 10/s: seconds of calls queued.
  const changes = Promise.all(
    changeApis.map((apiId) => a.app.inject({ method: 'PUT', url: routeIntegrationUrl(apiId, 'send'), payload: { backend: { type: 'mock' } } })),
  );
  // Until their calls queue: the burst has gone to AWS, and the changes' other calls wait. A fixed
  // sleep was too short on a loaded machine, and even the burst gone does not tell how many wait
  // (the changes start as the database lets them): a read is tried until one would wait too long.
  const deadline = Date.now() + 10_000;
  while (fake.calls.length < BURST / 2 - 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  let answered = 0;
  let read = await a.app.inject({ method: 'GET', url: '/v1/apis' });
  while (read.statusCode === 200 && answered < 8) {
    answered += 1;
    read = await a.app.inject({ method: 'GET', url: '/v1/apis' });
  }
  t.equal(read.statusCode, 503, `refused after ${answered} answered: ${read.body.slice(0, 300)}`);
  t.match(read.headers['content-type'], /^application\/problem\+json/);
  t.ok(Number(read.headers['retry-after']) >= 1, `Retry-After: ${read.headers['retry-after']}`);
  t.match(read.json(), { type: 'https://gatewire.dev/problems/budget-busy', status: 503, detail: /would wait/ });
  t.same(
    (await changes).map((response) => response.statusCode),
    Array(6).fill(200),
    'the changes went on',
  );
  t.equal(fake.calls.filter((call) => call.operation === 'GetApis').length, answered, 'the refused read made no AWS call (one GetApis per read answered)');
});
