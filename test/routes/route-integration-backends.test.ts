// One test per backend type the console offers: PUT …/routes/{routeKey}/integration through the
// real SDK into the fake, then the fake's state, then a second identical PUT that writes nothing.
import t from 'tap';
import { buildTestApp, routeIntegrationUrl, type TestApp } from '../support/build-test-app.js';
import type { TestContext } from '../support/tap.js';

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const lambdaUri = (functionArn: string) =>
  `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/${functionArn}/invocations`;

async function putTwice(t: TestContext, ctx: TestApp, routeKey: string, body: object) {
  const { app, fake, apiId } = ctx;
  const first = await app.inject({ method: 'PUT', url: routeIntegrationUrl(apiId, routeKey), payload: body });
  t.equal(first.statusCode, 200, `first PUT answers 200: ${first.body.slice(0, 500)}`);
  t.equal(first.json().outcome, 'applied');
  t.ok(first.json().auditId, 'the change has an audit record');
  const route = fake.api(apiId).route(routeKey);
  t.ok(route, 'the route exists in API Gateway');
  const integrationId = route!.target?.replace('integrations/', '') ?? '';
  const integration = fake.api(apiId).integration(integrationId);
  t.ok(integration, 'the route targets an existing integration');

  fake.resetCalls();
  const second = await app.inject({ method: 'PUT', url: routeIntegrationUrl(apiId, routeKey), payload: body });
  t.equal(second.statusCode, 200);
  t.equal(second.json().outcome, 'unchanged', 'the same body again changes nothing');
  t.same(fake.writes(), [], 'and makes no AWS write');
  return { integration: integration!, route: route!, body: first.json() };
}

t.test('lambda proxy by name', async (t) => {
  const ctx = await buildTestApp(t);
  const arn = ctx.fake.seedFunction({ name: 'chat-handler' });
  const { integration } = await putTwice(t, ctx, 'sendmessage', { backend: { type: 'lambda', function: 'chat-handler' } });
  t.match(integration, {
    integrationType: 'AWS_PROXY',
    integrationMethod: 'POST',
    integrationUri: lambdaUri(arn),
    timeoutInMillis: 29000,
    connectionType: 'INTERNET',
  });
  t.notOk(integration.credentialsArn, 'no credentials: the function policy grants the invoke');
});

t.test('lambda by name:alias and name:version keeps the qualifier in the URI', async (t) => {
  const ctx = await buildTestApp(t);
  const arn = ctx.fake.seedFunction({ name: 'chat', aliases: ['live'], versions: ['3'] });
  const alias = await putTwice(t, ctx, '$connect', { backend: { type: 'lambda', function: 'chat:live' } });
  t.equal(alias.integration.integrationUri, lambdaUri(`${arn}:live`));
  const version = await putTwice(t, ctx, '$disconnect', { backend: { type: 'lambda', function: 'chat:3' } });
  t.equal(version.integration.integrationUri, lambdaUri(`${arn}:3`));
});

