// Targets (issue 19): GET /v1/targets, and the /v1/apis operations under /v1/targets/{target},
// acting through each target's assumed role in its account and region. The fake keeps state per
// account and region, so a change that landed in the wrong place shows.
import t from 'tap';
import { buildTestApp, routeIntegrationUrl, type TestApp } from '../support/build-test-app.js';
import { assertProblem } from '../support/problems.js';
import type { TestContext } from '../support/tap.js';

const B = '210987654321';
const ROLE_B = `arn:aws:iam::${B}:role/gatewire-target`;
const ROLE_A_WEST = 'arn:aws:iam::123456789012:role/gatewire-target';
const TARGETS = [
  { name: 'prod-b', accountId: B, region: 'eu-west-1', roleArn: ROLE_B, externalId: 'gatewire-prod' },
  // The default account again, in another region: reached through a role in that account.
  { name: 'a-west', accountId: '123456789012', region: 'us-west-2', roleArn: ROLE_A_WEST },
];

async function setUp(t: TestContext): Promise<TestApp> {
  const built = await buildTestApp(t, { env: { GATEWIRE_TARGETS: JSON.stringify(TARGETS) } });
  built.fake.requireExternalId(ROLE_B, 'gatewire-prod');
  return built;
}

const MOCK = { backend: { type: 'mock' }, returnResponse: true };

t.test('GET /v1/targets lists the default target and the configured ones, reachable', async (t) => {
  const { app, fake } = await setUp(t);
  const response = await app.inject({ method: 'GET', url: '/v1/targets' });
  t.equal(response.statusCode, 200, response.body);
  t.match(response.json().items, [
    { name: 'default', accountId: fake.accountId, region: fake.region, default: true, reachable: true },
    { name: 'prod-b', accountId: B, region: 'eu-west-1', default: false, reachable: true },
    { name: 'a-west', accountId: fake.accountId, region: 'us-west-2', default: false, reachable: true },
  ]);
  t.same(fake.assumedSessions().map((session) => session.roleArn).sort(), [ROLE_A_WEST, ROLE_B].sort(), 'each role assumed once');
  t.same(fake.writes(), [], 'checking reachability writes nothing');
  const again = await app.inject({ method: 'GET', url: '/v1/targets' });
  t.same(again.json(), response.json(), 'reused within the check TTL');
});

t.test('a target whose role cannot be assumed is listed unreachable, saying why', async (t) => {
  const { app, fake } = await setUp(t);
  fake.blockRole(ROLE_B);
  const response = await app.inject({ method: 'GET', url: '/v1/targets' });
  t.equal(response.statusCode, 200);
  const prod = response.json().items.find((item: { name: string }) => item.name === 'prod-b');
  t.match(prod, { reachable: false, problem: /Target "prod-b" \(account 210987654321, eu-west-1\) is unreachable: Gatewire could not assume its role \(AccessDenied\)/ });
  t.notMatch(prod.problem, /arn:aws:iam/, 'no role ARN in what callers see');
});

t.test('each target reads its own account and region; /v1/apis/{apiId}/… stays the default target', async (t) => {
  const { app, fake, apiId } = await setUp(t);
  const bApi = fake.in({ accountId: B, region: 'eu-west-1' }).seedApi({ name: 'b-chat' });
  const westApi = fake.in({ region: 'us-west-2' }).seedApi({ name: 'west-chat' });
  const names = async (url: string) => {
    const response = await app.inject({ method: 'GET', url });
    t.equal(response.statusCode, 200, `${url}: ${response.body.slice(0, 300)}`);
    return response.json().items.map((api: { apiId: string; name: string }) => `${api.apiId}:${api.name}`);
  };
  t.same(await names('/v1/targets/default/apis'), [`${apiId}:chat`], '`default`: the account and region of /v1/apis/{apiId}/…');
  t.same(await names('/v1/targets/prod-b/apis'), [`${bApi}:b-chat`]);
  t.same(await names('/v1/targets/a-west/apis'), [`${westApi}:west-chat`]);
  const routes = await app.inject({ method: 'GET', url: `/v1/targets/prod-b/apis/${apiId}/routes` });
  assertProblem(t, routes, 404);
  t.match(fake.calls.at(-1), { accountId: B, region: 'eu-west-1' }, 'the default API id is not found in the target');
  t.equal(fake.assumedRoles().length, 2, 'credentials are cached: one AssumeRole per target across requests');
});

