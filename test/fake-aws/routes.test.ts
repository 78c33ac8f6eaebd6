import {
  CreateIntegrationCommand,
  CreateIntegrationResponseCommand,
  CreateRouteCommand,
  CreateRouteResponseCommand,
  DeleteRouteCommand,
  GetIntegrationResponsesCommand,
  GetRouteCommand,
  GetRouteResponsesCommand,
  GetRoutesCommand,
  UpdateIntegrationResponseCommand,
  UpdateRouteCommand,
  type ApiGatewayV2Client,
  type Route,
} from '@aws-sdk/client-apigatewayv2';
import t from 'tap';
import { startFakeAws, type FakeAws, type FakeAwsOptions } from '../support/fake-aws/index.js';
import { apiGatewayClientFor } from '../support/fake-aws/sdk-clients.js';
import { sdkFailureOf } from '../support/fake-aws/sdk-failure.js';

async function setUp(t: { teardown(fn: () => unknown): void }, options: FakeAwsOptions = {}): Promise<{ fake: FakeAws; client: ApiGatewayV2Client; apiId: string }> {
  const fake = await startFakeAws(options);
  t.teardown(() => fake.close());
  return { fake, client: apiGatewayClientFor(fake), apiId: fake.seedApi({ name: 'chat' }) };
}

t.test('GetRoutes pages 60 routes 25 at a time by default', async (t) => {
  const { fake, client, apiId } = await setUp(t);
  for (let i = 0; i < 60; i += 1) await client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: `action${i}` }));
  fake.resetCalls();

  const first = await client.send(new GetRoutesCommand({ ApiId: apiId }));
  t.equal(first.Items?.length, 25);
  t.type(first.NextToken, 'string');

  const collected: Route[] = [];
  // The model declares no GetRoutes paginator, so page by hand as Gatewire's adapter must.
  let nextToken: string | undefined;
  do {
    const page = await client.send(new GetRoutesCommand({ ApiId: apiId, NextToken: nextToken }));
    collected.push(...(page.Items ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  t.equal(collected.length, 60);
  t.same(collected.map((route) => route.RouteKey), Array.from({ length: 60 }, (_, i) => `action${i}`));
  t.equal(fake.calls.filter((call) => call.operation === 'GetRoutes').length, 1 + 3, 'three pages for 60 routes');

  // maxResults travels as a string query parameter.
  const small = await client.send(new GetRoutesCommand({ ApiId: apiId, MaxResults: '50' }));
  t.equal(small.Items?.length, 50);
  t.equal(fake.calls.at(-1)?.query.maxResults, '50');
  const last = await client.send(new GetRoutesCommand({ ApiId: apiId, MaxResults: '50', NextToken: small.NextToken }));
  t.equal(last.Items?.length, 10);
  t.equal(last.NextToken, undefined, 'no token once everything was returned');

  t.match(await sdkFailureOf(client.send(new GetRoutesCommand({ ApiId: apiId, NextToken: 'garbage' }))), { name: 'BadRequestException' });
});

t.test('duplicate route key is a 409 with AWS wording', async (t) => {
  const { client, apiId } = await setUp(t);
  await client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: '$default' }));
  t.match(await sdkFailureOf(client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: '$default' }))), {
    name: 'ConflictException',
    status: 409,
    message: 'Route with key $default already exists for this API',
  });
  const other = await client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'send' }));
  t.match(await sdkFailureOf(client.send(new UpdateRouteCommand({ ApiId: apiId, RouteId: other.RouteId, RouteKey: '$default' }))), {
    name: 'ConflictException',
  });
});

t.test('route defaults, targets and validation', async (t) => {
  const { fake, client, apiId } = await setUp(t);
  const route = await client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: '$connect' }));
  t.match(route, { RouteKey: '$connect', ApiKeyRequired: false, AuthorizationType: 'NONE' });
  t.match(route.RouteId, /^[a-z0-9]{7}$/);
  t.equal(route.$metadata.httpStatusCode, 201);

  t.match(await sdkFailureOf(client.send(new UpdateRouteCommand({ ApiId: apiId, RouteId: route.RouteId, Target: 'integrations/abcdefg' }))), {
    name: 'NotFoundException',
  });
  t.match(await sdkFailureOf(client.send(new UpdateRouteCommand({ ApiId: apiId, RouteId: route.RouteId, Target: 'lambda:foo' }))), {
    name: 'BadRequestException',
    message: /target/,
  });
  t.match(await sdkFailureOf(client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: '$custom' }))), { name: 'BadRequestException' });
  t.match(await sdkFailureOf(client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'send', AuthorizationType: 'AWS_IAM' }))), {
    name: 'BadRequestException',
    message: /\$connect/,
  });

  const { IntegrationId } = await client.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'MOCK' }));
  const bound = await client.send(
    new UpdateRouteCommand({ ApiId: apiId, RouteId: route.RouteId, Target: `integrations/${IntegrationId}`, RouteResponseSelectionExpression: '$default' }),
  );
  t.match(bound, { Target: `integrations/${IntegrationId}`, RouteResponseSelectionExpression: '$default', RouteKey: '$connect' });
  t.equal(fake.api(apiId).route('$connect')?.target, `integrations/${IntegrationId}`);
  t.match(fake.calls.at(-1), { method: 'PATCH', operation: 'UpdateRoute', body: { target: `integrations/${IntegrationId}` } });

  const deleted = await client.send(new DeleteRouteCommand({ ApiId: apiId, RouteId: route.RouteId }));
  t.equal(deleted.$metadata.httpStatusCode, 204);
  t.match(await sdkFailureOf(client.send(new GetRouteCommand({ ApiId: apiId, RouteId: route.RouteId }))), {
    name: 'NotFoundException',
    message: /Invalid Route identifier/,
  });
});