t.test('lambda by ARN in another account, non-proxy, with an execution role', async (t) => {
  const ctx = await buildTestApp(t);
  const foreignArn = 'arn:aws:lambda:us-east-1:210987654321:function:shared-auth';
  const { integration } = await putTwice(t, ctx, 'auth', {
    backend: { type: 'lambda', function: foreignArn, proxy: false, executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/apigw-invoke` },
    requestTemplates: { 'application/json': '{"body": $input.json(\'$\')}' },
    templateSelectionExpression: '\\$default',
    responses: { $default: { responseTemplates: { 'application/json': "$input.json('$')" } } },
  });
  t.match(integration, {
    integrationType: 'AWS',
    integrationUri: lambdaUri(foreignArn),
    credentialsArn: `arn:aws:iam::${ACCOUNT}:role/apigw-invoke`,
    templateSelectionExpression: '\\$default',
  });
  t.same(
    ctx.fake.api(ctx.apiId).integrationResponses(integration.integrationId).map((r) => r.integrationResponseKey),
    ['$default'],
  );
  t.notOk(ctx.fake.calls.some((call) => call.service === 'lambda'), 'an ARN needs no Lambda lookup');
});

t.test('lambda invoked with the caller credentials', async (t) => {
  const ctx = await buildTestApp(t);
  ctx.fake.seedFunction({ name: 'private-fn' });
  const { integration } = await putTwice(t, ctx, '$default', {
    backend: { type: 'lambda', function: 'private-fn', invokeWithCallerCredentials: true },
  });
  t.equal(integration.credentialsArn, 'arn:aws:iam::*:user/*');
});

t.test('http proxy and http with templates', async (t) => {
  const ctx = await buildTestApp(t);
  const proxy = await putTwice(t, ctx, 'send', {
    backend: { type: 'http', url: 'https://backend.example.com/messages', method: 'POST' },
    timeoutInMillis: 5000,
  });
  t.match(proxy.integration, {
    integrationType: 'HTTP_PROXY',
    integrationUri: 'https://backend.example.com/messages',
    integrationMethod: 'POST',
    timeoutInMillis: 5000,
    connectionType: 'INTERNET',
  });
  const templated = await putTwice(t, ctx, 'echo', {
    backend: { type: 'http', url: 'https://backend.example.com/echo', method: 'PUT', proxy: false },
    requestTemplates: { 'application/json': '{"m": $input.body}' },
    passthroughBehavior: 'NEVER',
    contentHandlingStrategy: 'CONVERT_TO_TEXT',
    requestParameters: { 'integration.request.header.x-connection': 'context.connectionId' },
    description: 'echo backend',
    responses: { '/2\\d\\d/': { responseTemplates: { 'application/json': '{"ok":true}' } }, $default: {} },
  });
  t.match(templated.integration, {
    integrationType: 'HTTP',
    passthroughBehavior: 'NEVER',
    contentHandlingStrategy: 'CONVERT_TO_TEXT',
    requestParameters: { 'integration.request.header.x-connection': 'context.connectionId' },
    description: 'echo backend',
  });
  t.same(
    ctx.fake
      .api(ctx.apiId)
      .integrationResponses(templated.integration.integrationId)
      .map((r) => r.integrationResponseKey)
      .sort(),
    ['$default', '/2\\d\\d/'],
  );
});

t.test('mock, two-way', async (t) => {
  const ctx = await buildTestApp(t);
  const { integration, route } = await putTwice(t, ctx, '$default', {
    backend: { type: 'mock' },
    requestTemplates: { 'application/json': '{"statusCode":200}' },
    responses: { $default: { responseTemplates: { 'application/json': '{"pong":true}' } } },
    returnResponse: true,
  });
  t.match(integration, { integrationType: 'MOCK', passthroughBehavior: 'WHEN_NO_MATCH', timeoutInMillis: 29000 });
  t.notOk(integration.integrationUri);
  t.equal(route.routeResponseSelectionExpression, '$default');
  t.same(ctx.fake.api(ctx.apiId).routeResponses(route.routeId).map((r) => r.routeResponseKey), ['$default']);
});

t.test('aws service with an execution role', async (t) => {
  const ctx = await buildTestApp(t);
  const { integration } = await putTwice(t, ctx, 'enqueue', {
    backend: {
      type: 'aws',
      uri: `arn:aws:apigateway:${REGION}:sqs:path/${ACCOUNT}/chat-queue`,
      method: 'POST',
      executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/apigw-sqs`,
    },
    requestParameters: { 'integration.request.header.Content-Type': "'application/x-www-form-urlencoded'" },
    requestTemplates: { 'application/json': 'Action=SendMessage&MessageBody=$input.body' },
    passthroughBehavior: 'NEVER',
  });
  t.match(integration, {
    integrationType: 'AWS',
    integrationUri: `arn:aws:apigateway:${REGION}:sqs:path/${ACCOUNT}/chat-queue`,
    credentialsArn: `arn:aws:iam::${ACCOUNT}:role/apigw-sqs`,
  });
});

t.test('vpc link by id and by stage variable', async (t) => {
  const ctx = await buildTestApp(t);
  const byId = await putTwice(t, ctx, 'private', {
    backend: { type: 'vpcLink', vpcLinkId: 'abc123', url: 'http://internal-nlb.example.com/ws', method: 'POST' },
  });
  t.match(byId.integration, { integrationType: 'HTTP_PROXY', connectionType: 'VPC_LINK', connectionId: 'abc123' });
  const byStageVariable = await putTwice(t, ctx, 'private2', {
    backend: { type: 'vpcLink', vpcLinkId: '${stageVariables.vpcLinkId}', url: 'http://internal-nlb.example.com/ws', method: 'ANY', proxy: false },
  });
  t.match(byStageVariable.integration, {
    integrationType: 'HTTP',
    connectionType: 'VPC_LINK',
    connectionId: '${stageVariables.vpcLinkId}',
  });
});

t.test('a function name that does not exist is a 400 on /backend/function, and nothing is written', async (t) => {
  const ctx = await buildTestApp(t);
  const response = await ctx.app.inject({
    method: 'PUT',
    url: routeIntegrationUrl(ctx.apiId, 'send'),
    payload: { backend: { type: 'lambda', function: 'no-such-function' } },
  });
  t.equal(response.statusCode, 400);
  t.match(response.json(), { errors: [{ path: '/backend/function', message: /does not exist/ }] });
  t.same(ctx.fake.writes(), []);
  t.same(ctx.auditStore.records(), [], 'no change, no audit record');
});