t.test('a change through a target lands only in that target', async (t) => {
  const { app, fake, apiId } = await setUp(t);
  const bScope = fake.in({ accountId: B, region: 'eu-west-1' });
  const westScope = fake.in({ region: 'us-west-2' });
  const bApi = bScope.seedApi({ name: 'b-chat' });
  const westApi = westScope.seedApi({ name: 'west-chat' });
  const before = fake.snapshot() as { apis: unknown };

  const put = await app.inject({ method: 'PUT', url: `/v1/targets/prod-b${routeIntegrationUrl(bApi, 'sendmessage').slice(3)}`, payload: MOCK });
  t.equal(put.statusCode, 200, put.body.slice(0, 500));
  t.equal(bScope.api(bApi).route('sendmessage')?.routeKey, 'sendmessage', 'the route exists in account B, eu-west-1');
  t.same(westScope.api(westApi).routes, [], 'not in the other region');
  t.same((fake.snapshot() as { apis: unknown }).apis, before.apis, 'nor in the default account and region');
  const writes = fake.writes();
  t.ok(writes.length > 0);
  t.same([...new Set(writes.map((call) => `${call.accountId}/${call.region}`))], [`${B}/eu-west-1`], 'every write signed for B in eu-west-1');

  fake.resetCalls();
  const west = await app.inject({ method: 'PUT', url: `/v1/targets/a-west${routeIntegrationUrl(westApi, '$default').slice(3)}`, payload: MOCK });
  t.equal(west.statusCode, 200, west.body.slice(0, 500));
  t.ok(westScope.api(westApi).route('$default'));
  t.same([...new Set(fake.writes().map((call) => `${call.accountId}/${call.region}`))], [`${fake.accountId}/us-west-2`]);
  t.same(fake.api(apiId).routes, [], 'the default API is untouched');
});

t.test('an unknown target is a 404 naming it, with no AWS call', async (t) => {
  const { app, fake, apiId } = await setUp(t);
  fake.resetCalls();
  for (const [method, url] of [
    ['GET', '/v1/targets/nowhere/apis'],
    ['PUT', `/v1/targets/nowhere${routeIntegrationUrl(apiId, 'sendmessage').slice(3)}`],
    ['GET', '/v1/targets/Not%20A%20Name/apis'],
  ] as const) {
    const response = await app.inject({ method, url, ...(method === 'PUT' ? { payload: MOCK } : {}) });
    const problem = assertProblem(t, response, 404);
    t.match(problem.detail, /No target is named "(nowhere|Not A Name)": GET \/v1\/targets lists the configured ones/);
  }
  t.same(fake.calls, [], 'no AWS call at all, STS included');
});

t.test('an unreachable target answers 502 naming it and changes nothing', async (t) => {
  const { app, fake } = await setUp(t);
  const bScope = fake.in({ accountId: B, region: 'eu-west-1' });
  const bApi = bScope.seedApi({ name: 'b-chat' });
  fake.blockRole(ROLE_B);
  const before = fake.snapshot();
  fake.resetCalls();
  const put = await app.inject({ method: 'PUT', url: `/v1/targets/prod-b${routeIntegrationUrl(bApi, 'sendmessage').slice(3)}`, payload: MOCK });
  const problem = assertProblem(t, put, 502);
  t.match(problem.detail, /Target "prod-b" \(account 210987654321, eu-west-1\) is unreachable: Gatewire could not assume its role \(AccessDenied\); nothing was changed/);
  t.same(fake.snapshot(), before, 'nothing changed');
  t.same(fake.calls.map((call) => `${call.service}:${call.operation}`), ['sts:AssumeRole'], 'only the refused AssumeRole');
});

t.test('a wrong external id makes the target unreachable', async (t) => {
  const built = await buildTestApp(t, { env: { GATEWIRE_TARGETS: JSON.stringify([{ ...TARGETS[0], externalId: 'guessed' }]) } });
  built.fake.requireExternalId(ROLE_B, 'gatewire-prod');
  const response = await built.app.inject({ method: 'GET', url: '/v1/targets/prod-b/apis' });
  assertProblem(t, response, 502);
});

