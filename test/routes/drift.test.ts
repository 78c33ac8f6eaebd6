// GET /v1/apis/{apiId}/drift end to end: changes made through Gatewire are the baseline; changes made
// behind its back (real SDK calls to the fake) show up with the applied and the live value.
import {
  CreateRouteCommand,
  DeleteIntegrationCommand,
  DeleteRouteCommand,
  UpdateIntegrationCommand,
  UpdateIntegrationResponseCommand,
  UpdateRouteCommand,
} from '@aws-sdk/client-apigatewayv2';
import { RemovePermissionCommand } from '@aws-sdk/client-lambda';
import t from 'tap';
import { createIdGenerator } from '../../src/audit/id.js';
import { buildTestApp, routeIntegrationUrl, type TestApp } from '../support/build-test-app.js';
import { apiGatewayClientFor, lambdaClientFor } from '../support/fake-aws/sdk-clients.js';
import { assertProblem } from '../support/problems.js';

const lambdaIntent = { backend: { type: 'lambda', function: 'chat' }, timeoutInMillis: 10000 };
const mockIntent = {
  backend: { type: 'mock' },
  requestTemplates: { 'application/json': '{"statusCode":200}' },
  responses: { $default: { responseTemplates: { 'application/json': '{"ok":true}' } } },
};

async function put(ctx: TestApp, routeKey: string, body: object): Promise<string> {
  const response = await ctx.app.inject({ method: 'PUT', url: routeIntegrationUrl(ctx.apiId, routeKey), payload: body });
  if (response.statusCode !== 200) throw new Error(`PUT ${routeKey}: ${response.body}`);
  return response.json().auditId as string;
}

async function drift(ctx: TestApp) {
  const response = await ctx.app.inject({ method: 'GET', url: `/v1/apis/${ctx.apiId}/drift` });
  if (response.statusCode !== 200) throw new Error(`GET drift: ${response.body}`);
  return response.json();
}

/** send -> Lambda `chat`, join -> a mock with a $default response, leave -> a mock. */
async function wiredApi(t: Parameters<typeof buildTestApp>[0]) {
  const ctx = await buildTestApp(t);
  ctx.fake.seedFunction({ name: 'chat' });
  const audit = {
    send: await put(ctx, 'send', lambdaIntent),
    join: await put(ctx, 'join', mockIntent),
    leave: await put(ctx, 'leave', { backend: { type: 'mock' } }),
  };
  const view = ctx.fake.api(ctx.apiId);
  const integrationOf = (routeKey: string) => view.route(routeKey)!.target!.replace('integrations/', '');
  const ids = { send: integrationOf('send'), join: integrationOf('join'), leave: integrationOf('leave') };
  const apiGateway = apiGatewayClientFor(ctx.fake);
  const lambda = lambdaClientFor(ctx.fake);
  t.teardown(() => {
    apiGateway.destroy();
    lambda.destroy();
  });
  return { ctx, audit, ids, apiGateway, lambda };
}

t.test('after changes through Gatewire the report is clean, read with list calls only', async (t) => {
  const { ctx } = await wiredApi(t);
  ctx.fake.resetCalls();
  const report = await drift(ctx);
  t.same(report, {
    apiId: ctx.apiId,
    clean: true,
    drift: [],
    unmanaged: [],
    permissions: { missing: [], stale: [] },
    interrupted: [],
    pending: [],
  });
  const reads = ctx.fake.calls.filter((call) => call.service === 'apigatewayv2').map((call) => call.operation).sort();
  t.same(reads, ['GetApi', 'GetIntegrationResponses', 'GetIntegrations', 'GetRoutes'], 'responses only of the integration that had some');
  t.same(ctx.fake.writes(), [], 'nothing written');
});

