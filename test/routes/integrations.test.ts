// The raw form: GET/POST /v1/apis/{apiId}/integrations and GET/PATCH/DELETE …/{integrationId},
// driven through the real SDK into the fake; the fake's state and call log say what AWS saw.
import t from 'tap';
import { CreateIntegrationCommand, CreateRouteCommand } from '@aws-sdk/client-apigatewayv2';
import { buildTestApp, routeIntegrationUrl, type TestApp } from '../support/build-test-app.js';
import { startFakeAws } from '../support/fake-aws/index.js';
import { assertProblem } from '../support/problems.js';
import type { TestContext } from '../support/tap.js';
import { apiGatewayClientFor } from '../support/fake-aws/sdk-clients.js';

const HTTP_PROXY = {
  integrationType: 'HTTP_PROXY',
  integrationUri: 'https://backend.example.com/messages',
  integrationMethod: 'POST',
  timeoutInMillis: 5000,
  description: 'chat backend',
};
const MOCK = { integrationType: 'MOCK', requestTemplates: { 'application/json': '{"statusCode":200}' } };

const integrationsUrl = (apiId: string, query = '') => `/v1/apis/${apiId}/integrations${query}`;
const integrationUrl = (apiId: string, integrationId: string, query = '') =>
  `/v1/apis/${apiId}/integrations/${integrationId}${query}`;

async function createIntegration(t: TestContext, { app, apiId }: TestApp, body: object): Promise<string> {
  const response = await app.inject({ method: 'POST', url: integrationsUrl(apiId), payload: body });
  t.equal(response.statusCode, 201, `POST answers 201: ${response.body.slice(0, 300)}`);
  return response.json().integration.integrationId as string;
}

t.test('list and get', async (t) => {
  const ctx = await buildTestApp(t, { checkValidators: true });
  const { app, fake, apiId } = ctx;
  const empty = await app.inject({ method: 'GET', url: integrationsUrl(apiId) });
  t.equal(empty.statusCode, 200);
  t.same(empty.json(), { items: [] });

  const httpId = await createIntegration(t, ctx, HTTP_PROXY);
  const mockId = await createIntegration(t, ctx, MOCK);
  const list = await app.inject({ method: 'GET', url: integrationsUrl(apiId) });
  t.equal(list.statusCode, 200);
  t.same(
    list.json().items.map((i: { integrationId: string }) => i.integrationId).sort(),
    [httpId, mockId].sort(),
  );
  t.match(
    list.json().items.find((i: { integrationId: string }) => i.integrationId === httpId),
    { ...HTTP_PROXY, connectionType: 'INTERNET', passthroughBehavior: 'WHEN_NO_MATCH' },
  );

  // Bind the mock to two routes and give it a response; GET shows all three.
  const bind = await app.inject({
    method: 'PUT',
    url: routeIntegrationUrl(apiId, 'ping'),
    payload: { backend: { type: 'mock' }, requestTemplates: MOCK.requestTemplates, responses: { $default: {} } },
  });
  t.equal(bind.statusCode, 200, bind.body.slice(0, 300));
  const boundId = bind.json().routeIntegration.integration.integrationId as string;

  const got = await app.inject({ method: 'GET', url: integrationUrl(apiId, boundId) });
  t.equal(got.statusCode, 200, got.body.slice(0, 300));
  t.match(got.json(), {
    integration: { integrationId: boundId, integrationType: 'MOCK' },
    integrationResponses: [{ integrationResponseKey: '$default', integrationResponseId: String }],
    routes: ['ping'],
  });

  const unbound = await app.inject({ method: 'GET', url: integrationUrl(apiId, httpId) });
  t.equal(unbound.statusCode, 200);
  t.same(unbound.json().routes, []);
  t.same(unbound.json().integrationResponses, []);
});