t.test('audit records carry their target, and GET /v1/audit filters by it', async (t) => {
  const { app, fake, apiId } = await setUp(t);
  const bApi = fake.in({ accountId: B, region: 'eu-west-1' }).seedApi({ name: 'b-chat' });
  const westApi = fake.in({ region: 'us-west-2' }).seedApi({ name: 'west-chat' });
  for (const url of [
    routeIntegrationUrl(apiId, 'home'),
    `/v1/targets/prod-b${routeIntegrationUrl(bApi, 'inb').slice(3)}`,
    `/v1/targets/a-west${routeIntegrationUrl(westApi, 'inwest').slice(3)}`,
  ]) {
    const response = await app.inject({ method: 'PUT', url, payload: MOCK });
    t.equal(response.statusCode, 200, `${url}: ${response.body.slice(0, 300)}`);
  }
  const list = async (query: string) => {
    const response = await app.inject({ method: 'GET', url: `/v1/audit${query}` });
    t.equal(response.statusCode, 200, response.body.slice(0, 300));
    return response.json().items.map((record: { routeKey: string; target?: string }) => `${record.routeKey}@${record.target ?? '-'}`);
  };
  t.same(await list('?target=prod-b'), ['inb@prod-b']);
  t.same(await list('?target=a-west'), ['inwest@a-west']);
  t.same(await list('?target=default'), ['home@-'], 'the default target: records with no target');
  t.same(await list(''), ['inwest@a-west', 'inb@prod-b', 'home@-'], 'unfiltered: every target, newest first');
});

t.test("a function in account B, wired from an API in account A, gets its statement written with B's target role", async (t) => {
  const { app, fake, apiId } = await buildTestApp(t, { env: { GATEWIRE_TARGETS: JSON.stringify(TARGETS), GATEWIRE_ACCOUNT_ID: '123456789012' } });
  fake.requireExternalId(ROLE_B, 'gatewire-prod');
  const bArn = fake.in({ accountId: B }).seedFunction({ name: 'shared' });
  const put = await app.inject({ method: 'PUT', url: routeIntegrationUrl(apiId, 'send'), payload: { backend: { type: 'lambda', function: bArn } } });
  t.equal(put.statusCode, 200, put.body.slice(0, 500));
  t.equal(fake.policy(bArn).length, 1, "the statement is in B's function policy");
  const add = fake.writes().find((call) => call.operation === 'AddPermission');
  t.equal(add?.accountId, B, "written with B's credentials");
  t.match(fake.assumedSessions().find((session) => session.roleArn === ROLE_B), { roleArn: ROLE_B }, "B's target role (with its external id, else STS refused it)");
  const report = await app.inject({ method: 'GET', url: `/v1/apis/${apiId}/permissions` });
  t.match(report.json().items, [{ status: 'ok' }], 'verifiable: not `unverifiable`');
});

t.test('guardrails per target: only the policies a target names apply there', async (t) => {
  const guardrails = {
    policies: [
      { name: 'open', rules: { httpHosts: ['*'], functionArns: ['*'], functionAccounts: ['*'] } },
      { name: 'strict-b', rules: { httpHosts: ['*.example.com'] } },
    ],
  };
  const targets = [{ ...TARGETS[0], guardrailPolicies: ['strict-b'] }, TARGETS[1]];
  const { app, fake, apiId } = await buildTestApp(t, { env: { GATEWIRE_GUARDRAILS: JSON.stringify(guardrails), GATEWIRE_TARGETS: JSON.stringify(targets) } });
  fake.requireExternalId(ROLE_B, 'gatewire-prod');
  const bApi = fake.in({ accountId: B, region: 'eu-west-1' }).seedApi({ name: 'b-chat' });
  const westApi = fake.in({ region: 'us-west-2' }).seedApi({ name: 'west-chat' });
  const http = (url: string) => ({ backend: { type: 'http', url, method: 'POST' } });

  const denied = await app.inject({ method: 'PUT', url: `/v1/targets/prod-b${routeIntegrationUrl(bApi, 'send').slice(3)}`, payload: http('https://internal.corp/x') });
  const problem = assertProblem(t, denied, 403);
  t.match(problem.errors, [{ rule: 'httpHosts', policy: 'strict-b' }], "prod-b's own policy");
  t.same(fake.in({ accountId: B, region: 'eu-west-1' }).api(bApi).routes, [], 'nothing written');
  const allowed = await app.inject({ method: 'PUT', url: `/v1/targets/prod-b${routeIntegrationUrl(bApi, 'send').slice(3)}`, payload: http('https://api.example.com/x') });
  t.equal(allowed.statusCode, 200, allowed.body.slice(0, 300));

  for (const url of [routeIntegrationUrl(apiId, 'send'), `/v1/targets/a-west${routeIntegrationUrl(westApi, 'send').slice(3)}`]) {
    const response = await app.inject({ method: 'PUT', url, payload: http('https://internal.corp/x') });
    t.equal(response.statusCode, 200, `${url}: the whole document, whose first policy is open: ${response.body.slice(0, 200)}`);
  }
  t.match((await app.inject({ method: 'GET', url: '/v1/audit?target=prod-b' })).json().items, [{ guardrailPolicy: 'strict-b' }]);
});

