// Change locks keyed by target (issue 19): API ids are unique within a region only, so the same id
// in two targets is two APIs whose changes must not wait for each other, while two changes to one
// API of one target still run one after the other. The default target keeps the bare API id as its
// key, so locks taken by a Gatewire from before targets are the same locks.
import t from 'tap';
import { createInProcessLock } from '../../src/audit/locks.js';
import { createMemoryAuditStore } from '../../src/audit/memory-store.js';
import { targetKeyedLock, targetLockKey } from '../../src/services/target-lock.js';
import type { ApiLock } from '../../src/services/ports.js';
import { buildTestApp, routeIntegrationUrl, type TestApp } from '../support/build-test-app.js';
import type { FakeCall } from '../support/fake-aws/index.js';
import type { TestContext } from '../support/tap.js';

const B = '210987654321';
const TARGETS = [
  { name: 'prod-b', accountId: B, region: 'eu-west-1', roleArn: `arn:aws:iam::${B}:role/gatewire-target` },
  { name: 'a-west', accountId: '123456789012', region: 'us-west-2', roleArn: 'arn:aws:iam::123456789012:role/gatewire-target' },
];
const MOCK = { backend: { type: 'mock' }, returnResponse: true };
/** How long the fake holds each CreateRoute: a change holds its lock at least this long. */
const HOLD_MS = 1_500;

/** A test app whose change lock records the keys it is asked for; each target has an API with the default API's id. */
async function setUp(t: TestContext): Promise<TestApp & { keys: string[] }> {
  const keys: string[] = [];
  const inner = createInProcessLock();
  const lock: ApiLock = { withLock: (key, work) => (keys.push(key), inner.withLock(key, work)) };
  const built = await buildTestApp(t, { env: { GATEWIRE_TARGETS: JSON.stringify(TARGETS) }, audit: { store: createMemoryAuditStore(), lock } });
  built.fake.in({ accountId: B, region: 'eu-west-1' }).seedApi({ name: 'b-chat', apiId: built.apiId });
  built.fake.in({ region: 'us-west-2' }).seedApi({ name: 'west-chat', apiId: built.apiId });
  return { ...built, keys };
}

const put = (target: string, apiId: string, routeKey: string) => ({
  method: 'PUT' as const,
  url: `/v1/targets/${target}${routeIntegrationUrl(apiId, routeKey).slice(3)}`,
  payload: MOCK,
});

/** From the first write's arrival to the last write's answer, of the writes that landed in one place. */
function writeSpan(calls: FakeCall[], where: { accountId: string; region: string }): { from: number; to: number } {
  const writes = calls.filter((call) => call.method !== 'GET' && call.service !== 'sts' && call.accountId === where.accountId && call.region === where.region);
  if (writes.length === 0) throw new Error(`no writes in ${where.accountId}/${where.region}`);
  return { from: Math.min(...writes.map((call) => call.receivedAt)), to: Math.max(...writes.map((call) => call.answeredAt ?? Infinity)) };
}

t.test('lock keys: the default target keeps the bare API id; another target prefixes its name', async (t) => {
  t.equal(targetLockKey(undefined, 'abc123defg'), 'abc123defg');
  t.equal(targetLockKey('default', 'abc123defg'), 'abc123defg', 'locks taken before targets are the same locks');
  t.equal(targetLockKey('prod-b', 'abc123defg'), 'prod-b/abc123defg');
  const inner = createInProcessLock();
  t.equal(targetKeyedLock(inner, 'default'), inner, 'the default target uses the shared lock as it is');
});

t.test('the same API id in three targets: concurrent changes do not wait for each other', async (t) => {
  const { app, fake, apiId, keys } = await setUp(t);
  fake.inject({ operation: 'CreateRoute', fault: 'latency', latencyMs: HOLD_MS });
  fake.resetCalls();
  const responses = await Promise.all([
    app.inject(put('default', apiId, 'home')),
    app.inject(put('prod-b', apiId, 'inb')),
    app.inject(put('a-west', apiId, 'inwest')),
  ]);
  for (const response of responses) t.equal(response.statusCode, 200, response.body.slice(0, 300));
  t.same([...new Set(keys)].sort(), [apiId, `a-west/${apiId}`, `prod-b/${apiId}`].sort(), 'one lock per target');
  const spans = [
    writeSpan(fake.calls, { accountId: fake.accountId, region: fake.region }),
    writeSpan(fake.calls, { accountId: B, region: 'eu-west-1' }),
    writeSpan(fake.calls, { accountId: fake.accountId, region: 'us-west-2' }),
  ];
  // Had they shared one lock, each change's writes would start only after the one before ended.
  const lastStart = Math.max(...spans.map((span) => span.from));
  const firstEnd = Math.min(...spans.map((span) => span.to));
  t.ok(lastStart < firstEnd, `all three changes wrote at once (last start ${Math.round(lastStart)} < first end ${Math.round(firstEnd)})`);
});

t.test('two changes to one API of one target still run one after the other', async (t) => {
  const { app, fake, apiId, keys } = await setUp(t);
  fake.inject({ operation: 'CreateRoute', fault: 'latency', latencyMs: HOLD_MS });
  fake.resetCalls();
  const responses = await Promise.all([app.inject(put('prod-b', apiId, 'first')), app.inject(put('prod-b', apiId, 'second'))]);
  for (const response of responses) t.equal(response.statusCode, 200, response.body.slice(0, 300));
  t.same([...new Set(keys)], [`prod-b/${apiId}`]);
  const creates = fake.calls
    .filter((call) => call.operation === 'CreateRoute')
    .sort((a, b) => a.receivedAt - b.receivedAt);
  t.equal(creates.length, 2);
  t.ok(creates[1]!.receivedAt >= creates[0]!.answeredAt!, 'the second CreateRoute arrived only once the first was answered');
  const routes = fake.in({ accountId: B, region: 'eu-west-1' }).api(apiId).routes.map((route) => route.routeKey).sort();
  t.same(routes, ['first', 'second']);
  t.same(fake.api(apiId).routes, [], 'the default API with the same id is untouched');
});
