// Lambda invoke permissions (issue 3), through the real SDK and the fake's policy model: what a
// change adds and removes, what it never touches, and that the report and reconcile agree with
// the policies as the fake holds them.
import t from 'tap';
import { buildTestApp, routeIntegrationUrl, type TestApp } from '../support/build-test-app.js';
import type { TestContext } from '../support/tap.js';

const ACCOUNT = '123456789012';
const OTHER_ACCOUNT = '210987654321';

async function put(ctx: TestApp, routeKey: string, body: object) {
  const response = await ctx.app.inject({ method: 'PUT', url: routeIntegrationUrl(ctx.apiId, routeKey), payload: body });
  return { status: response.statusCode, body: response.json() };
}

const lambda = (fn: string, extra: object = {}) => ({ backend: { type: 'lambda', function: fn, ...extra } });
const gatewireSids = (ctx: TestApp, fn: string, qualifier?: string) =>
  ctx.fake.policy(fn, qualifier).map((statement) => statement.Sid).filter((sid) => sid.startsWith('gatewire-'));

async function report(ctx: TestApp) {
  const response = await ctx.app.inject({ method: 'GET', url: `/v1/apis/${ctx.apiId}/permissions` });
  return response.json();
}

/** The report says what the fake's policies hold: every `ok` Sid is there, every `missing` one is not. */
async function reportAgrees(t: TestContext, ctx: TestApp) {
  const { items, stale } = await report(ctx);
  for (const item of items as { status: string; functionArn: string; qualifier?: string; statementId: string }[]) {
    const sids = ctx.fake.policy(item.functionArn, item.qualifier).map((statement) => statement.Sid);
    if (item.status === 'ok') t.ok(sids.includes(item.statementId), `${item.statementId} is in the policy`);
    if (item.status === 'missing') t.notOk(sids.includes(item.statementId), `${item.statementId} is not in the policy`);
  }
  t.same(stale, [], 'no stale statement left behind');
}

t.test('one function behind many routes (API scope) has exactly one Gatewire statement', async (t) => {
  const ctx = await buildTestApp(t);
  ctx.fake.seedFunction({ name: 'chat' });
  for (let index = 0; index < 300; index++) {
    const result = await put(ctx, `route${index}`, lambda('chat'));
    if (result.status !== 200) t.fail(`route${index}: ${JSON.stringify(result.body)}`);
  }
  const statements = ctx.fake.policy('chat');
  t.equal(statements.length, 1, 'one statement for 300 routes');
  t.match(statements[0], {
    Sid: /^gatewire-/,
    Effect: 'Allow',
    Principal: { Service: 'apigateway.amazonaws.com' },
    Action: 'lambda:InvokeFunction',
    Condition: { ArnLike: { 'AWS:SourceArn': `arn:aws:execute-api:us-east-1:${ACCOUNT}:${ctx.apiId}/*` } },
  });
  t.equal(ctx.fake.writes().filter((call) => call.operation === 'AddPermission').length, 1, 'added once, never duplicated');
  const { items } = await report(ctx);
  t.equal(items.length, 300);
  t.ok(items.every((item: { status: string }) => item.status === 'ok'), 'every integration reports ok');
});

t.test('route scope: a statement per route, and a refusal before the policy would pass 20 KB', async (t) => {
  const ctx = await buildTestApp(t, { env: { GATEWIRE_PERMISSION_SCOPE: 'route' } });
  ctx.fake.seedFunction({ name: 'chat' });
  let refused: { status: number; body: { detail: string } } | undefined;
  let bound = 0;
  for (let index = 0; index < 120 && !refused; index++) {
    ctx.fake.resetCalls();
    const result = await put(ctx, `route${index}`, lambda('chat'));
    if (result.status === 200) {
      bound++;
      continue;
    }
    refused = result;
    t.same(ctx.fake.writes(), [], 'the refused change made no write');
  }
  t.ok(bound > 10, `${bound} routes got their own statement first`);
  t.equal(gatewireSids(ctx, 'chat').length, bound, 'one statement per bound route');
  t.equal(refused?.status, 409, 'the change that would pass the cap is refused');
  t.match(refused?.body.detail, /20480|20 KB|size/i);
  t.match(refused?.body.detail, /GATEWIRE_PERMISSION_SCOPE=api/);
  t.notOk(ctx.fake.api(ctx.apiId).route(`route${bound}`), 'and its route was not created');
  const policySize = JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: ctx.fake.policy('chat') }).length;
  t.ok(policySize < 20480, `the policy stays under the cap (${policySize} bytes)`);
});

