// The life of a route's backend: created, updated in place, replaced, shared, unbound — each
// checked against the fake's state and the exact AWS writes the plan promised.
import t from 'tap';
import { CreateRouteCommand } from '@aws-sdk/client-apigatewayv2';
import { buildTestApp, routeIntegrationUrl, type TestApp } from '../support/build-test-app.js';
import { apiGatewayClientFor } from '../support/fake-aws/sdk-clients.js';

const http = (url: string, extra: object = {}) => ({ backend: { type: 'http', url, method: 'POST' }, ...extra });

async function put(ctx: TestApp, routeKey: string, body: object, query = '') {
  const response = await ctx.app.inject({ method: 'PUT', url: routeIntegrationUrl(ctx.apiId, routeKey, query), payload: body });
  return { status: response.statusCode, body: response.json() };
}

function integrationOf(ctx: TestApp, routeKey: string) {
  const target = ctx.fake.api(ctx.apiId).route(routeKey)?.target;
  return target ? ctx.fake.api(ctx.apiId).integration(target.replace('integrations/', '')) : undefined;
}

const writes = (ctx: TestApp) => ctx.fake.writes().map((call) => call.operation);

t.test('a changed timeout updates the integration in place with only that field', async (t) => {
  const ctx = await buildTestApp(t);
  await put(ctx, 'send', http('https://a.example.com/x'));
  const before = integrationOf(ctx, 'send')!;
  ctx.fake.resetCalls();

  const result = await put(ctx, 'send', http('https://a.example.com/x', { timeoutInMillis: 1000 }));
  t.equal(result.status, 200);
  t.same(writes(ctx), ['UpdateIntegration']);
  t.same(ctx.fake.writes()[0]!.body, { timeoutInMillis: 1000 }, 'only the changed field is sent');
  const after = integrationOf(ctx, 'send')!;
  t.equal(after.integrationId, before.integrationId, 'same integration');
  t.equal(after.timeoutInMillis, 1000);
  t.same(result.body.plan.map((step: { operation: string }) => step.operation), ['UpdateIntegration'], 'the plan is what ran');
});

t.test('a new integration type replaces the integration: create, rebind, delete the old one', async (t) => {
  const ctx = await buildTestApp(t);
  await put(ctx, 'send', http('https://a.example.com/x'));
  const old = integrationOf(ctx, 'send')!;
  ctx.fake.resetCalls();

  const result = await put(ctx, 'send', { backend: { type: 'mock' }, requestTemplates: { 'application/json': '{"statusCode":200}' } });
  t.equal(result.status, 200);
  t.same(writes(ctx), ['CreateIntegration', 'UpdateRoute', 'DeleteIntegration']);
  const current = integrationOf(ctx, 'send')!;
  t.not(current.integrationId, old.integrationId);
  t.equal(current.integrationType, 'MOCK');
  t.notOk(ctx.fake.api(ctx.apiId).integration(old.integrationId), 'the replaced integration is gone');
  t.equal(ctx.fake.api(ctx.apiId).integrations.length, 1, 'no integration leaks');
});

t.test('dropping a request template replaces the integration (AWS documents no in-place removal of a template; docs/decisions.md)', async (t) => {
  const ctx = await buildTestApp(t);
  await put(ctx, 'send', http('https://a.example.com/x', { backend: { type: 'http', url: 'https://a.example.com/x', method: 'POST', proxy: false }, requestTemplates: { 'application/json': '{}', 'text/plain': 'x' } }));
  ctx.fake.resetCalls();
  await put(ctx, 'send', { backend: { type: 'http', url: 'https://a.example.com/x', method: 'POST', proxy: false }, requestTemplates: { 'application/json': '{}' } });
  t.same(writes(ctx), ['CreateIntegration', 'UpdateRoute', 'DeleteIntegration']);
  t.same(integrationOf(ctx, 'send')!.requestTemplates, { 'application/json': '{}' });
});