t.test('changes behind Gatewire’s back show up with the applied and the live value', async (t) => {
  const { ctx, audit, ids, apiGateway, lambda } = await wiredApi(t);
  const view = ctx.fake.api(ctx.apiId);
  const responseId = view.integrationResponses(ids.join)[0]!.integrationResponseId;
  // Another tool edits the Lambda integration and the mock's response, unbinds `leave` and deletes
  // its integration, deletes the route `join`, and removes Gatewire's invoke permission.
  await apiGateway.send(new UpdateIntegrationCommand({ ApiId: ctx.apiId, IntegrationId: ids.send, TimeoutInMillis: 3000 }));
  await apiGateway.send(
    new UpdateIntegrationResponseCommand({
      ApiId: ctx.apiId,
      IntegrationId: ids.join,
      IntegrationResponseId: responseId,
      ResponseTemplates: { 'application/json': '{"ok":false}' },
    }),
  );
  await apiGateway.send(new UpdateRouteCommand({ ApiId: ctx.apiId, RouteId: view.route('leave')!.routeId, Target: '' }));
  await apiGateway.send(new DeleteIntegrationCommand({ ApiId: ctx.apiId, IntegrationId: ids.leave }));
  await apiGateway.send(new DeleteRouteCommand({ ApiId: ctx.apiId, RouteId: view.route('join')!.routeId }));
  const sid = ctx.fake.policy('chat').find((statement) => statement.Sid.startsWith('gatewire-'))!.Sid;
  await lambda.send(new RemovePermissionCommand({ FunctionName: 'chat', StatementId: sid }));
  await apiGateway.send(new CreateRouteCommand({ ApiId: ctx.apiId, RouteKey: '$disconnect' }));

  const report = await drift(ctx);
  t.equal(report.clean, false);
  const expected = [
    { kind: 'route-deleted', routeKey: 'join', field: 'route', applied: { routeKey: 'join', target: `integrations/${ids.join}` }, live: null, auditId: audit.join },
    { kind: 'route-changed', routeKey: 'leave', field: 'target', applied: `integrations/${ids.leave}`, live: null, auditId: audit.leave },
    {
      kind: 'integration-response-changed',
      integrationId: ids.join,
      routeKeys: ['join'],
      responseKey: '$default',
      field: 'responseTemplates',
      applied: { 'application/json': '{"ok":true}' },
      live: { 'application/json': '{"ok":false}' },
      auditId: audit.join,
    },
    { kind: 'integration-deleted', integrationId: ids.leave, routeKeys: ['leave'], field: 'integration', applied: { integrationId: ids.leave, integrationType: 'MOCK' }, live: null, auditId: audit.leave },
    { kind: 'integration-changed', integrationId: ids.send, routeKeys: ['send'], field: 'timeoutInMillis', applied: 10000, live: 3000, auditId: audit.send },
  ].sort(routesThenIntegrations);
  t.equal(report.drift.length, expected.length, 'every difference, and nothing else');
  expected.forEach((item, index) => t.match(report.drift[index], item, `${item.kind} ${item.routeKey ?? item.integrationId}`));
  t.match(report.permissions.missing, [{ integrationId: ids.send, routeKeys: ['send'], statementId: sid, status: 'missing' }]);
  t.same(report.permissions.stale, []);
  t.same(report.unmanaged, ['$disconnect'], 'a route Gatewire never applied is listed, not compared');
});

t.test('a raw-form change of the integration becomes its baseline', async (t) => {
  const { ctx, ids } = await wiredApi(t);
  const patched = await ctx.app.inject({
    method: 'PATCH',
    url: `/v1/apis/${ctx.apiId}/integrations/${ids.leave}`,
    payload: { description: 'set through the raw form' },
  });
  t.equal(patched.statusCode, 200, patched.body);
  const report = await drift(ctx);
  t.same(report.drift, [], 'the raw-form change is what Gatewire applied');
  t.equal(report.clean, true);
});