t.test('route quota is a 409 and configurable', async (t) => {
  const { client, apiId } = await setUp(t, { routeQuota: 3 });
  for (const key of ['a', 'b', 'c']) await client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: key }));
  t.match(await sdkFailureOf(client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'd' }))), {
    name: 'ConflictException',
    message: 'Maximum number of Routes for this API has been reached',
  });
});

t.test('integration responses: $default or /regex/, unique per integration', async (t) => {
  const { fake, client, apiId } = await setUp(t);
  const { IntegrationId } = await client.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'MOCK' }));
  const created = await client.send(
    new CreateIntegrationResponseCommand({ ApiId: apiId, IntegrationId, IntegrationResponseKey: '$default', ResponseTemplates: { $default: '{}' } }),
  );
  t.equal(created.$metadata.httpStatusCode, 201);
  t.match(created, { IntegrationResponseKey: '$default', ResponseTemplates: { $default: '{}' } });
  await client.send(new CreateIntegrationResponseCommand({ ApiId: apiId, IntegrationId, IntegrationResponseKey: '/4\\d{2}/' }));
  t.match(await sdkFailureOf(client.send(new CreateIntegrationResponseCommand({ ApiId: apiId, IntegrationId, IntegrationResponseKey: '$default' }))), {
    name: 'ConflictException',
  });
  t.match(await sdkFailureOf(client.send(new CreateIntegrationResponseCommand({ ApiId: apiId, IntegrationId, IntegrationResponseKey: '200' }))), {
    name: 'BadRequestException',
    message: /integrationResponseKey/,
  });
  t.match(await sdkFailureOf(client.send(new CreateIntegrationResponseCommand({ ApiId: apiId, IntegrationId: 'abcdefg', IntegrationResponseKey: '$default' }))), {
    name: 'NotFoundException',
  });
  const updated = await client.send(
    new UpdateIntegrationResponseCommand({ ApiId: apiId, IntegrationId, IntegrationResponseId: created.IntegrationResponseId, TemplateSelectionExpression: '\\$default' }),
  );
  t.match(updated, { IntegrationResponseKey: '$default', TemplateSelectionExpression: '\\$default', ResponseTemplates: { $default: '{}' } });
  const listed = await client.send(new GetIntegrationResponsesCommand({ ApiId: apiId, IntegrationId }));
  t.equal(listed.Items?.length, 2);
  t.equal(fake.api(apiId).integrationResponses(IntegrationId ?? '').length, 2);
});

t.test('route responses: only $default, once', async (t) => {
  const { fake, client, apiId } = await setUp(t);
  const { RouteId } = await client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'send', RouteResponseSelectionExpression: '$default' }));
  const created = await client.send(new CreateRouteResponseCommand({ ApiId: apiId, RouteId, RouteResponseKey: '$default' }));
  t.equal(created.$metadata.httpStatusCode, 201);
  t.match(created, { RouteResponseKey: '$default' });
  t.match(await sdkFailureOf(client.send(new CreateRouteResponseCommand({ ApiId: apiId, RouteId, RouteResponseKey: '$default' }))), { name: 'ConflictException' });
  t.match(await sdkFailureOf(client.send(new CreateRouteResponseCommand({ ApiId: apiId, RouteId, RouteResponseKey: 'other' }))), { name: 'BadRequestException' });
  const listed = await client.send(new GetRouteResponsesCommand({ ApiId: apiId, RouteId }));
  t.same(listed.Items?.map((item) => item.RouteResponseKey), ['$default']);
  t.equal(fake.api(apiId).routeResponses(RouteId ?? '').length, 1);
});