t.test('GET /v1/apis is the fleet view: every target, each API marked; a failing target named apart', async (t) => {
  const { app, fake, apiId } = await setUp(t);
  const bApi = fake.in({ accountId: B, region: 'eu-west-1' }).seedApi({ name: 'b-chat' });
  const westApi = fake.in({ region: 'us-west-2' }).seedApi({ name: 'west-chat' });
  const list = async () => {
    const response = await app.inject({ method: 'GET', url: '/v1/apis' });
    t.equal(response.statusCode, 200, response.body.slice(0, 300));
    return response.json();
  };
  const all = await list();
  t.same(
    all.items.map((api: { apiId: string; target: string }) => `${api.target}:${api.apiId}`).sort(),
    [`default:${apiId}`, `prod-b:${bApi}`, `a-west:${westApi}`].sort(),
  );
  t.notOk('unreachable' in all);
  const marked = await app.inject({ method: 'GET', url: '/v1/targets/prod-b/apis' });
  t.match(marked.json().items, [{ apiId: bApi, target: 'prod-b' }], 'one target, marked too');

  // A role refused from the start (credentials once assumed stay valid until they expire).
  const other = await setUp(t);
  other.fake.blockRole(ROLE_A_WEST);
  other.fake.in({ accountId: B, region: 'eu-west-1' }).seedApi({ name: 'b-chat' });
  const response = await other.app.inject({ method: 'GET', url: '/v1/apis' });
  t.equal(response.statusCode, 200, response.body.slice(0, 300));
  const partial = response.json();
  t.same(partial.items.map((api: { target: string }) => api.target).sort(), ['default', 'prod-b'], 'the others are listed all the same');
  t.match(partial.unreachable, [{ target: 'a-west', problem: /Target "a-west" .* is unreachable/ }]);
});

t.test('GET /v1/apis with every target failing answers the failure, as before targets', async (t) => {
  const { app, fake } = await buildTestApp(t);
  fake.inject({ operation: 'GetApis', fault: 'server-error' });
  assertProblem(t, await app.inject({ method: 'GET', url: '/v1/apis' }), 502);
});

t.test('an Idempotency-Key under a target: the change runs once in the target, a repeat is replayed', async (t) => {
  const { app, fake } = await setUp(t);
  const bScope = fake.in({ accountId: B, region: 'eu-west-1' });
  const bApi = bScope.seedApi({ name: 'b-chat' });
  const request = {
    method: 'PUT' as const,
    url: `/v1/targets/prod-b${routeIntegrationUrl(bApi, 'send').slice(3)}`,
    payload: MOCK,
    headers: { 'idempotency-key': 'target-key-1' },
  };
  const first = await app.inject(request);
  t.equal(first.statusCode, 200, first.body.slice(0, 300));
  const writes = fake.writes().length;
  const again = await app.inject(request);
  t.equal(again.statusCode, 200);
  t.equal(again.headers['idempotent-replayed'], 'true');
  t.equal(fake.writes().length, writes, 'no second write');
  t.equal(bScope.api(bApi).routes.length, 1);
  const elsewhere = await app.inject({ ...request, url: `/v1/targets/a-west${routeIntegrationUrl(bApi, 'send').slice(3)}` });
  t.equal(elsewhere.statusCode, 422, 'the same key for another target is another request');
});

t.test("drift reads only its target's records: another region's API with the same id does not count", async (t) => {
  const { app, auditStore, apiId } = await setUp(t);
  // API ids are unique within a region only: a record of prod-b's API that has the default API's id.
  const old = new Date(Date.now() - 20 * 60_000).toISOString();
  await auditStore.appendPending({
    id: '01ZZZZZZZZZZZZZZZZZZZZZZZZ',
    occurredAt: old,
    actor: { id: 'ci', kind: 'api-key' },
    requestId: 'req-other-target',
    action: 'route-integration.put',
    apiId,
    routeKey: 'elsewhere',
    target: 'prod-b',
    request: {},
    plan: [],
    before: null,
  });
  await auditStore.finalize('01ZZZZZZZZZZZZZZZZZZZZZZZZ', { status: 'interrupted', after: null, awsCalls: [], durationMs: 1 });
  const home = await app.inject({ method: 'GET', url: `/v1/apis/${apiId}/drift` });
  t.equal(home.statusCode, 200, home.body.slice(0, 300));
  t.same(home.json().interrupted, [], "prod-b's interrupted change is not the default API's");
  t.equal(home.json().clean, true);
});
