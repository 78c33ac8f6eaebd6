// Guardrails (DESIGN §4a, README "Guardrails"): each rule denies a change with a 403 that names the
// rule, the policy and the field, before any AWS call; an allowed change names its policy in the
// record; an assumed-role session is scoped to the functions the guardrails allow.
import t from 'tap';
import { buildTestApp, routeIntegrationUrl, TEST_API_KEY_NAME, type TestApp } from '../support/build-test-app.js';
import { startFakeAws, type FakeAws } from '../support/fake-aws/index.js';

const OTHER_ACCOUNT = '210987654321';
const OWN_ACCOUNT = '123456789012';
const ROLE_OK = `arn:aws:iam::${OWN_ACCOUNT}:role/apigw-invoke`;

const RESTRICTIVE = {
  policies: [
    {
      name: 'chat-team',
      callers: [{ apiKey: TEST_API_KEY_NAME }],
      rules: {
        functionArns: ['arn:aws:lambda:*:*:function:chat-*'],
        functionAccounts: ['self'],
        executionRoles: ['arn:aws:iam::*:role/apigw-*'],
        vpcLinks: ['vlok1'],
        httpHosts: ['*.example.com'],
        integrationTypes: ['AWS_PROXY', 'AWS', 'HTTP_PROXY', 'HTTP'],
        timeoutInMillis: { min: 1000, max: 10000 },
      },
    },
  ],
};

type Teardown = { teardown(fn: () => unknown): void };

async function appWith(t: Teardown, guardrails: object, env: Record<string, string> = {}): Promise<TestApp> {
  const fake: FakeAws = await startFakeAws();
  t.teardown(() => fake.close());
  return buildTestApp(t, { fake, env: { GATEWIRE_GUARDRAILS: JSON.stringify(guardrails), GATEWIRE_ACCOUNT_ID: fake.accountId, ...env } });
}

const recordOf = (ctx: TestApp, id: string) => ctx.auditStore.records().find((record) => record.id === id);
const fn = (name: string, account = OWN_ACCOUNT) => `arn:aws:lambda:us-east-1:${account}:function:${name}`;
const http = (url: string, extra: object = {}) => ({ backend: { type: 'http', url, method: 'POST' }, timeoutInMillis: 5000, ...extra });

const denials: { rule: string; path: string; body: object }[] = [
  { rule: 'functionArns', path: '/backend/function', body: { backend: { type: 'lambda', function: fn('admin-tool') }, timeoutInMillis: 5000 } },
  { rule: 'functionAccounts', path: '/backend/function', body: { backend: { type: 'lambda', function: fn('chat-x', OTHER_ACCOUNT) }, timeoutInMillis: 5000 } },
  {
    rule: 'executionRoles',
    path: '/backend/executionRoleArn',
    body: { backend: { type: 'lambda', function: fn('chat-x'), executionRoleArn: `arn:aws:iam::${OWN_ACCOUNT}:role/admin` }, timeoutInMillis: 5000 },
  },
  { rule: 'vpcLinks', path: '/backend/vpcLinkId', body: { backend: { type: 'vpcLink', vpcLinkId: 'other1', url: 'https://svc.example.com', method: 'POST' }, timeoutInMillis: 5000 } },
  { rule: 'httpHosts', path: '/backend/url', body: http('https://admin.internal.corp/x') },
  { rule: 'integrationTypes', path: '/backend/type', body: { backend: { type: 'mock' }, timeoutInMillis: 5000 } },
  { rule: 'timeoutInMillis', path: '/timeoutInMillis', body: http('https://a.example.com/x', { timeoutInMillis: 20000 }) },
];

for (const { rule, path, body } of denials) {
  t.test(`${rule}: a denied PUT is a 403 naming the rule and the field, and makes no AWS call`, async (t) => {
    const ctx = await appWith(t, RESTRICTIVE);
    ctx.fake.resetCalls();
    const response = await ctx.app.inject({ method: 'PUT', url: routeIntegrationUrl(ctx.apiId, 'send'), payload: body });
    t.equal(response.statusCode, 403, response.body);
    t.match(response.headers['content-type'], /application\/problem\+json/);
    const problem = response.json();
    t.match(problem, { status: 403, detail: new RegExp(`chat-team.*${rule}`) });
    t.match(problem.errors, [{ path, rule, policy: 'chat-team', message: new RegExp(`guardrail ${rule}`) }]);
    t.equal(problem.errors.length, 1, 'only the broken rule');
    t.same(ctx.fake.calls, [], 'no AWS call, not even a read');
    t.same(ctx.auditStore.records(), [], 'no record');
  });
}

