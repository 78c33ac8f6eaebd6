// Budgets per account and region, shared by the instances (issue 19, with issue 15's budget): two
// Gatewire instances on one PostgreSQL database, against a fake AWS that enforces the same rate in
// every account and region. Reads in three targets at once (two accounts; one account in two
// regions) each keep within their own account-and-region bucket, and together go far beyond what
// one bucket allows: no target's calls slow another's. Two instances reading in one target stay
// within that target's one bucket: they share it. The assertions count calls against token
// buckets on the fake's arrival times, not wall times, so a loaded machine only makes them slower.
import t from 'tap';
import { openAuditStore } from '../../src/dependencies.js';
import { buildTestApp, type TestApp } from '../support/build-test-app.js';
import { startFakeAws, type FakeAws, type FakeCall } from '../support/fake-aws/index.js';
import { createTestSchema } from '../support/postgres.js';
import type { TestContext } from '../support/tap.js';

// Each account and region's budget, scaled up from AWS's 10/s (burst 40) so the test stays short.
const RATE = 10;
const BURST = 6;
const HEARTBEAT_MS = 200;
// Calls the limiters spaced out may still reach the fake closer together than they were granted:
// timers and sockets, and above all a stall of this process (the suite runs four test files at a
// time on two cores), after which the fake reads together calls that were sent on time. Two
// calls of slack on the fake's arrival times; instances that did not share the budget would
// exceed it by a whole burst.
const JITTER_CALLS = 2;
/** Distinct APIs read per instance and target (distinct: identical reads would be coalesced). */
const READS = 6;

const B = '210987654321';
const TARGETS = [
  { name: 'prod-b', accountId: B, region: 'eu-west-1', roleArn: `arn:aws:iam::${B}:role/gatewire-target` },
  // The default account in another region: the same account, another budget.
  { name: 'a-west', accountId: '123456789012', region: 'us-west-2', roleArn: 'arn:aws:iam::123456789012:role/gatewire-target' },
];
type Place = { target: string; accountId: string; region: string };

async function twoInstances(t: TestContext): Promise<{ fake: FakeAws; instances: TestApp[]; places: Place[] }> {
  const fake = await startFakeAws({ rateLimit: { apiGatewayPerSecond: RATE, apiGatewayBurst: BURST, lambdaPerSecond: RATE } });
  t.teardown(() => fake.close());
  const { url } = await createTestSchema(t, 'targets_budget');
  const places: Place[] = [
    { target: 'default', accountId: fake.accountId, region: fake.region },
    ...TARGETS.map((target) => ({ target: target.name, accountId: target.accountId, region: target.region })),
  ];
  const instance = async () =>
    buildTestApp(t, {
      fake,
      audit: await openAuditStore({ auditUrl: url }),
      env: {
        GATEWIRE_TARGETS: JSON.stringify(TARGETS),
        GATEWIRE_APIGATEWAY_RATE: String(RATE),
        GATEWIRE_APIGATEWAY_BURST: String(BURST),
        GATEWIRE_LAMBDA_RATE: String(RATE),
        GATEWIRE_BUDGET_HEARTBEAT_MS: String(HEARTBEAT_MS),
        GATEWIRE_READ_WAIT_MS: '30000',
        // The SDK may retry a throttled call; the test counts what the fake throttled anyway.
        GATEWIRE_AWS_MAX_ATTEMPTS: '4',
      },
    });
  const instances = [await instance(), await instance()];
  // Each target's budget (and its membership) starts on the first request naming the target, and
  // each instance's connections to the fake open then too: do both before measuring.
  await Promise.all(
    instances.flatMap((ctx) =>
      places.flatMap((place) =>
        Array.from({ length: 3 }, (_, i) => ctx.app.inject({ method: 'GET', url: `/v1/targets/${place.target}/apis/warmup${i}abc/routes` })),
      ),
    ),
  );
  // Every instance has seen the other in every budget, and every bucket is full again.
  await new Promise((resolve) => setTimeout(resolve, Math.max(HEARTBEAT_MS * 3, (BURST / RATE) * 1000) + 500));
  return { fake, instances, places };
}