t.test('GET names every route bound to the integration, and DELETE refuses while they are', async (t) => {
  const ctx = await buildTestApp(t, { checkValidators: true });
  const { app, fake, apiId } = ctx;
  const integrationId = await createIntegration(t, ctx, MOCK);
  // Another tool binds two routes to it directly.
  const client = apiGatewayClientFor(fake);
  t.teardown(() => client.destroy());
  for (const routeKey of ['sendmessage', '$default']) {
    await client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: routeKey, Target: `integrations/${integrationId}` }));
  }
  await client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'unbound' }));

  const got = await app.inject({ method: 'GET', url: integrationUrl(apiId, integrationId) });
  t.equal(got.statusCode, 200);
  t.same([...got.json().routes].sort(), ['$default', 'sendmessage']);

  fake.resetCalls();
  const refused = await app.inject({ method: 'DELETE', url: integrationUrl(apiId, integrationId) });
  const problem = assertProblem(t, refused, 409);
  t.match(problem.detail, /\$default/);
  t.match(problem.detail, /sendmessage/);
  t.same(fake.writes(), []);
});

t.test('PATCH changes only the given field', async (t) => {
  const ctx = await buildTestApp(t, { checkValidators: true });
  const { app, fake, apiId } = ctx;
  const integrationId = await createIntegration(t, ctx, HTTP_PROXY);
  const before = fake.api(apiId).integration(integrationId)!;

  fake.resetCalls();
  const patched = await app.inject({ method: 'PATCH', url: integrationUrl(apiId, integrationId), payload: { timeoutInMillis: 10000 } });
  t.equal(patched.statusCode, 200, patched.body.slice(0, 500));
  t.match(patched.json(), {
    outcome: 'applied',
    auditId: String,
    plan: [{ operation: 'UpdateIntegration', params: { apiId, integrationId, timeoutInMillis: 10000 } }],
    integration: { integrationId, timeoutInMillis: 10000, integrationUri: HTTP_PROXY.integrationUri },
  });
  const writes = fake.writes();
  t.same(writes.map((call) => call.operation), ['UpdateIntegration'], 'one UpdateIntegration');
  t.same(writes[0]!.body, { timeoutInMillis: 10000 }, 'carrying only the changed field');
  t.same(fake.api(apiId).integration(integrationId), { ...before, timeoutInMillis: 10000 }, 'nothing else changed');

  fake.resetCalls();
  const again = await app.inject({
    method: 'PATCH',
    url: integrationUrl(apiId, integrationId),
    payload: { timeoutInMillis: 10000, description: HTTP_PROXY.description },
  });
  t.equal(again.statusCode, 200);
  t.match(again.json(), { outcome: 'unchanged', plan: [], integration: { integrationId, timeoutInMillis: 10000 } });
  t.notOk(again.json().auditId, 'no change, no audit record');
  t.same(fake.writes(), [], 'a PATCH that changes nothing makes no write');

  const audit = await ctx.auditStore.get(patched.json().auditId);
  t.match(audit, { action: 'integration.update', status: 'succeeded', integrationId, before: { timeoutInMillis: 5000 }, after: { timeoutInMillis: 10000 } });
});

t.test('PATCH validates the integration as it will be', async (t) => {
  const ctx = await buildTestApp(t, { checkValidators: true });
  const { app, fake, apiId } = ctx;
  const integrationId = await createIntegration(t, ctx, HTTP_PROXY);
  const before = fake.snapshot();
  fake.resetCalls();

  const vpc = await app.inject({ method: 'PATCH', url: integrationUrl(apiId, integrationId), payload: { connectionType: 'VPC_LINK' } });
  const problem = assertProblem(t, vpc, 400);
  t.match(problem.errors, [{ path: '/connectionId', message: /required/ }]);
  t.same(fake.writes(), [], 'no write');

  const mock = await app.inject({ method: 'PATCH', url: integrationUrl(apiId, integrationId), payload: { integrationType: 'MOCK' } });
  t.match(assertProblem(t, mock, 400).errors, [{ path: '/integrationUri' }], 'a MOCK cannot keep the URI');

  const schema = await app.inject({ method: 'PATCH', url: integrationUrl(apiId, integrationId), payload: { timeoutInMillis: 30000, bogus: 1 } });
  const schemaProblem = assertProblem(t, schema, 400);
  t.ok(schemaProblem.errors.some((e: { path: string }) => e.path === '/bogus'), 'unknown fields are named');
  t.ok(schemaProblem.errors.some((e: { path: string }) => e.path === '/timeoutInMillis'), 'and every bad field');

  const empty = await app.inject({ method: 'PATCH', url: integrationUrl(apiId, integrationId), payload: {} });
  assertProblem(t, empty, 400);

  t.same(fake.writes(), [], 'no write for any of them');
  t.same(fake.snapshot(), before);
  t.same(
    (await ctx.auditStore.list({ limit: 10 })).items.map((record) => record.action),
    ['integration.create'],
    'invalid input leaves no audit record',
  );
});