t.test('permissionScopes: a Lambda grant of a scope the policy does not allow is a 403', async (t) => {
  const ctx = await appWith(t, { policies: [{ name: 'route-scoped', rules: { permissionScopes: ['route'] } }] });
  ctx.fake.resetCalls();
  const response = await ctx.app.inject({
    method: 'PUT',
    url: routeIntegrationUrl(ctx.apiId, 'send'),
    payload: { backend: { type: 'lambda', function: fn('chat') } },
  });
  t.equal(response.statusCode, 403);
  t.match(response.json().errors, [{ rule: 'permissionScopes', path: '/backend/function', policy: 'route-scoped' }]);
  t.same(ctx.fake.calls, []);
});

t.test('an allowed change runs and its record names the policy that allowed it', async (t) => {
  const ctx = await appWith(t, RESTRICTIVE);
  ctx.fake.seedFunction({ name: 'chat-send' });
  const response = await ctx.app.inject({
    method: 'PUT',
    url: routeIntegrationUrl(ctx.apiId, 'send'),
    payload: { backend: { type: 'lambda', function: fn('chat-send'), executionRoleArn: ROLE_OK }, timeoutInMillis: 5000 },
  });
  t.equal(response.statusCode, 200, response.body);
  const auditId = response.json().auditId as string;
  const record = await ctx.app.inject({ method: 'GET', url: `/v1/audit/${auditId}` });
  t.equal(record.json().guardrailPolicy, 'chat-team');
  t.equal(recordOf(ctx, auditId)?.guardrailPolicy, 'chat-team', 'stored with the record');
});

t.test('bulk: every denied route is named under its own path; nothing is called', async (t) => {
  const ctx = await appWith(t, RESTRICTIVE);
  ctx.fake.resetCalls();
  const response = await ctx.app.inject({
    method: 'PUT',
    url: `/v1/apis/${ctx.apiId}/routes`,
    payload: {
      routes: {
        ok: http('https://a.example.com/ok'),
        'bad/host': http('https://evil.test/x'),
        slow: http('https://a.example.com/slow', { timeoutInMillis: 500 }),
      },
    },
  });
  t.equal(response.statusCode, 403, response.body);
  t.match(response.json().errors, [
    { path: '/routes/bad~1host/backend/url', rule: 'httpHosts' },
    { path: '/routes/slow/timeoutInMillis', rule: 'timeoutInMillis' },
  ]);
  t.equal(response.json().errors.length, 2);
  t.same(ctx.fake.calls, []);
});

t.test('raw form: POST and PATCH are checked too', async (t) => {
  const ctx = await appWith(t, RESTRICTIVE);
  ctx.fake.resetCalls();
  const created = await ctx.app.inject({
    method: 'POST',
    url: `/v1/apis/${ctx.apiId}/integrations`,
    payload: { integrationType: 'HTTP_PROXY', integrationUri: 'https://evil.test', integrationMethod: 'POST', timeoutInMillis: 5000 },
  });
  t.equal(created.statusCode, 403);
  t.match(created.json().errors, [{ path: '/integrationUri', rule: 'httpHosts' }]);
  t.same(ctx.fake.calls, [], 'no AWS call');

  const allowed = await ctx.app.inject({
    method: 'POST',
    url: `/v1/apis/${ctx.apiId}/integrations`,
    payload: { integrationType: 'HTTP_PROXY', integrationUri: 'https://a.example.com', integrationMethod: 'POST', timeoutInMillis: 5000 },
  });
  t.equal(allowed.statusCode, 201, allowed.body);
  const id = allowed.json().integration.integrationId as string;
  ctx.fake.resetCalls();
  const patched = await ctx.app.inject({
    method: 'PATCH',
    url: `/v1/apis/${ctx.apiId}/integrations/${id}`,
    payload: { credentialsArn: `arn:aws:iam::${OWN_ACCOUNT}:role/admin` },
  });
  t.equal(patched.statusCode, 403);
  t.match(patched.json().errors, [{ path: '/credentialsArn', rule: 'executionRoles' }]);
  t.same(ctx.fake.calls, [], 'no AWS call');
});