t.test('retargeting from A to B adds B and removes A only when no route uses A any more', async (t) => {
  const ctx = await buildTestApp(t);
  ctx.fake.seedFunction({ name: 'fn-a' });
  ctx.fake.seedFunction({ name: 'fn-b' });
  await put(ctx, 'one', lambda('fn-a'));
  await put(ctx, 'two', lambda('fn-a'));
  t.equal(gatewireSids(ctx, 'fn-a').length, 1);

  await put(ctx, 'one', lambda('fn-b'));
  t.equal(gatewireSids(ctx, 'fn-b').length, 1, 'B granted');
  t.equal(gatewireSids(ctx, 'fn-a').length, 1, 'A kept: route two still targets it');

  ctx.fake.resetCalls();
  const last = await put(ctx, 'two', lambda('fn-b'));
  t.equal(last.status, 200);
  t.same(gatewireSids(ctx, 'fn-a'), [], 'A removed once nothing targets it');
  t.equal(gatewireSids(ctx, 'fn-b').length, 1, 'B not duplicated');
  const operations = ctx.fake.writes().map((call) => call.operation);
  t.ok(operations.indexOf('RemovePermission') > operations.indexOf('UpdateRoute'), 'A is removed after the route left it');
  await reportAgrees(t, ctx);
});

t.test('name:alias and name:version put the statement on that qualifier only', async (t) => {
  const ctx = await buildTestApp(t);
  ctx.fake.seedFunction({ name: 'chat', aliases: ['live'], versions: ['7'] });
  await put(ctx, 'alias', lambda('chat:live'));
  await put(ctx, 'version', lambda('chat:7'));
  t.equal(gatewireSids(ctx, 'chat', 'live').length, 1, 'on the alias');
  t.equal(gatewireSids(ctx, 'chat', '7').length, 1, 'on the version');
  t.same(ctx.fake.policy('chat'), [], 'the unqualified policy is untouched');
  t.match(ctx.fake.policy('chat', 'live')[0], { Resource: /:function:chat:live$/ });
  await reportAgrees(t, ctx);
});

