import {
  CreateIntegrationCommand,
  CreateRouteCommand,
  DeleteIntegrationCommand,
  GetIntegrationCommand,
  GetIntegrationsCommand,
  UpdateIntegrationCommand,
  type ApiGatewayV2Client,
} from '@aws-sdk/client-apigatewayv2';
import t from 'tap';
import { startFakeAws, type FakeAws, type FakeAwsOptions } from '../support/fake-aws/index.js';
import { apiGatewayClientFor } from '../support/fake-aws/sdk-clients.js';
import { sdkFailureOf } from '../support/fake-aws/sdk-failure.js';

const LAMBDA_URI =
  'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123412341234:function:simpleproxy-echo-e2e/invocations';

async function setUp(t: { teardown(fn: () => unknown): void }, options: FakeAwsOptions = {}): Promise<{ fake: FakeAws; client: ApiGatewayV2Client; apiId: string }> {
  const fake = await startFakeAws(options);
  t.teardown(() => fake.close());
  return { fake, client: apiGatewayClientFor(fake), apiId: fake.seedApi({ name: 'chat' }) };
}

t.test('the seed page CLI example: MOCK integration returns the sample fields', async (t) => {
  const { fake, client, apiId } = await setUp(t);
  const out = await client.send(
    new CreateIntegrationCommand({
      ApiId: apiId,
      PassthroughBehavior: 'WHEN_NO_MATCH',
      TimeoutInMillis: 29000,
      ConnectionType: 'INTERNET',
      RequestTemplates: { 'application/json': '{"statusCode":200}' },
      IntegrationType: 'MOCK',
    }),
  );
  t.equal(out.$metadata.httpStatusCode, 201);
  t.match(out.IntegrationId, /^[a-z0-9]{7}$/);
  t.match(out, {
    PassthroughBehavior: 'WHEN_NO_MATCH',
    TimeoutInMillis: 29000,
    ConnectionType: 'INTERNET',
    IntegrationResponseSelectionExpression: '${integration.response.statuscode}',
    RequestTemplates: { 'application/json': '{"statusCode":200}' },
    IntegrationType: 'MOCK',
  });
  t.equal(out.IntegrationMethod, undefined, 'MOCK gets no method');
  // The request went out in lowerCamel wire names.
  const call = fake.calls.at(-1);
  t.match(call, { service: 'apigatewayv2', operation: 'CreateIntegration', method: 'POST', path: `/v2/apis/${apiId}/integrations`, status: 201 });
  t.match(call?.body, { integrationType: 'MOCK', timeoutInMillis: 29000, passthroughBehavior: 'WHEN_NO_MATCH' });
  t.same(fake.api(apiId).integration(out.IntegrationId ?? '')?.integrationType, 'MOCK');
});

t.test('the seed page CLI example: AWS_PROXY Lambda integration gets WebSocket defaults', async (t) => {
  const { client, apiId } = await setUp(t);
  const out = await client.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: LAMBDA_URI }));
  t.match(out, {
    PassthroughBehavior: 'WHEN_NO_MATCH',
    IntegrationMethod: 'POST',
    TimeoutInMillis: 29000,
    ConnectionType: 'INTERNET',
    PayloadFormatVersion: '1.0',
    IntegrationUri: LAMBDA_URI,
    IntegrationType: 'AWS_PROXY',
  });
  t.equal(out.IntegrationResponseSelectionExpression, undefined, 'proxy types have no IRSE (§1.2)');
});

t.test('integration response selection expression by type (§1.2)', async (t) => {
  const { client, apiId } = await setUp(t);
  const aws = await client.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS', IntegrationUri: LAMBDA_URI }));
  t.equal(aws.IntegrationResponseSelectionExpression, '${integration.response.body.errorMessage}');
  const http = await client.send(
    new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'HTTP', IntegrationUri: 'https://example.com/x', IntegrationMethod: 'GET' }),
  );
  t.equal(http.IntegrationResponseSelectionExpression, '${integration.response.statuscode}');
  const httpProxy = await client.send(
    new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'HTTP_PROXY', IntegrationUri: 'https://example.com/x', IntegrationMethod: 'POST' }),
  );
  t.equal(httpProxy.IntegrationResponseSelectionExpression, undefined);
  t.equal(httpProxy.PassthroughBehavior, 'WHEN_NO_MATCH');
});

