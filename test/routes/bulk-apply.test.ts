// Bulk apply (PUT /v1/apis/{apiId}/routes): many routes as one change, checked against the
// fake's state, its call log and the audit trail.
import t from 'tap';
import { DeleteIntegrationCommand, UpdateRouteCommand } from '@aws-sdk/client-apigatewayv2';
import { buildTestApp, type TestApp } from '../support/build-test-app.js';
import { apiGatewayClientFor } from '../support/fake-aws/sdk-clients.js';
import { assertProblem } from '../support/problems.js';

const lambda = (fn: string, extra: object = {}) => ({ backend: { type: 'lambda', function: fn }, ...extra });
const mock = { backend: { type: 'mock' }, requestTemplates: { 'application/json': '{"statusCode":200}' } };
const http = (url: string) => ({ backend: { type: 'http', url, method: 'POST' } });

async function apply(ctx: TestApp, routes: Record<string, unknown>, query = '', extra: object = {}) {
  const response = await ctx.app.inject({ method: 'PUT', url: `/v1/apis/${ctx.apiId}/routes${query}`, payload: { routes, ...extra } });
  return { status: response.statusCode, body: response.json(), response };
}

const targetOf = (ctx: TestApp, routeKey: string) => ctx.fake.api(ctx.apiId).route(routeKey)?.target?.replace('integrations/', '');
const writes = (ctx: TestApp) => ctx.fake.writes().map((call) => call.operation);

t.test('many backends in one change: one audit record, an outcome per route, the second apply changes nothing', async (t) => {
  const ctx = await buildTestApp(t, { checkValidators: true });
  ctx.fake.seedFunction({ name: 'chat' });
  const routes = { $connect: lambda('chat'), sendmessage: lambda('chat', { returnResponse: true }), ping: mock, relay: http('https://b.example.com/x') };

  const first = await apply(ctx, routes);
  t.equal(first.status, 200, JSON.stringify(first.body));
  t.equal(first.body.outcome, 'applied');
  t.same(
    Object.fromEntries(Object.entries(first.body.routes).map(([key, value]) => [key, (value as { outcome: string }).outcome])),
    { $connect: 'created', sendmessage: 'created', ping: 'created', relay: 'created' },
  );
  for (const key of Object.keys(routes)) {
    t.equal(targetOf(ctx, key), first.body.routes[key].integrationId, `${key} is bound to the integration the response names`);
  }
  t.equal(ctx.fake.api(ctx.apiId).integration(targetOf(ctx, 'ping')!)!.integrationType, 'MOCK');
  t.equal(ctx.fake.api(ctx.apiId).route('sendmessage')!.routeResponseSelectionExpression, '$default');
  const gatewireSids = ctx.fake.policy('chat').filter((s) => s.Sid.startsWith('gatewire-'));
  t.equal(gatewireSids.length, 1, 'two routes on one function: one statement (API scope)');

  const records = ctx.auditStore.records();
  t.equal(records.length, 1, 'one audit record for the whole change');
  t.equal(records[0]!.action, 'routes.bulk-put');
  t.equal(records[0]!.status, 'succeeded');
  t.same((records[0]!.after as { outcomes: unknown }).outcomes, { $connect: 'created', sendmessage: 'created', ping: 'created', relay: 'created' });
  t.ok((records[0]!.after as { routes: Record<string, { integration?: unknown }> }).routes.relay!.integration, 'the record keeps each route state');

  ctx.fake.resetCalls();
  const second = await apply(ctx, routes);
  t.equal(second.status, 200);
  t.equal(second.body.outcome, 'unchanged');
  t.same(writes(ctx), [], 'nothing written the second time');
  t.ok(Object.values(second.body.routes).every((r) => (r as { outcome: string }).outcome === 'unchanged'));
  t.equal(ctx.auditStore.records().length, 1, 'no record for a no-op');
});