t.test('an interrupted change is listed and makes the report unclean until a newer change supersedes it; a pending one apart', async (t) => {
  const { ctx } = await wiredApi(t);
  const ids = createIdGenerator();
  // Older than any change of a version without leases can run: recovery may take it over.
  const crashedAt = new Date(Date.now() - 20 * 60_000).toISOString();
  const pending = (id: string, routeKey: string) => ({
    id,
    occurredAt: crashedAt,
    actor: { id: 'crashed-instance', kind: 'api-key' as const },
    requestId: `req-${routeKey}`,
    action: 'route-integration.put',
    apiId: ctx.apiId,
    routeKey,
    request: {},
    plan: [],
    before: null,
  });
  const crashed = ids.next();
  await ctx.auditStore.appendPending(pending(crashed, 'send'));
  const inFlight = ids.next();
  const liveLease = { owner: 'another-instance', expiresAt: new Date(Date.now() + 60_000).toISOString() };
  await ctx.auditStore.appendPending({ ...pending(inFlight, 'join'), occurredAt: new Date().toISOString(), lease: liveLease, deadlineAt: liveLease.expiresAt });
  // A record from before the journal existed: recovery cannot know what ran, and says so.
  t.equal(await ctx.deps.recovery.sweepOnce(), 1, 'recovery takes over the one whose owner is gone, not the live one');

  const report = await drift(ctx);
  t.equal(report.clean, false);
  t.same(report.drift, [], 'the live state still matches the last succeeded changes');
  t.same(report.interrupted, [
    {
      id: crashed,
      action: 'route-integration.put',
      status: 'interrupted',
      routeKey: 'send',
      occurredAt: crashedAt,
      leftovers: ['unknown: this change was recorded before Gatewire journaled its steps, so which of them ran is not known'],
    },
  ]);
  t.match(report.pending, [{ id: inFlight, status: 'pending', routeKey: 'join' }]);
  t.equal(report.pending.length, 1);

  // The change in flight ends (here: its owner lets its lease run out, and the next change to the
  // API takes it over, before it plans); a later change of the route reads its state again: the
  // crash no longer leaves it unknown.
  await ctx.auditStore.renewLease(inFlight, { owner: 'another-instance', expiresAt: new Date(Date.now() - 1).toISOString() });
  const again = await put(ctx, 'send', { ...lambdaIntent, timeoutInMillis: 9000 });
  const after = await drift(ctx);
  t.match(after.interrupted, [{ id: crashed, supersededBy: again }]);
  t.equal(after.clean, true, 'clean again; the pending change does not count');
});

t.test('a bulk apply is the baseline of every route it named', async (t) => {
  const { ctx, apiGateway } = await wiredApi(t);
  const bulk = await ctx.app.inject({
    method: 'PUT',
    url: `/v1/apis/${ctx.apiId}/routes`,
    payload: { routes: { leave: null, ping: { backend: { type: 'mock' }, timeoutInMillis: 1000 } } },
  });
  t.equal(bulk.statusCode, 200, bulk.body);
  const auditId = bulk.json().auditId as string;
  t.same((await drift(ctx)).drift, [], 'clean after the bulk apply: leave unbound and its integration deleted as applied');

  const pingIntegration = ctx.fake.api(ctx.apiId).route('ping')!.target!.replace('integrations/', '');
  await apiGateway.send(new UpdateIntegrationCommand({ ApiId: ctx.apiId, IntegrationId: pingIntegration, TimeoutInMillis: 2000 }));
  const report = await drift(ctx);
  t.same(report.drift, [
    { kind: 'integration-changed', integrationId: pingIntegration, routeKeys: ['ping'], field: 'timeoutInMillis', applied: 1000, live: 2000, auditId },
  ]);
});

t.test('an unknown API is a 404 problem', async (t) => {
  const ctx = await buildTestApp(t);
  const response = await ctx.app.inject({ method: 'GET', url: '/v1/apis/nosuchapi/drift' });
  assertProblem(t, response, 404);
});

/** The report's order: route items by route key, then integration items by integration id. */
function routesThenIntegrations(a: { routeKey?: string; integrationId?: string; kind: string }, b: typeof a): number {
  const rank = (item: typeof a) => (item.kind.startsWith('route-') ? `0${item.routeKey}` : `1${item.integrationId}`);
  return rank(a) < rank(b) ? -1 : rank(a) > rank(b) ? 1 : 0;
}