t.test('validation: 400 BadRequestException naming the field', async (t) => {
  const { fake, client, apiId } = await setUp(t);
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['timeout above the WebSocket cap', { IntegrationType: 'MOCK', TimeoutInMillis: 29001 }, /timeoutInMillis/],
    ['timeout below 50', { IntegrationType: 'MOCK', TimeoutInMillis: 49 }, /timeoutInMillis/],
    ['unknown integration type', { IntegrationType: 'LAMBDA' }, /integrationType/],
    ['VPC_LINK without connectionId', { IntegrationType: 'HTTP_PROXY', IntegrationUri: 'https://x.example', IntegrationMethod: 'GET', ConnectionType: 'VPC_LINK' }, /connectionId/],
    ['HTTP without a URI', { IntegrationType: 'HTTP', IntegrationMethod: 'GET' }, /integrationUri/],
    ['AWS_PROXY without a URI', { IntegrationType: 'AWS_PROXY' }, /integrationUri/],
    ['HTTP-only subtype on WebSocket', { IntegrationType: 'AWS_PROXY', IntegrationUri: LAMBDA_URI, IntegrationSubtype: 'SQS-SendMessage' }, /integrationSubtype/],
    ['HTTP-only tlsConfig on WebSocket', { IntegrationType: 'HTTP_PROXY', IntegrationUri: 'https://x.example', IntegrationMethod: 'GET', TlsConfig: { ServerNameToVerify: 'x' } }, /tlsConfig/],
    ['HTTP-only responseParameters on WebSocket', { IntegrationType: 'MOCK', ResponseParameters: { '200': { 'overwrite:header.x': 'y' } } }, /responseParameters/],
    ['payload format 2.0 on WebSocket', { IntegrationType: 'AWS_PROXY', IntegrationUri: LAMBDA_URI, PayloadFormatVersion: '2.0' }, /payloadFormatVersion/],
    ['bad passthrough enum', { IntegrationType: 'MOCK', PassthroughBehavior: 'ALWAYS' }, /passthroughBehavior/],
    ['bad content handling enum', { IntegrationType: 'MOCK', ContentHandlingStrategy: 'BASE64' }, /contentHandlingStrategy/],
    ['bad request parameter key', { IntegrationType: 'MOCK', RequestParameters: { 'method.request.header.x': "'v'" } }, /requestParameters/],
  ];
  for (const [name, input, message] of cases) {
    const failure = await sdkFailureOf(client.send(new CreateIntegrationCommand({ ApiId: apiId, ...input } as never)));
    t.match(failure, { name: 'BadRequestException', status: 400, message }, name);
    t.ok(failure.requestId, `${name}: request id`);
  }
  t.same(fake.api(apiId).integrations, [], 'nothing was created');
});

t.test('UpdateIntegration is a PATCH: omitted fields stay', async (t) => {
  const { client, apiId } = await setUp(t);
  const created = await client.send(
    new CreateIntegrationCommand({
      ApiId: apiId,
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: LAMBDA_URI,
      TimeoutInMillis: 5000,
      Description: 'first',
      ContentHandlingStrategy: 'CONVERT_TO_TEXT',
    }),
  );
  const id = created.IntegrationId ?? '';
  const updated = await client.send(new UpdateIntegrationCommand({ ApiId: apiId, IntegrationId: id, Description: 'second' }));
  t.match(updated, { IntegrationId: id, Description: 'second', TimeoutInMillis: 5000, ContentHandlingStrategy: 'CONVERT_TO_TEXT', IntegrationUri: LAMBDA_URI });
  const read = await client.send(new GetIntegrationCommand({ ApiId: apiId, IntegrationId: id }));
  t.equal(read.Description, 'second');

  const invalid = await sdkFailureOf(client.send(new UpdateIntegrationCommand({ ApiId: apiId, IntegrationId: id, TimeoutInMillis: 30000 })));
  t.match(invalid, { name: 'BadRequestException', message: /timeoutInMillis/ });
  const afterInvalid = await client.send(new GetIntegrationCommand({ ApiId: apiId, IntegrationId: id }));
  t.equal(afterInvalid.TimeoutInMillis, 5000, 'a rejected update changes nothing');

  const toMock = await client.send(new UpdateIntegrationCommand({ ApiId: apiId, IntegrationId: id, IntegrationType: 'AWS' }));
  t.equal(toMock.IntegrationResponseSelectionExpression, '${integration.response.body.errorMessage}', 'IRSE follows the type');
});