t.test('every invalid route is named in one 400 and AWS is never called', async (t) => {
  const ctx = await buildTestApp(t, { checkValidators: true });
  ctx.fake.resetCalls();
  const result = await apply(ctx, {
    good: mock,
    'bad/timeout': { backend: { type: 'mock' }, timeoutInMillis: 49 },
    novpc: { backend: { type: 'vpcLink', url: 'http://nlb.internal/x', method: 'POST' } },
  });
  assertProblem(t, result.response, 400);
  const paths = result.body.errors.map((e: { path: string }) => e.path);
  t.ok(paths.some((p: string) => p.startsWith('/routes/bad~1timeout/timeoutInMillis')), `escaped route key in ${paths}`);
  t.ok(paths.some((p: string) => p.startsWith('/routes/novpc/')), `the VPC link route is named in ${paths}`);
  t.same(ctx.fake.calls, [], 'no AWS call at all');
});

t.test('a bad field of one route is named alone, without the noise of the route being nullable', async (t) => {
  const ctx = await buildTestApp(t, { checkValidators: true });
  const result = await apply(ctx, { a: { backend: { type: 'mock' }, timeoutInMillis: 10 }, b: 'not an intent' });
  assertProblem(t, result.response, 400);
  t.same(
    result.body.errors,
    [
      { path: '/routes/a/timeoutInMillis', message: 'must be >= 50' },
      { path: '/routes/b', message: 'must be object' },
    ],
    'no "must be null" or "must match a schema in anyOf" beside the real problems',
  );
});

t.test('a function that does not exist is a 400 on that route, before any write', async (t) => {
  const ctx = await buildTestApp(t, { checkValidators: true });
  ctx.fake.seedFunction({ name: 'chat' });
  const result = await apply(ctx, { a: lambda('chat'), b: lambda('missing-fn') });
  assertProblem(t, result.response, 400);
  t.same(result.body.errors.map((e: { path: string }) => e.path), ['/routes/b/backend/function']);
  t.same(writes(ctx), []);
});

t.test('a dry run returns the plan and writes nothing; applying it makes exactly those calls', async (t) => {
  const ctx = await buildTestApp(t, { checkValidators: true });
  ctx.fake.seedFunction({ name: 'chat' });
  await apply(ctx, { old: http('https://a.example.com/x') });
  const routes = { old: mock, fresh: lambda('chat'), other: http('https://c.example.com/y') };
  ctx.fake.resetCalls();

  const dry = await apply(ctx, routes, '?dryRun=true');
  t.equal(dry.status, 200);
  t.equal(dry.body.outcome, 'planned');
  t.same(writes(ctx), [], 'the dry run wrote nothing');
  t.equal(ctx.auditStore.records().length, 1, 'and wrote no audit record');
  t.same(dry.body.routes.old.outcome, 'updated');

  ctx.fake.resetCalls();
  const real = await apply(ctx, routes);
  t.equal(real.status, 200);
  t.same(writes(ctx), dry.body.plan.map((step: { operation: string }) => step.operation), 'the calls made are the calls planned');
  t.same(real.body.plan, dry.body.plan.map((step: object) => step), 'the plan that ran is the plan shown');
  const operations = real.body.plan.map((step: { operation: string }) => step.operation);
  t.equal(operations.at(-1), 'DeleteIntegration', 'the replaced integration is deleted last');
  t.equal(operations[0], 'AddPermission', 'the permission comes first');
});