t.test('DELETE', async (t) => {
  const ctx = await buildTestApp(t, { checkValidators: true });
  const { app, fake, apiId } = ctx;

  const bind = await app.inject({
    method: 'PUT',
    url: routeIntegrationUrl(apiId, 'sendmessage'),
    payload: { backend: { type: 'http', url: 'https://backend.example.com/messages', method: 'POST' } },
  });
  t.equal(bind.statusCode, 200);
  const usedId = bind.json().routeIntegration.integration.integrationId as string;

  fake.resetCalls();
  const refused = await app.inject({ method: 'DELETE', url: integrationUrl(apiId, usedId) });
  const problem = assertProblem(t, refused, 409);
  t.match(problem.detail, /sendmessage/, 'the problem names the route');
  t.same(fake.writes(), [], 'no DeleteIntegration is sent');
  t.ok(fake.api(apiId).integration(usedId), 'the integration stays');

  const unusedId = await createIntegration(t, ctx, MOCK);
  fake.resetCalls();
  const deleted = await app.inject({ method: 'DELETE', url: integrationUrl(apiId, unusedId) });
  t.equal(deleted.statusCode, 200, deleted.body.slice(0, 300));
  t.match(deleted.json(), { outcome: 'applied', auditId: String, plan: [{ operation: 'DeleteIntegration', params: { apiId, integrationId: unusedId } }] });
  t.same(fake.writes().map((call) => call.operation), ['DeleteIntegration']);
  t.notOk(fake.api(apiId).integration(unusedId), 'it is gone');

  fake.resetCalls();
  const again = await app.inject({ method: 'DELETE', url: integrationUrl(apiId, unusedId) });
  t.equal(again.statusCode, 200);
  t.match(again.json(), { outcome: 'unchanged', plan: [] });
  t.same(fake.writes(), []);

  const gone = await app.inject({ method: 'GET', url: integrationUrl(apiId, unusedId) });
  assertProblem(t, gone, 404);
});