t.test('404s carry the SDK error name', async (t) => {
  const { client, apiId } = await setUp(t);
  t.match(await sdkFailureOf(client.send(new GetIntegrationsCommand({ ApiId: 'nosuchapi0' }))), {
    name: 'NotFoundException',
    status: 404,
    message: 'Invalid API identifier specified 123456789012:nosuchapi0',
  });
  t.match(await sdkFailureOf(client.send(new GetIntegrationCommand({ ApiId: apiId, IntegrationId: 'abcdefg' }))), {
    name: 'NotFoundException',
    message: /Invalid Integration identifier specified/,
  });
  t.match(await sdkFailureOf(client.send(new UpdateIntegrationCommand({ ApiId: apiId, IntegrationId: 'abcdefg', Description: 'x' }))), {
    name: 'NotFoundException',
  });
  t.match(await sdkFailureOf(client.send(new DeleteIntegrationCommand({ ApiId: apiId, IntegrationId: 'abcdefg' }))), {
    name: 'NotFoundException',
  });
});

t.test('deleting an integration a route references is a 409 (§0.3)', async (t) => {
  const { fake, client, apiId } = await setUp(t);
  const { IntegrationId } = await client.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'MOCK' }));
  const route = await client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'send', Target: `integrations/${IntegrationId}` }));
  const failure = await sdkFailureOf(client.send(new DeleteIntegrationCommand({ ApiId: apiId, IntegrationId })));
  t.match(failure, {
    name: 'ConflictException',
    status: 409,
    message: `Cannot delete Integration because it is referenced by the following Routes: [${route.RouteId}]`,
  });
  t.equal(fake.api(apiId).integrations.length, 1);
});

t.test('DeleteIntegration answers 204 and removes it', async (t) => {
  const { fake, client, apiId } = await setUp(t);
  const { IntegrationId } = await client.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'MOCK' }));
  const out = await client.send(new DeleteIntegrationCommand({ ApiId: apiId, IntegrationId }));
  t.equal(out.$metadata.httpStatusCode, 204);
  t.same(fake.api(apiId).integrations, []);
});

t.test('integration quota is a 409 and configurable', async (t) => {
  const { client, apiId } = await setUp(t, { integrationQuota: 2 });
  await client.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'MOCK' }));
  await client.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'MOCK' }));
  t.match(await sdkFailureOf(client.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'MOCK' }))), {
    name: 'ConflictException',
    message: 'Maximum number of Integrations for this API has been reached',
  });
});

t.test('HTTP APIs refuse WebSocket-only types and fields, and default the timeout to 30000', async (t) => {
  const { fake, client } = await setUp(t);
  const apiId = fake.seedApi({ name: 'rest-ish', protocolType: 'HTTP' });
  t.match(await sdkFailureOf(client.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'MOCK' }))), { name: 'BadRequestException' });
  t.match(
    await sdkFailureOf(
      client.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: LAMBDA_URI, PayloadFormatVersion: '2.0', PassthroughBehavior: 'NEVER' })),
    ),
    { name: 'BadRequestException', message: /passthroughBehavior/ },
  );
  const out = await client.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: LAMBDA_URI, PayloadFormatVersion: '2.0' }));
  t.match(out, { TimeoutInMillis: 30000, PayloadFormatVersion: '2.0', IntegrationMethod: 'POST' });
  t.equal(out.PassthroughBehavior, undefined, 'blank on HTTP APIs (§1.2)');
});

t.test('UpdateIntegration merges requestParameters: a key sent with "" is removed, keys not sent are kept', async (t) => {
  const { fake, client, apiId } = await setUp(t);
  const created = await client.send(
    new CreateIntegrationCommand({
      ApiId: apiId,
      IntegrationType: 'HTTP_PROXY',
      IntegrationUri: 'https://a.example.com',
      IntegrationMethod: 'POST',
      RequestParameters: { 'integration.request.header.a': 'context.connectionId', 'integration.request.header.b': "'b'" },
    }),
  );
  const id = created.IntegrationId ?? '';
  const updated = await client.send(
    new UpdateIntegrationCommand({
      ApiId: apiId,
      IntegrationId: id,
      RequestParameters: { 'integration.request.header.a': '', 'integration.request.header.c': "'c'" },
    }),
  );
  t.same(updated.RequestParameters, { 'integration.request.header.b': "'b'", 'integration.request.header.c': "'c'" });
  t.same(fake.api(apiId).integration(id)?.requestParameters, { 'integration.request.header.b': "'b'", 'integration.request.header.c': "'c'" });

  await client.send(
    new UpdateIntegrationCommand({
      ApiId: apiId,
      IntegrationId: id,
      RequestParameters: { 'integration.request.header.b': '', 'integration.request.header.c': '' },
    }),
  );
  t.notOk(fake.api(apiId).integration(id)?.requestParameters, 'no key left: no map');
  t.equal(fake.api(apiId).integration(id)?.integrationId, id);
});
