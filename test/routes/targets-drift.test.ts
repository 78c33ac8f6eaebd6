// The fleet drift summary (issue 19, GET /v1/drift): per target and per API, counts of drifted
// items, changes left of unknown outcome and invoke permissions kept for a stage; an unreachable
// target or an unreadable API is named with why, and the rest is summarised all the same.
import { CreateDeploymentCommand, CreateStageCommand, DeleteRouteCommand } from '@aws-sdk/client-apigatewayv2';
import t from 'tap';
import { hashApiKey } from '../../src/auth/credentials.js';
import { buildTestApp, routeIntegrationUrl, TEST_API_KEY, TEST_API_KEY_NAME, type TestApp } from '../support/build-test-app.js';
import { startFakeAws } from '../support/fake-aws/index.js';
import { apiGatewayClientFor } from '../support/fake-aws/sdk-clients.js';
import { assertProblem } from '../support/problems.js';
import type { TestContext } from '../support/tap.js';

const B = '210987654321';
const ROLE_B = `arn:aws:iam::${B}:role/gatewire-target`;
const ROLE_A_WEST = 'arn:aws:iam::123456789012:role/gatewire-target';
const TARGETS = [
  { name: 'prod-b', accountId: B, region: 'eu-west-1', roleArn: ROLE_B },
  { name: 'a-west', accountId: '123456789012', region: 'us-west-2', roleArn: ROLE_A_WEST },
];
const READ_KEY = 'gw_test-reader-key-0123456789abcdefghijklmnopqrstuvwxyz';
const KEYS = JSON.stringify([
  { name: TEST_API_KEY_NAME, sha256: hashApiKey(TEST_API_KEY), scopes: ['admin'] },
  { name: 'reader', sha256: hashApiKey(READ_KEY), scopes: ['read'] },
]);
const INTERVAL_MS = 20;
const MOCK = { backend: { type: 'mock' } };
const lambda = (fn: string) => ({ backend: { type: 'lambda', function: fn } });

async function setUp(t: TestContext, env: Record<string, string> = {}): Promise<TestApp> {
  const fake = await startFakeAws({ deploymentIntervalMs: INTERVAL_MS });
  t.teardown(() => fake.close());
  return buildTestApp(t, {
    fake,
    env: { GATEWIRE_TARGETS: JSON.stringify(TARGETS), GATEWIRE_API_KEYS: KEYS, GATEWIRE_DEPLOYMENT_INTERVAL_MS: String(INTERVAL_MS), ...env },
  });
}

async function put(t: TestContext, ctx: TestApp, url: string, body: object): Promise<void> {
  const response = await ctx.app.inject({ method: 'PUT', url, payload: body });
  t.equal(response.statusCode, 200, `${url}: ${response.body.slice(0, 300)}`);
}

async function summary(ctx: TestApp, query = '', headers: Record<string, string> = {}) {
  return ctx.app.inject({ method: 'GET', url: `/v1/drift${query}`, headers });
}