t.test('null removes an integration; one that several named routes shared is deleted once all have left it', async (t) => {
  const ctx = await buildTestApp(t, { checkValidators: true });
  await apply(ctx, { a: http('https://a.example.com/x'), b: mock, keep: mock });
  const shared = targetOf(ctx, 'b')!;
  const put = await ctx.app.inject({ method: 'PUT', url: `/v1/apis/${ctx.apiId}/routes/c/integration`, payload: mock });
  t.equal(put.statusCode, 200);
  const routeC = ctx.fake.api(ctx.apiId).route('c')!;
  // The intent PUT gave c its own integration: rebind c to b's with the SDK, behind Gatewire's back.
  const client = apiGatewayClientFor(ctx.fake);
  const ownOfC = routeC.target!.replace('integrations/', '');
  await client.send(new UpdateRouteCommand({ ApiId: ctx.apiId, RouteId: routeC.routeId, Target: `integrations/${shared}` }));
  await client.send(new DeleteIntegrationCommand({ ApiId: ctx.apiId, IntegrationId: ownOfC }));
  client.destroy();

  ctx.fake.resetCalls();
  const result = await apply(ctx, { a: null, b: null, c: null, nothing: null });
  t.equal(result.status, 200, JSON.stringify(result.body));
  t.same(
    Object.fromEntries(Object.entries(result.body.routes).map(([key, value]) => [key, (value as { outcome: string }).outcome])),
    { a: 'removed', b: 'removed', c: 'removed', nothing: 'unchanged' },
  );
  t.notOk(targetOf(ctx, 'a'));
  t.notOk(targetOf(ctx, 'b'));
  t.notOk(ctx.fake.api(ctx.apiId).integration(shared), 'the shared integration is gone once no route uses it');
  t.equal(ctx.fake.api(ctx.apiId).integrations.length, 1, 'only keep\'s integration is left');
  t.ok(targetOf(ctx, 'keep'), 'a route not named is left alone');
});

t.test('a failure part-way rolls the whole change back', async (t) => {
  const ctx = await buildTestApp(t, { checkValidators: true });
  await apply(ctx, { a: http('https://a.example.com/x') });
  const before = ctx.fake.snapshot();
  // The second create and its one resend (it was looked up and not found) fail.
  ctx.fake.inject({ operation: 'CreateIntegration', nth: 2, times: 2, fault: 'server-error' });
  const result = await apply(ctx, { a: mock, b: mock, c: mock });
  assertProblem(t, result.response, 502);
  t.match(result.body.failedStep, { id: /^r1-/, description: /^b: Create a MOCK integration/ }, 'the problem names the route whose step failed');
  t.same(ctx.fake.snapshot(), before, 'AWS is back where it was');
  const record = ctx.auditStore.records().at(-1)!;
  t.equal(record.action, 'routes.bulk-put');
  t.equal(record.status, 'rolled_back');
  t.equal(result.body.auditId, record.id);
});

t.test('a no-change apply of 300 Lambda routes costs a handful of AWS calls', async (t) => {
  const ctx = await buildTestApp(t, { checkValidators: true });
  const functions = ['alpha', 'beta', 'gamma'].map((name) => ctx.fake.seedFunction({ name }));
  const routes = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`route${i}`, lambda(functions[i % 3]!)]));
  const first = await apply(ctx, routes);
  t.equal(first.status, 200, JSON.stringify(first.body).slice(0, 500));
  t.equal(ctx.fake.api(ctx.apiId).routes.length, 300);
  for (const fn of functions) t.equal(ctx.fake.policy(fn).length, 1, 'one statement per function');

  ctx.fake.resetCalls();
  const again = await apply(ctx, routes);
  t.equal(again.body.outcome, 'unchanged');
  const calls = ctx.fake.calls.filter((call) => call.service !== 'sts');
  t.ok(calls.length <= 10, `${calls.length} AWS calls: ${calls.map((c) => c.operation).join(', ')}`);
  t.same(writes(ctx), []);
});

t.test('more routes than the quota, and an empty map, are refused at the edge', async (t) => {
  const ctx = await buildTestApp(t, { checkValidators: true });
  const tooMany = Object.fromEntries(Array.from({ length: 301 }, (_, i) => [`r${i}`, null]));
  assertProblem(t, (await apply(ctx, tooMany)).response, 400);
  assertProblem(t, (await apply(ctx, {})).response, 400);
  t.same(ctx.fake.calls, []);
});
