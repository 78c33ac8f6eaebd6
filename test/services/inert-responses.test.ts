// Responses that do not run (reference §1.3, §2: proxy integrations ignore integration responses;
// route responses need a RouteResponseSelectionExpression) are not read, shown or tagged, yet a
// change that makes them run sees them, and If-Match with a GET's entity tag still works.
import { CreateIntegrationResponseCommand, CreateRouteResponseCommand } from '@aws-sdk/client-apigatewayv2';
import t from 'tap';
import { buildTestApp, routeIntegrationUrl, type TestApp } from '../support/build-test-app.js';
import { apiGatewayClientFor } from '../support/fake-aws/sdk-clients.js';
import type { TestContext } from '../support/tap.js';

const lambda = (fn: string, extra: object = {}) => ({ backend: { type: 'lambda', function: fn }, ...extra });
const custom = (fn: string, extra: object = {}) => ({ backend: { type: 'lambda', function: fn, proxy: false }, ...extra });

async function setUp(t: TestContext) {
  const ctx = await buildTestApp(t, { env: { GATEWIRE_ACCOUNT_ID: '123456789012' } });
  const arn = ctx.fake.seedFunction({ name: 'chat' });
  const url = routeIntegrationUrl(ctx.apiId, 'send');
  const get = () => ctx.app.inject({ method: 'GET', url });
  const put = (body: object, ifMatch?: string) =>
    ctx.app.inject({ method: 'PUT', url, payload: body, ...(ifMatch ? { headers: { 'if-match': ifMatch } } : {}) });
  return { ctx, arn, url, get, put };
}

const operations = (ctx: TestApp) => ctx.fake.calls.map((call) => call.operation);

/** Adds responses behind Gatewire's back, as the console would. */
async function addStrays(ctx: TestApp) {
  const client = apiGatewayClientFor(ctx.fake);
  const route = ctx.fake.api(ctx.apiId).route('send')!;
  const integrationId = route.target!.replace('integrations/', '');
  await client.send(new CreateIntegrationResponseCommand({ ApiId: ctx.apiId, IntegrationId: integrationId, IntegrationResponseKey: '$default' }));
  await client.send(new CreateRouteResponseCommand({ ApiId: ctx.apiId, RouteId: route.routeId, RouteResponseKey: '$default' }));
  return { integrationId, routeId: route.routeId };
}

t.test('responses that do not run are neither read nor shown, and the tags of GET and PUT agree', async (t) => {
  const { ctx, arn, get, put } = await setUp(t);
  t.equal((await put(lambda(arn))).statusCode, 200);
  const { integrationId, routeId } = await addStrays(ctx);

  ctx.fake.resetCalls();
  const read = await get();
  t.equal(read.statusCode, 200);
  t.notOk(operations(ctx).some((operation) => operation.endsWith('Responses')), `GET reads no responses: ${operations(ctx).join(' ')}`);
  t.same(read.json().integrationResponses, [], 'the proxy integration\'s response does not run');
  t.same(read.json().routeResponses, [], 'the route has no selection expression: its response does not run');
  t.equal(read.json().returnResponse, false);

  ctx.fake.resetCalls();
  const noop = await put(lambda(arn), String(read.headers.etag));
  t.equal(noop.statusCode, 200, `If-Match with the GET's tag: ${noop.body.slice(0, 300)}`);
  t.equal(noop.json().outcome ?? 'unchanged', 'unchanged');
  t.same(ctx.fake.writes(), [], 'nothing written, the strays left alone');
  t.same(operations(ctx).sort(), ['GetIntegration', 'GetPolicy', 'GetRoutes'], 'a no-op PUT makes 3 calls');
  t.equal(noop.headers.etag, read.headers.etag, 'the PUT computes the tag the GET did');
  t.equal(ctx.fake.api(ctx.apiId).integrationResponses(integrationId).length, 1);
  t.equal(ctx.fake.api(ctx.apiId).routeResponses(routeId).length, 1);
});