t.test('per target and per API: drifted, interrupted and kept-for-stage counts; an unreachable target is named', async (t) => {
  const ctx = await setUp(t);
  const { fake, apiId, app } = ctx;
  const client = apiGatewayClientFor(fake);
  t.teardown(() => client.destroy());

  // default: `chat` moved from fn-a to fn-b while stage prod still runs fn-a (a statement kept for
  // it), and `leave` deleted behind Gatewire's back (drift).
  fake.seedFunction({ name: 'fn-a' });
  fake.seedFunction({ name: 'fn-b' });
  await client.send(new CreateStageCommand({ ApiId: apiId, StageName: 'prod' }));
  await put(t, ctx, routeIntegrationUrl(apiId, 'chat'), lambda('fn-a'));
  await put(t, ctx, routeIntegrationUrl(apiId, 'leave'), MOCK);
  await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS + 5));
  await client.send(new CreateDeploymentCommand({ ApiId: apiId, StageName: 'prod' }));
  await put(t, ctx, routeIntegrationUrl(apiId, 'chat'), lambda('fn-b'));
  await client.send(new DeleteRouteCommand({ ApiId: apiId, RouteId: fake.api(apiId).route('leave')!.routeId }));

  // prod-b: one clean API, and one with a change left interrupted. Its id is the default API's:
  // the default API's records must not count there, nor its records here.
  const bScope = fake.in({ accountId: B, region: 'eu-west-1' });
  const bClean = bScope.seedApi({ name: 'b-clean' });
  const bSame = bScope.seedApi({ name: 'b-same-id', apiId });
  await put(t, ctx, `/v1/targets/prod-b${routeIntegrationUrl(bClean, 'send').slice(3)}`, MOCK);
  await ctx.auditStore.appendPending({
    id: '01ZZZZZZZZZZZZZZZZZZZZZZZZ',
    occurredAt: new Date(Date.now() - 20 * 60_000).toISOString(),
    actor: { id: 'ci', kind: 'api-key' },
    requestId: 'req-interrupted',
    action: 'route-integration.put',
    apiId: bSame,
    routeKey: 'elsewhere',
    target: 'prod-b',
    request: {},
    plan: [],
    before: null,
  });
  await ctx.auditStore.finalize('01ZZZZZZZZZZZZZZZZZZZZZZZZ', { status: 'interrupted', after: null, awsCalls: [], durationMs: 1 });

  // a-west: its role is refused.
  fake.blockRole(ROLE_A_WEST);
  fake.resetCalls();

  const response = await summary(ctx, '', { 'x-api-key': READ_KEY });
  t.equal(response.statusCode, 200, response.body.slice(0, 500));
  const body = response.json();
  t.same(
    body.items.map((item: { target: string }) => item.target),
    ['default', 'prod-b', 'a-west'],
    'every target, in the order of GET /v1/targets',
  );
  const [home, prodB, west] = body.items;
  t.match(home, { target: 'default', region: fake.region, reachable: true });
  t.same(home.apis, [
    { apiId, name: 'chat', clean: false, drifted: 1, interrupted: 0, keptForStage: 1, missingPermissions: 0, stalePermissions: 0, pending: 0 },
  ]);
  t.match(prodB, { target: 'prod-b', accountId: B, region: 'eu-west-1', reachable: true });
  t.same(
    [...prodB.apis].sort((x: { name: string }, y: { name: string }) => x.name.localeCompare(y.name)),
    [
      { apiId: bClean, name: 'b-clean', clean: true, drifted: 0, interrupted: 0, keptForStage: 0, missingPermissions: 0, stalePermissions: 0, pending: 0 },
      { apiId: bSame, name: 'b-same-id', clean: false, drifted: 0, interrupted: 1, keptForStage: 0, missingPermissions: 0, stalePermissions: 0, pending: 0 },
    ],
    "prod-b's interrupted change counts in prod-b only; the default API's drift does not count there",
  );
  t.match(west, { target: 'a-west', region: 'us-west-2', reachable: false, apis: [], problem: /Target "a-west" .* is unreachable: Gatewire could not assume its role \(AccessDenied\)/ });
  t.notMatch(west.problem, /arn:aws:iam/, 'no role ARN in what callers see');
  t.same(fake.writes(), [], 'a summary writes nothing');
  t.notOk(fake.calls.some((call) => call.region === 'us-west-2'), 'no call in the unreachable target');

  const one = await summary(ctx, '?target=prod-b');
  t.equal(one.statusCode, 200);
  t.same(one.json().items.map((item: { target: string }) => item.target), ['prod-b'], '?target= summarises one target');
});

t.test('an API whose drift cannot be read carries a problem; the others are counted', async (t) => {
  const ctx = await setUp(t);
  const bScope = ctx.fake.in({ accountId: B, region: 'eu-west-1' });
  bScope.seedApi({ name: 'one' });
  bScope.seedApi({ name: 'two' });
  await summary(ctx, '?target=prod-b'); // assumes the role first
  ctx.fake.inject({ operation: 'GetRoutes', fault: 'server-error', nth: 1 });
  const response = await summary(ctx, '?target=prod-b');
  t.equal(response.statusCode, 200, response.body.slice(0, 500));
  const [prodB] = response.json().items;
  t.equal(prodB.reachable, true);
  const failed = prodB.apis.filter((api: { problem?: string }) => api.problem !== undefined);
  const counted = prodB.apis.filter((api: { problem?: string }) => api.problem === undefined);
  t.equal(failed.length, 1, 'one API failed');
  t.notOk('drifted' in failed[0], 'no counts for it');
  t.match(counted, [{ clean: true, drifted: 0 }], 'the other is counted');
});