t.test('unknown API, unknown integration, HTTP API', async (t) => {
  const ctx = await buildTestApp(t, { checkValidators: true });
  const { app, fake, apiId } = ctx;
  const integrationId = await createIntegration(t, ctx, MOCK);
  fake.resetCalls();

  const requests = [
    { method: 'GET' as const, url: integrationsUrl('nosuchapi') },
    { method: 'POST' as const, url: integrationsUrl('nosuchapi'), payload: MOCK },
    { method: 'GET' as const, url: integrationUrl('nosuchapi', integrationId) },
    { method: 'PATCH' as const, url: integrationUrl('nosuchapi', integrationId), payload: { description: 'x' } },
    { method: 'DELETE' as const, url: integrationUrl('nosuchapi', integrationId) },
  ];
  for (const request of requests) {
    const response = await app.inject(request);
    const problem = assertProblem(t, response, 404);
    t.match(problem.aws, { error: 'NotFoundException', requestId: String }, `${request.method} names AWS's error`);
    t.ok(fake.calls.some((call) => call.requestId === problem.aws.requestId), "the request id is AWS's");
  }

  for (const method of ['GET', 'PATCH'] as const) {
    const response = await app.inject({
      method,
      url: integrationUrl(apiId, 'nosuch1'),
      ...(method === 'PATCH' ? { payload: { description: 'x' } } : {}),
    });
    const problem = assertProblem(t, response, 404);
    t.match(problem.detail, /nosuch1/, `${method}: the problem names the integration`);
  }

  const httpApi = fake.seedApi({ name: 'rest-ish', protocolType: 'HTTP' });
  for (const request of [
    { method: 'GET' as const, url: integrationsUrl(httpApi) },
    { method: 'POST' as const, url: integrationsUrl(httpApi), payload: HTTP_PROXY },
  ]) {
    const response = await app.inject(request);
    const problem = assertProblem(t, response, 400);
    t.match(problem.errors, [{ path: '/apiId', message: /WebSocket/ }], `${request.method}: not a WebSocket API`);
  }
  // An integration of the HTTP API, made by another tool: Gatewire neither shows nor changes it.
  const client = apiGatewayClientFor(fake);
  t.teardown(() => client.destroy());
  const foreign = await client.send(
    new CreateIntegrationCommand({ ApiId: httpApi, IntegrationType: 'HTTP_PROXY', IntegrationUri: 'https://example.com', IntegrationMethod: 'ANY' }),
  );
  fake.resetCalls();
  for (const request of [
    { method: 'GET' as const, url: integrationUrl(httpApi, foreign.IntegrationId!) },
    { method: 'PATCH' as const, url: integrationUrl(httpApi, foreign.IntegrationId!), payload: { description: 'x' } },
    { method: 'DELETE' as const, url: integrationUrl(httpApi, foreign.IntegrationId!) },
    { method: 'PUT' as const, url: `${integrationUrl(httpApi, foreign.IntegrationId!)}/responses/%24default`, payload: {} },
  ]) {
    const response = await app.inject(request);
    t.match(assertProblem(t, response, 400).errors, [{ path: '/apiId' }], `${request.method} ${request.url}`);
  }
  t.same(fake.writes(), [], 'none of these wrote anything');
  t.ok(fake.api(httpApi).integration(foreign.IntegrationId!), 'the HTTP API keeps its integration');
});

t.test('POST validates before any AWS call', async (t) => {
  const { app, fake, apiId } = await buildTestApp(t, { checkValidators: true });
  const response = await app.inject({
    method: 'POST',
    url: integrationsUrl(apiId),
    payload: { integrationType: 'HTTP_PROXY', connectionType: 'VPC_LINK', integrationUri: 'ftp://x' },
  });
  const problem = assertProblem(t, response, 400);
  const paths = problem.errors.map((e: { path: string }) => e.path).sort();
  t.same(paths, ['/connectionId', '/integrationMethod', '/integrationUri'], 'every violation at once');
  t.same(fake.calls, [], 'no AWS call at all');
});

t.test('?dryRun=true returns the plan and writes nothing', async (t) => {
  const ctx = await buildTestApp(t, { checkValidators: true });
  const { app, fake, apiId } = ctx;
  const integrationId = await createIntegration(t, ctx, HTTP_PROXY);
  const before = fake.snapshot();
  fake.resetCalls();

  const post = await app.inject({ method: 'POST', url: integrationsUrl(apiId, '?dryRun=true'), payload: MOCK });
  t.equal(post.statusCode, 200);
  t.match(post.json(), {
    outcome: 'planned',
    plan: [{ id: 'create-integration', operation: 'CreateIntegration', params: { apiId, ...MOCK }, compensation: { operation: 'DeleteIntegration' } }],
  });

  const patch = await app.inject({
    method: 'PATCH',
    url: integrationUrl(apiId, integrationId, '?dryRun=true'),
    payload: { integrationMethod: 'PUT' },
  });
  t.equal(patch.statusCode, 200);
  t.match(patch.json(), {
    outcome: 'planned',
    plan: [
      {
        operation: 'UpdateIntegration',
        params: { apiId, integrationId, integrationMethod: 'PUT' },
        compensation: { operation: 'UpdateIntegration', params: { apiId, integrationId, integrationMethod: 'POST' } },
      },
    ],
    integration: { integrationId, integrationMethod: 'POST' },
  });

  const del = await app.inject({ method: 'DELETE', url: integrationUrl(apiId, integrationId, '?dryRun=true') });
  t.equal(del.statusCode, 200);
  t.match(del.json(), { outcome: 'planned', plan: [{ operation: 'DeleteIntegration', params: { apiId, integrationId } }] });

  t.same(fake.writes(), [], 'no write');
  t.same(fake.snapshot(), before, 'and nothing changed');
  t.same((await ctx.auditStore.list({ limit: 10 })).items.filter((r) => r.action !== 'integration.create'), [], 'and no audit record');
});