t.test('removing a request parameter updates the integration in place (the key is sent with "")', async (t) => {
  const ctx = await buildTestApp(t);
  const both = {
    'integration.request.header.x-connection': 'context.connectionId',
    'integration.request.header.x-stage': 'context.stage',
  };
  await put(ctx, 'send', http('https://a.example.com/x', { requestParameters: both }));
  const before = integrationOf(ctx, 'send')!;
  t.same(before.requestParameters, both);
  ctx.fake.resetCalls();

  const result = await put(ctx, 'send', http('https://a.example.com/x', { requestParameters: { 'integration.request.header.x-stage': 'context.stage' } }));
  t.equal(result.status, 200);
  t.same(writes(ctx), ['UpdateIntegration'], 'no new integration, no rebinding');
  t.same(ctx.fake.writes()[0]!.body, {
    requestParameters: { 'integration.request.header.x-stage': 'context.stage', 'integration.request.header.x-connection': '' },
  });
  const after = integrationOf(ctx, 'send')!;
  t.equal(after.integrationId, before.integrationId, 'the integration keeps its id');
  t.same(after.requestParameters, { 'integration.request.header.x-stage': 'context.stage' }, 'the parameter is gone');

  // Dropping the last one, and the field with it, is in place too.
  ctx.fake.resetCalls();
  await put(ctx, 'send', http('https://a.example.com/x'));
  t.same(writes(ctx), ['UpdateIntegration']);
  t.equal(integrationOf(ctx, 'send')!.integrationId, before.integrationId);
  t.notOk(integrationOf(ctx, 'send')!.requestParameters);
});

t.test('dropping the description clears it in place (sent as "")', async (t) => {
  const ctx = await buildTestApp(t);
  await put(ctx, 'send', http('https://a.example.com/x', { description: 'chat sender' }));
  const before = integrationOf(ctx, 'send')!;
  t.equal(before.description, 'chat sender');
  ctx.fake.resetCalls();
  await put(ctx, 'send', http('https://a.example.com/x'));
  t.same(writes(ctx), ['UpdateIntegration']);
  t.same(ctx.fake.writes()[0]!.body, { description: '' });
  t.equal(integrationOf(ctx, 'send')!.integrationId, before.integrationId, 'the integration keeps its id');
  t.notOk(integrationOf(ctx, 'send')!.description);
});

t.test('an integration shared with another route is never changed under it', async (t) => {
  const ctx = await buildTestApp(t);
  // Bind two routes to one integration through the raw form.
  const created = await ctx.app.inject({
    method: 'POST',
    url: `/v1/apis/${ctx.apiId}/integrations`,
    payload: { integrationType: 'HTTP_PROXY', integrationUri: 'https://shared.example.com', integrationMethod: 'POST' },
  });
  t.equal(created.statusCode, 201);
  const sharedId = created.json().integration.integrationId as string;
  // Another tool bound two routes to it (Gatewire's intent form keeps one integration per route).
  const client = apiGatewayClientFor(ctx.fake);
  t.teardown(() => client.destroy());
  for (const routeKey of ['a', 'b']) {
    await client.send(new CreateRouteCommand({ ApiId: ctx.apiId, RouteKey: routeKey, Target: `integrations/${sharedId}` }));
  }
  ctx.fake.resetCalls();
  const result = await put(ctx, 'a', http('https://shared.example.com', { timeoutInMillis: 2000 }));
  t.equal(result.status, 200);
  t.same(writes(ctx), ['CreateIntegration', 'UpdateRoute'], 'a new integration for this route; the shared one stays');
  t.equal(ctx.fake.api(ctx.apiId).integration(sharedId)!.timeoutInMillis, 29000, 'the shared integration is untouched');
  t.equal(integrationOf(ctx, 'b')!.integrationId, sharedId, 'the other route still uses it');
  t.same(result.body.routeIntegration.sharedWith, []);
});

t.test('DELETE unbinds, deletes the unused integration, and is idempotent', async (t) => {
  const ctx = await buildTestApp(t);
  await put(ctx, '$connect', http('https://a.example.com/connect'));
  const integrationId = integrationOf(ctx, '$connect')!.integrationId;
  ctx.fake.resetCalls();

  const first = await ctx.app.inject({ method: 'DELETE', url: routeIntegrationUrl(ctx.apiId, '$connect') });
  t.equal(first.statusCode, 200);
  t.equal(first.json().outcome, 'applied');
  t.same(writes(ctx), ['UpdateRoute', 'DeleteIntegration']);
  t.notOk(ctx.fake.api(ctx.apiId).route('$connect')!.target, 'the route stays, unbound');
  t.notOk(ctx.fake.api(ctx.apiId).integration(integrationId));

  ctx.fake.resetCalls();
  const second = await ctx.app.inject({ method: 'DELETE', url: routeIntegrationUrl(ctx.apiId, '$connect') });
  t.equal(second.statusCode, 200);
  t.equal(second.json().outcome, 'unchanged');
  t.same(writes(ctx), []);

  const missing = await ctx.app.inject({ method: 'DELETE', url: routeIntegrationUrl(ctx.apiId, 'nosuchroute') });
  t.equal(missing.statusCode, 404);
  t.match(missing.headers['content-type'], /application\/problem\+json/);
});