t.test('a change that turns two-way replies on sees the route response already there', async (t) => {
  const { ctx, arn, get, put } = await setUp(t);
  t.equal((await put(lambda(arn))).statusCode, 200);
  const { routeId } = await addStrays(ctx);
  const before = await get();

  ctx.fake.resetCalls();
  const twoWay = await put(lambda(arn, { returnResponse: true }), String(before.headers.etag));
  t.equal(twoWay.statusCode, 200, twoWay.body.slice(0, 300));
  t.ok(operations(ctx).includes('GetRouteResponses'), 'the route responses are read: the change makes them run');
  t.same(ctx.fake.writes().map((call) => call.operation), ['UpdateRoute'], 'the $default route response is kept, not created twice');
  t.equal(ctx.fake.api(ctx.apiId).routeResponses(routeId).length, 1);

  const after = await get();
  t.equal(after.json().returnResponse, true);
  t.same(twoWay.json().routeIntegration, after.json(), 'the answer\'s state is the state read afterwards');
  t.equal(twoWay.headers.etag, after.headers.etag);
});

t.test('a custom (non-proxy) integration\'s responses run: read, shown and tagged', async (t) => {
  const { ctx, arn, get, put } = await setUp(t);
  const intent = custom(arn, { returnResponse: true, responses: { $default: { templateSelectionExpression: '\\$default' } } });
  const created = await put(intent);
  t.equal(created.statusCode, 200, created.body.slice(0, 300));
  const read = await get();
  t.equal(read.json().integrationResponses.length, 1, 'the integration response is shown');
  t.equal(read.json().routeResponses.length, 1, 'so is the $default route response');
  t.same(created.json().routeIntegration, read.json());
  t.equal(created.headers.etag, read.headers.etag);

  ctx.fake.resetCalls();
  const noop = await put(intent, String(read.headers.etag));
  t.equal(noop.statusCode, 200, noop.body.slice(0, 300));
  t.same(ctx.fake.writes(), []);
  t.same(operations(ctx).sort(), ['GetIntegration', 'GetIntegrationResponses', 'GetPolicy', 'GetRouteResponses', 'GetRoutes']);

  // A response changed behind Gatewire's back changes the tag: If-Match with the old one fails.
  const client = apiGatewayClientFor(ctx.fake);
  const integrationId = ctx.fake.api(ctx.apiId).route('send')!.target!.replace('integrations/', '');
  await client.send(new CreateIntegrationResponseCommand({ ApiId: ctx.apiId, IntegrationId: integrationId, IntegrationResponseKey: '/4\\d\\d/' }));
  const stale = await put(intent, String(read.headers.etag));
  t.equal(stale.statusCode, 412, 'a response that runs is part of the tag');

  const removed = await ctx.app.inject({ method: 'DELETE', url: routeIntegrationUrl(ctx.apiId, 'send'), headers: { 'if-match': String((await get()).headers.etag) } });
  t.equal(removed.statusCode, 200, `DELETE with If-Match of a GET's tag: ${removed.body.slice(0, 300)}`);
});

t.test('integration responses an intent sets on a proxy integration are read by the next PUT (accepted, inert)', async (t) => {
  const { ctx, arn, get, put } = await setUp(t);
  const intent = lambda(arn, { responses: { $default: { templateSelectionExpression: '\\$default' } } });
  t.equal((await put(intent)).statusCode, 200);
  const integrationId = ctx.fake.api(ctx.apiId).route('send')!.target!.replace('integrations/', '');
  t.equal(ctx.fake.api(ctx.apiId).integrationResponses(integrationId).length, 1, 'created as asked');
  ctx.fake.resetCalls();
  const again = await put(intent, String((await get()).headers.etag));
  t.equal(again.statusCode, 200, again.body.slice(0, 300));
  t.ok(operations(ctx).includes('GetIntegrationResponses'), 'the intent has responses: they are read');
  t.same(ctx.fake.writes(), [], 'and found as asked: nothing written');
});