/** The most calls beyond one bucket of RATE/s and BURST in any stretch of time; 0 when they conform. */
function excessOverBucket(calls: readonly FakeCall[]): number {
  const times = calls.map((call) => call.receivedAt).sort((x, y) => x - y);
  let worst = 0;
  for (let i = 0; i < times.length; i++) {
    for (let j = i; j < times.length; j++) {
      worst = Math.max(worst, j - i + 1 - (BURST + (RATE * (times[j]! - times[i]!)) / 1000));
    }
  }
  return worst;
}

const callsIn = (fake: FakeAws, place: Place) =>
  fake.calls.filter((call) => call.service === 'apigatewayv2' && call.accountId === place.accountId && call.region === place.region);

/** Every instance reads `READS` APIs of its own in each place, all at once; every read must answer 200. */
async function readEverywhere(t: TestContext, fake: FakeAws, instances: TestApp[], places: Place[]): Promise<void> {
  const apis = places.map((place) =>
    instances.map((_, n) => Array.from({ length: READS }, (_, i) => fake.in(place).seedApi({ name: `${place.target}-${n}-${i}` }))),
  );
  fake.resetCalls();
  const statuses = await Promise.all(
    places.flatMap((place, p) =>
      instances.flatMap((ctx, n) =>
        apis[p]![n]!.map(async (apiId) => (await ctx.app.inject({ method: 'GET', url: `/v1/targets/${place.target}/apis/${apiId}/routes` })).statusCode),
      ),
    ),
  );
  t.same(new Set(statuses), new Set([200]), 'every read answered');
}

t.test('each account and region has its own budget: reads in three targets at once do not slow each other', async (t) => {
  const { fake, instances, places } = await twoInstances(t);
  await readEverywhere(t, fake, instances, places);
  for (const place of places) {
    const calls = callsIn(fake, place);
    t.ok(calls.length >= READS * instances.length, `${place.target}: ${calls.length} calls`);
    const throttled = calls.filter((call) => call.status === 429).length;
    t.ok(throttled <= JITTER_CALLS, `${place.target}: AWS throttled ${throttled} calls`);
    const excess = excessOverBucket(calls);
    t.ok(excess <= JITTER_CALLS, `${place.target}: both instances together stay within its bucket (worst excess ${excess.toFixed(2)} calls)`);
  }
  // Had the three shared one budget, all their calls together would fit one bucket. Each has its
  // own: together they go at about three buckets' pace, some READS calls beyond one bucket's at
  // the least (about 2 × READS × 2 instances on an idle machine; a loaded one only spreads them).
  const all = places.flatMap((place) => callsIn(fake, place));
  const together = excessOverBucket(all);
  t.ok(together >= READS, `three targets' calls together exceed one bucket by ${together.toFixed(1)} calls`);
  // The same account in two regions: two budgets too.
  const oneAccount = [...callsIn(fake, places[0]!), ...callsIn(fake, places[2]!)];
  const regions = excessOverBucket(oneAccount);
  t.ok(regions >= READS / 2, `one account's calls in two regions exceed one bucket by ${regions.toFixed(1)} calls`);
  const span = (Math.max(...all.map((call) => call.receivedAt)) - Math.min(...all.map((call) => call.receivedAt))) / 1000;
  t.comment(`${all.length} API Gateway calls in three targets over ${span.toFixed(2)} s: ${(all.length / span).toFixed(1)}/s, each target's budget ${RATE}/s`);
});

t.test('two instances on one target share its budget', async (t) => {
  const { fake, instances, places } = await twoInstances(t);
  const prodB = places.find((place) => place.target === 'prod-b')!;
  await readEverywhere(t, fake, instances, [prodB]);
  const calls = callsIn(fake, prodB);
  t.ok(calls.length >= READS * instances.length, `${calls.length} calls`);
  const throttled = calls.filter((call) => call.status === 429).length;
  t.ok(throttled <= JITTER_CALLS, `AWS throttled ${throttled} calls`);
  // Each instance alone may go at its share; had each taken the whole budget, the two together
  // would exceed the bucket by about a burst and twice the reads' span at RATE.
  const excess = excessOverBucket(calls);
  t.ok(excess <= JITTER_CALLS, `both instances' calls together stay within prod-b's bucket (worst excess ${excess.toFixed(2)} calls)`);
  const span = (calls.at(-1)!.receivedAt - calls[0]!.receivedAt) / 1000;
  t.comment(`${calls.length} calls of two instances in prod-b over ${span.toFixed(2)} s: ${((calls.length - BURST) / span).toFixed(1)}/s beyond the burst, budget ${RATE}/s`);
});