t.test('a target whose APIs cannot be listed is unreachable in the summary, not a failed answer', async (t) => {
  const ctx = await setUp(t);
  ctx.fake.inject({ operation: 'GetApis', fault: 'server-error' });
  const response = await summary(ctx);
  t.equal(response.statusCode, 200, response.body.slice(0, 500));
  for (const item of response.json().items) t.match(item, { reachable: false, apis: [], problem: /./ }, item.target);
});

t.test('auth and names: an unknown key may not read it; an unknown target is a 404 with no AWS call', async (t) => {
  const ctx = await setUp(t);
  assertProblem(t, await summary(ctx, '', { 'x-api-key': 'gw_nobody-0123456789abcdefghijklmnopqrstuvwxyz0123' }), 401);
  ctx.fake.resetCalls();
  const unknown = assertProblem(t, await summary(ctx, '?target=nowhere'), 404);
  t.match(unknown.detail, /No target is named "nowhere"/);
  t.same(ctx.fake.calls, [], 'no AWS call, STS included');
});

t.test("the summary's AWS calls are reads: a change on the same account goes before those still queued", async (t) => {
  const RATE = 10;
  const BURST = 4;
  const fake = await startFakeAws({ rateLimit: { apiGatewayPerSecond: RATE, apiGatewayBurst: BURST, lambdaPerSecond: RATE } });
  t.teardown(() => fake.close());
  const ctx = await buildTestApp(t, {
    fake,
    env: {
      GATEWIRE_TARGETS: JSON.stringify(TARGETS.slice(0, 1)),
      GATEWIRE_APIGATEWAY_RATE: String(RATE),
      GATEWIRE_APIGATEWAY_BURST: String(BURST),
      GATEWIRE_LAMBDA_RATE: String(RATE),
      GATEWIRE_READ_WAIT_MS: '30000',
      GATEWIRE_AWS_MAX_ATTEMPTS: '4',
    },
  });
  for (let i = 0; i < 8; i++) fake.seedApi({ name: `read-${i}` });
  const changeApi = fake.seedApi({ name: 'change' });
  // The target's role assumed and the bucket full again before measuring.
  await ctx.app.inject({ method: 'GET', url: '/v1/targets/prod-b/apis' });
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  fake.resetCalls();
  const reading = summary(ctx, '?target=default');
  // The summary has taken the burst and its other reads queue.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const changeStarted = performance.now();
  const change = await ctx.app.inject({ method: 'PUT', url: routeIntegrationUrl(changeApi, 'send'), payload: MOCK });
  t.equal(change.statusCode, 200, change.body.slice(0, 300));
  const read = await reading;
  t.equal(read.statusCode, 200);
  t.ok(read.json().items[0].apis.every((api: { problem?: string }) => api.problem === undefined), 'every API counted');
  const calls = fake.calls.filter((call) => call.service === 'apigatewayv2');
  const firstChangeCall = calls.findIndex((call) => call.method !== 'GET' || call.path.includes(changeApi));
  t.ok(firstChangeCall >= 0, 'the change reached AWS');
  const readsBefore = calls.slice(0, firstChangeCall).filter((call) => call.receivedAt >= changeStarted && !call.path.includes(changeApi)).length;
  t.ok(readsBefore <= BURST + 2, `${readsBefore} summary reads reached AWS between the change's start and its first call`);
  const readsAfter = calls.slice(firstChangeCall).filter((call) => call.method === 'GET' && !call.path.includes(changeApi)).length;
  t.ok(readsAfter >= 5, `${readsAfter} summary reads went after the change's first call`);
});