t.test('caller credentials or an execution role need no statement, and an unneeded one is removed', async (t) => {
  const ctx = await buildTestApp(t);
  ctx.fake.seedFunction({ name: 'chat' });
  await put(ctx, 'send', lambda('chat'));
  t.equal(gatewireSids(ctx, 'chat').length, 1);
  const withRole = await put(ctx, 'send', lambda('chat', { executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/apigw-invoke` }));
  t.equal(withRole.status, 200);
  t.same(gatewireSids(ctx, 'chat'), [], 'removed: the role invokes it now');
  ctx.fake.resetCalls();
  await put(ctx, 'other', lambda('chat', { invokeWithCallerCredentials: true }));
  t.notOk(ctx.fake.writes().some((call) => call.operation === 'AddPermission'), 'caller credentials: nothing added');
  t.same((await report(ctx)).items, [], 'nothing needs a statement');
  await reportAgrees(t, ctx);
});

t.test("someone else's statement granting the same access is reported unmanaged and left alone", async (t) => {
  const ctx = await buildTestApp(t);
  const arn = ctx.fake.seedFunction({ name: 'chat' });
  const foreign = {
    Sid: 'console-added',
    Effect: 'Allow',
    Principal: { Service: 'apigateway.amazonaws.com' },
    Action: 'lambda:InvokeFunction',
    Resource: arn,
    Condition: { ArnLike: { 'AWS:SourceArn': `arn:aws:execute-api:us-east-1:${ACCOUNT}:${ctx.apiId}/*` } },
  };
  ctx.fake.putStatement('chat', foreign);
  const result = await put(ctx, 'send', lambda('chat'));
  t.equal(result.status, 200);
  t.same(ctx.fake.policy('chat'), [foreign], 'no statement added, the foreign one untouched');
  const { items } = await report(ctx);
  t.match(items, [{ status: 'unmanaged', routeKeys: ['send'] }]);
  await ctx.app.inject({ method: 'DELETE', url: routeIntegrationUrl(ctx.apiId, 'send') });
  t.same(ctx.fake.policy('chat'), [foreign], 'removing the route never touches it either');
});

t.test('two concurrent PUTs for two routes on one function end with one statement and no error', async (t) => {
  const ctx = await buildTestApp(t);
  ctx.fake.seedFunction({ name: 'chat' });
  const results = await Promise.all([put(ctx, 'one', lambda('chat')), put(ctx, 'two', lambda('chat'))]);
  t.same(results.map((result) => result.status), [200, 200]);
  t.equal(ctx.fake.policy('chat').length, 1);
  await reportAgrees(t, ctx);
});

t.test('report and reconcile agree with the policies as they are', async (t) => {
  const ctx = await buildTestApp(t);
  const arn = ctx.fake.seedFunction({ name: 'chat' });
  ctx.fake.seedFunction({ name: 'old' });
  await put(ctx, 'send', lambda('chat'));
  const [{ statementId }] = (await report(ctx)).items;

  // Out of band: our statement is deleted, and a Gatewire statement of this API nobody needs appears.
  ctx.fake.putStatement('chat', { Sid: statementId, Effect: 'Deny' });
  const stale = {
    Sid: `gatewire-${ctx.apiId}-api`,
    Effect: 'Allow',
    Principal: { Service: 'apigateway.amazonaws.com' },
    Action: 'lambda:InvokeFunction',
    Resource: arn.replace(':chat', ':old'),
    Condition: { ArnLike: { 'AWS:SourceArn': `arn:aws:execute-api:us-east-1:${ACCOUNT}:${ctx.apiId}/*` } },
  };
  ctx.fake.putStatement('old', stale);

  const before = await report(ctx);
  t.match(before.items, [{ status: 'missing' }]);

  ctx.fake.resetCalls();
  const dry = await ctx.app.inject({ method: 'POST', url: `/v1/apis/${ctx.apiId}/permissions/reconcile?dryRun=true` });
  t.equal(dry.statusCode, 200);
  t.equal(dry.json().outcome, 'planned');
  t.same(ctx.fake.writes(), [], 'a dry run writes nothing');

  const applied = await ctx.app.inject({ method: 'POST', url: `/v1/apis/${ctx.apiId}/permissions/reconcile` });
  t.equal(applied.statusCode, 200);
  t.equal(applied.json().outcome, 'applied');
  t.match(applied.json().report.items, [{ status: 'ok' }]);
  t.equal(gatewireSids(ctx, 'chat').length, 1);
  t.match(ctx.fake.policy('chat')[0], { Effect: 'Allow' }, 'our Sid holds the right statement again');

  const again = await ctx.app.inject({ method: 'POST', url: `/v1/apis/${ctx.apiId}/permissions/reconcile` });
  t.equal(again.json().outcome, 'unchanged', 'reconciling twice changes nothing');
});

t.test('a function in another account: with no role, unverifiable with the call to make; with one, granted there', async (t) => {
  const foreignArn = `arn:aws:lambda:us-east-1:${OTHER_ACCOUNT}:function:shared`;
  const withoutRole = await buildTestApp(t);
  withoutRole.fake.seedFunction({ name: 'shared', accountId: OTHER_ACCOUNT });
  const result = await put(withoutRole, 'send', lambda(foreignArn));
  t.equal(result.status, 200, 'the integration is applied');
  t.match((await report(withoutRole)).items, [
    { status: 'unverifiable', command: /^aws lambda add-permission --function-name .*shared.* --source-arn / },
  ]);

  const withRole = await buildTestApp(t, {
    env: { GATEWIRE_CROSS_ACCOUNT_ROLES: `${OTHER_ACCOUNT}=arn:aws:iam::${OTHER_ACCOUNT}:role/gatewire` },
  });
  withRole.fake.seedFunction({ name: 'shared', accountId: OTHER_ACCOUNT });
  const granted = await put(withRole, 'send', lambda(foreignArn));
  t.equal(granted.status, 200);
  t.equal(withRole.fake.policy(foreignArn).length, 1, 'the statement is in the other account');
  const add = withRole.fake.writes().find((call) => call.operation === 'AddPermission');
  t.equal(withRole.fake.accountOfAccessKey(add?.accessKeyId), OTHER_ACCOUNT, "written with that account's credentials");
  t.match((await report(withRole)).items, [{ status: 'ok' }]);
});

t.test("the target function's policy is read alongside the API, and nothing is read again after the change", async (t) => {
  const ctx = await buildTestApp(t);
  ctx.fake.seedFunction({ name: 'chat' });
  // A slow GetApi makes the overlap plain: a policy read that waited for the API's reads would
  // arrive only after GetApi was answered.
  ctx.fake.inject({ operation: 'GetApi', fault: 'latency', latencyMs: 150 });
  const result = await put(ctx, 'sendmessage', lambda('chat'));
  t.equal(result.status, 200, JSON.stringify(result.body));
  const getApis = ctx.fake.calls.filter((call) => call.operation === 'GetApi');
  const getPolicies = ctx.fake.calls.filter((call) => call.operation === 'GetPolicy');
  t.equal(getApis.length, 1, 'the API is read once, before the change (issue 15: the after-state comes from the writes)');
  t.equal(getPolicies.length, 1, 'and so is the policy');
  t.ok(getPolicies[0]!.receivedAt < getApis[0]!.answeredAt!, 'GetPolicy was sent while GetApi was still unanswered');
  t.equal(gatewireSids(ctx, 'chat').length, 1, 'the permission was added');
  const responses = ctx.fake.calls.filter((call) => call.operation === 'GetIntegrationResponses' || call.operation === 'GetRouteResponses');
  t.equal(responses.length, 0, 'a new route and integration have no responses to read');
  t.same(result.body.routeIntegration.integrationResponses, [], 'and the answer says so');
});