t.test('the audit record of a create holds the integration it created', async (t) => {
  const ctx = await buildTestApp(t, { checkValidators: true });
  const { app, apiId } = ctx;
  const response = await app.inject({ method: 'POST', url: integrationsUrl(apiId), payload: HTTP_PROXY });
  t.equal(response.statusCode, 201);
  const { auditId, integration } = response.json();
  const record = await ctx.auditStore.get(auditId);
  t.match(record, {
    action: 'integration.create',
    apiId,
    status: 'succeeded',
    integrationId: integration.integrationId,
    request: HTTP_PROXY,
    before: null,
  });
  t.same(
    record?.awsCalls.filter((call) => !call.operation.startsWith('Get')).map((call) => [call.operation, call.outcome]),
    [['CreateIntegration', 'ok']],
  );
  t.same(record?.after, integration, 'after: the integration as AWS holds it');
});

t.test('AWS failures leave as problems with AWS error name, request id and audit record', async (t) => {
  const fake = await startFakeAws({ integrationQuota: 1 });
  t.teardown(() => fake.close());
  const ctx = await buildTestApp(t, { checkValidators: true, fake });
  const { app, apiId } = ctx;
  await createIntegration(t, ctx, MOCK);

  const full = await app.inject({ method: 'POST', url: integrationsUrl(apiId), payload: MOCK });
  const conflict = assertProblem(t, full, 409);
  t.match(conflict, { aws: { error: 'ConflictException', requestId: String }, auditId: String, detail: /Maximum number of Integrations/ });
  t.match(await ctx.auditStore.get(conflict.auditId), { status: 'failed', error: { aws: { error: 'ConflictException' } } });

  fake.inject({ operation: 'UpdateIntegration', fault: 'server-error', times: 1 });
  const integrationId = fake.api(apiId).integrations[0]!.integrationId;
  const broken = await app.inject({ method: 'PATCH', url: integrationUrl(apiId, integrationId), payload: { description: 'x' } });
  const upstream = assertProblem(t, broken, 502);
  t.match(upstream.aws, { error: String, requestId: String });
  t.ok(fake.calls.some((call) => call.requestId === upstream.aws.requestId));
  t.notOk(fake.api(apiId).integration(integrationId)!.description, 'nothing changed');

  fake.inject({ operation: 'GetIntegrations', fault: 'throttle', times: 1 });
  const throttled = await app.inject({ method: 'GET', url: integrationsUrl(apiId) });
  assertProblem(t, throttled, 503);
  t.match(throttled.headers['retry-after'], /^\d+$/);

  // API Gateway's "concurrent modification" 409 is retried, and the change goes through.
  fake.inject({ operation: 'UpdateIntegration', fault: 'concurrent-modification', times: 1 });
  const retried = await app.inject({ method: 'PATCH', url: integrationUrl(apiId, integrationId), payload: { description: 'y' } });
  t.equal(retried.statusCode, 200, retried.body.slice(0, 300));
  t.equal(fake.api(apiId).integration(integrationId)!.description, 'y');
});