t.test('GET returns the route integration; 404 for a route that does not exist', async (t) => {
  const ctx = await buildTestApp(t);
  await put(ctx, 'send', { backend: { type: 'mock' }, returnResponse: true });
  const found = await ctx.app.inject({ method: 'GET', url: routeIntegrationUrl(ctx.apiId, 'send') });
  t.equal(found.statusCode, 200);
  t.match(found.json(), { routeKey: 'send', integration: { integrationType: 'MOCK' }, returnResponse: true });
  const missing = await ctx.app.inject({ method: 'GET', url: routeIntegrationUrl(ctx.apiId, 'other') });
  t.equal(missing.statusCode, 404);
});

t.test('returnResponse false turns a two-way route back into a one-way route', async (t) => {
  const ctx = await buildTestApp(t);
  await put(ctx, 'send', { backend: { type: 'mock' }, returnResponse: true });
  ctx.fake.resetCalls();
  const result = await put(ctx, 'send', { backend: { type: 'mock' }, returnResponse: false });
  t.equal(result.status, 200);
  t.same(writes(ctx), ['UpdateRoute', 'DeleteRouteResponse']);
  const route = ctx.fake.api(ctx.apiId).route('send')!;
  t.notOk(route.routeResponseSelectionExpression);
  t.same(ctx.fake.api(ctx.apiId).routeResponses(route.routeId), []);
  t.equal(result.body.routeIntegration.returnResponse, false);
});

t.test('a dry run returns the plan, changes nothing, and the real run makes exactly those calls', async (t) => {
  const ctx = await buildTestApp(t);
  const body = {
    backend: { type: 'http', url: 'https://a.example.com/x', method: 'POST', proxy: false },
    responses: { $default: { responseTemplates: { 'application/json': '{}' } } },
    returnResponse: true,
  };
  const before = ctx.fake.snapshot();
  const dry = await put(ctx, 'send', body, '?dryRun=true');
  t.equal(dry.status, 200);
  t.equal(dry.body.outcome, 'planned');
  t.notOk(dry.body.auditId, 'a dry run writes no audit record');
  t.same(ctx.fake.writes(), [], 'no AWS write');
  t.same(ctx.fake.snapshot(), before);
  t.same(ctx.auditStore.records(), []);

  ctx.fake.resetCalls();
  const real = await put(ctx, 'send', body);
  t.equal(real.body.outcome, 'applied');
  t.same(
    writes(ctx),
    dry.body.plan.map((step: { operation: string }) => step.operation),
    'the real run made the planned calls, in order',
  );
});

t.test('every applied change has one succeeded audit record with its AWS calls', async (t) => {
  const ctx = await buildTestApp(t);
  const result = await put(ctx, '$default', { backend: { type: 'mock' } });
  const records = ctx.auditStore.records();
  t.equal(records.length, 1);
  const record = records[0]!;
  t.equal(record.id, result.body.auditId);
  t.match(record, { status: 'succeeded', action: 'route-integration.put', apiId: ctx.apiId, routeKey: '$default' });
  t.ok(record.integrationId, 'the record names the integration');
  const writeCalls = record.awsCalls.filter((call) => /^(Create|Update|Delete)/.test(call.operation));
  t.same(writeCalls.map((call) => call.operation), ['CreateIntegration', 'CreateRoute']);
  t.ok(writeCalls.every((call) => call.outcome === 'ok' && typeof call.requestId === 'string' && call.requestId.length > 0));
  t.ok(record.awsCalls.some((call) => call.operation === 'GetRoutes'), 'reads are recorded too');
});
