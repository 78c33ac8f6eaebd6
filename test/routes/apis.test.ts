// GET /v1/apis and GET /v1/apis/{apiId}/routes: read-only views, through the real SDK into the fake.
import t from 'tap';
import { CreateRouteCommand } from '@aws-sdk/client-apigatewayv2';
import { buildTestApp, routeIntegrationUrl } from '../support/build-test-app.js';
import { DEFAULT_PAGE_SIZE } from '../support/fake-aws/index.js';
import { apiGatewayClientFor } from '../support/fake-aws/sdk-clients.js';
import { assertProblem } from '../support/problems.js';

t.test('GET /v1/apis lists only the WebSocket APIs', async (t) => {
  const { app, fake, apiId } = await buildTestApp(t, { checkValidators: true });
  const secondId = fake.seedApi({ name: 'notifications', routeSelectionExpression: '$request.body.type' });
  const httpId = fake.seedApi({ name: 'rest-ish', protocolType: 'HTTP' });

  const response = await app.inject({ method: 'GET', url: '/v1/apis' });
  t.equal(response.statusCode, 200, response.body.slice(0, 500));
  const items = response.json().items as { apiId: string }[];
  t.same(items.map((api) => api.apiId).sort(), [apiId, secondId].sort());
  t.notOk(items.some((api) => api.apiId === httpId), 'the HTTP API is left out');
  t.same(
    items.find((api) => api.apiId === secondId),
    {
      apiId: secondId,
      name: 'notifications',
      protocolType: 'WEBSOCKET',
      routeSelectionExpression: '$request.body.type',
      apiEndpoint: `wss://${secondId}.execute-api.${fake.region}.amazonaws.com`,
      target: 'default',
    },
    'id, name, route selection expression, endpoint, and its target (the only one configured)',
  );
  t.same(fake.writes(), []);
});

t.test('GET /v1/apis with more APIs than one page of AWS', async (t) => {
  const { app, fake, apiId } = await buildTestApp(t, { checkValidators: true });
  const ids = [apiId];
  for (let i = 0; i < DEFAULT_PAGE_SIZE + 5; i += 1) {
    ids.push(fake.seedApi({ name: `api-${i}` }));
    fake.seedApi({ name: `http-${i}`, protocolType: 'HTTP' });
  }
  const response = await app.inject({ method: 'GET', url: '/v1/apis' });
  t.equal(response.statusCode, 200);
  t.same(response.json().items.map((api: { apiId: string }) => api.apiId).sort(), ids.sort());
});

t.test('GET /v1/apis/{apiId}/routes: sorted, each with its integration', async (t) => {
  const { app, fake, apiId } = await buildTestApp(t, { checkValidators: true });
  const empty = await app.inject({ method: 'GET', url: `/v1/apis/${apiId}/routes` });
  t.equal(empty.statusCode, 200);
  t.same(empty.json(), { items: [] });

  const url = 'https://backend.example.com/messages';
  for (const [routeKey, body] of [
    ['sendmessage', { backend: { type: 'http', url, method: 'POST' } }],
    ['$default', { backend: { type: 'mock' }, returnResponse: true }],
    ['$connect', { backend: { type: 'vpcLink', vpcLinkId: 'abc123', url: 'http://internal-nlb.example.com/ws', method: 'POST' } }],
  ] as const) {
    const put = await app.inject({ method: 'PUT', url: routeIntegrationUrl(apiId, routeKey), payload: body });
    t.equal(put.statusCode, 200, put.body.slice(0, 300));
  }
  // A route without an integration, created by another tool.
  const client = apiGatewayClientFor(fake);
  t.teardown(() => client.destroy());
  await client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'broadcast' }));

  fake.resetCalls();
  const response = await app.inject({ method: 'GET', url: `/v1/apis/${apiId}/routes` });
  t.equal(response.statusCode, 200, response.body.slice(0, 500));
  const items = response.json().items as { routeKey: string; routeId: string; target?: string; integration?: object }[];
  t.same(items.map((route) => route.routeKey), ['$connect', '$default', 'broadcast', 'sendmessage'], 'sorted by route key');

  const stored = (routeKey: string) => fake.api(apiId).route(routeKey)!;
  const integrationIdOf = (routeKey: string) => stored(routeKey).target!.replace('integrations/', '');
  t.same(items[0], {
    routeId: stored('$connect').routeId,
    routeKey: '$connect',
    target: stored('$connect').target,
    authorizationType: 'NONE',
    integration: {
      integrationId: integrationIdOf('$connect'),
      integrationType: 'HTTP_PROXY',
      integrationUri: 'http://internal-nlb.example.com/ws',
      connectionType: 'VPC_LINK',
    },
  }, 'the route and a summary of its integration');
  t.match(items[1], {
    routeKey: '$default',
    routeResponseSelectionExpression: '$default',
    integration: { integrationId: integrationIdOf('$default'), integrationType: 'MOCK', connectionType: 'INTERNET' },
  });
  t.notOk((items[1]!.integration as { integrationUri?: string }).integrationUri, 'a mock has no URI');
  t.notOk(items[2]!.integration, 'an unbound route has no integration');
  t.notOk(items[2]!.target);
  t.match(items[3], {
    routeKey: 'sendmessage',
    integration: { integrationId: integrationIdOf('sendmessage'), integrationType: 'HTTP_PROXY', integrationUri: url },
  });
  t.same(fake.writes(), [], 'a read writes nothing');
});

t.test('GET /v1/apis/{apiId}/routes: more routes than one page of AWS all come back', async (t) => {
  const { app, fake, apiId } = await buildTestApp(t, { checkValidators: true });
  const client = apiGatewayClientFor(fake);
  t.teardown(() => client.destroy());
  const count = DEFAULT_PAGE_SIZE * 2 + 3;
  const keys: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const routeKey = `route-${String(i).padStart(3, '0')}`;
    keys.push(routeKey);
    await client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: routeKey }));
  }
  const response = await app.inject({ method: 'GET', url: `/v1/apis/${apiId}/routes` });
  t.equal(response.statusCode, 200);
  t.same(response.json().items.map((route: { routeKey: string }) => route.routeKey), keys);
});

t.test('GET /v1/apis/{apiId}/routes: unknown API, HTTP API, bad id', async (t) => {
  const { app, fake } = await buildTestApp(t, { checkValidators: true });
  const unknown = await app.inject({ method: 'GET', url: '/v1/apis/nosuchapi/routes' });
  const problem = assertProblem(t, unknown, 404);
  t.match(problem.aws, { error: 'NotFoundException', requestId: String });
  t.ok(fake.calls.some((call) => call.requestId === problem.aws.requestId), "the request id is AWS's");

  const httpId = fake.seedApi({ name: 'rest-ish', protocolType: 'HTTP' });
  const http = await app.inject({ method: 'GET', url: `/v1/apis/${httpId}/routes` });
  t.match(assertProblem(t, http, 400).errors, [{ path: '/apiId', message: /WebSocket/ }]);

  fake.resetCalls();
  const bad = await app.inject({ method: 'GET', url: '/v1/apis/Not_An_Id/routes' });
  t.match(assertProblem(t, bad, 400).errors, [{ path: '/params/apiId' }]);
  t.same(fake.calls, [], 'a bad id makes no AWS call');
});