t.test('the default policy (none configured): own-account functions only, no roles, no VPC links', async (t) => {
  const fake = await startFakeAws();
  t.teardown(() => fake.close());
  // No GATEWIRE_GUARDRAILS: an empty document behaves exactly so (test apps are otherwise permissive).
  const ctx = await buildTestApp(t, { fake, env: { GATEWIRE_GUARDRAILS: '{"policies":[]}', GATEWIRE_ACCOUNT_ID: fake.accountId } });
  ctx.fake.resetCalls();
  const put = (body: object) => ctx.app.inject({ method: 'PUT', url: routeIntegrationUrl(ctx.apiId, 'send'), payload: body });

  const foreign = await put({ backend: { type: 'lambda', function: fn('shared', OTHER_ACCOUNT) } });
  t.equal(foreign.statusCode, 403);
  t.match(foreign.json().errors, [{ rule: 'functionAccounts', policy: 'default' }]);
  const role = await put({ backend: { type: 'lambda', function: fn('chat'), executionRoleArn: ROLE_OK } });
  t.match(role.json().errors, [{ rule: 'executionRoles', policy: 'default' }]);
  const link = await put({ backend: { type: 'vpcLink', vpcLinkId: 'vlok1', url: 'https://svc.example.com', method: 'POST' } });
  t.match(link.json().errors, [{ rule: 'vpcLinks', policy: 'default' }]);
  t.same(ctx.fake.calls, [], 'no AWS call for any of them');

  ctx.fake.seedFunction({ name: 'chat' });
  const own = await put({ backend: { type: 'lambda', function: 'chat' } });
  t.equal(own.statusCode, 200, own.body);
  t.equal(recordOf(ctx, own.json().auditId)?.guardrailPolicy, 'default');
});

t.test('policies apply per API: one that names another API does not apply here', async (t) => {
  const ctx = await appWith(t, { policies: [{ name: 'other-api', apis: ['zzzzzzz'], rules: { integrationTypes: ['MOCK'] } }] });
  const response = await ctx.app.inject({ method: 'PUT', url: routeIntegrationUrl(ctx.apiId, 'send'), payload: http('https://a.example.com') });
  t.equal(response.statusCode, 200, 'the default policy applies, which allows HTTP');
  t.equal(recordOf(ctx, response.json().auditId)?.guardrailPolicy, 'default');
});

t.test('a cross-account session is scoped to the functions the guardrails allow there', async (t) => {
  const ctx = await appWith(
    t,
    { policies: [{ name: 'partner', rules: { functionArns: [`arn:aws:lambda:*:${OTHER_ACCOUNT}:function:chat-*`], functionAccounts: [OTHER_ACCOUNT] } }] },
    { GATEWIRE_CROSS_ACCOUNT_ROLES: `${OTHER_ACCOUNT}=arn:aws:iam::${OTHER_ACCOUNT}:role/gatewire` },
  );
  const arn = ctx.fake.seedFunction({ name: 'chat-partner', accountId: OTHER_ACCOUNT });
  const response = await ctx.app.inject({ method: 'PUT', url: routeIntegrationUrl(ctx.apiId, 'send'), payload: { backend: { type: 'lambda', function: arn } } });
  t.equal(response.statusCode, 200, response.body);
  t.equal(ctx.fake.policy(arn).length, 1, 'the statement is in the other account');
  const [session] = ctx.fake.assumedSessions();
  t.equal(session?.roleArn, `arn:aws:iam::${OTHER_ACCOUNT}:role/gatewire`);
  const policy = JSON.parse(session?.sessionPolicy ?? '{}');
  t.same(policy.Statement, [
    {
      Effect: 'Allow',
      Action: ['lambda:AddPermission', 'lambda:RemovePermission', 'lambda:GetPolicy'],
      Resource: [`arn:aws:lambda:*:${OTHER_ACCOUNT}:function:chat-*`],
    },
  ]);
});
