// Writes whose answer never comes (DESIGN §3 step 7): a create is never sent again blindly. After
// a lost answer Gatewire looks the resource up and journals what it finds, so that the change
// goes on with it or its compensation removes it: no integration is ever orphaned. A write that
// hangs is cut by the call's timeout, and the caller still gets an answer.
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { buildTestApp, routeIntegrationUrl, type TestApp } from '../support/build-test-app.js';

const mock = { backend: { type: 'mock' }, requestTemplates: { 'application/json': '{"statusCode": 200}' } };

async function record(ctx: TestApp, id: string) {
  return (await ctx.app.inject({ method: 'GET', url: `/v1/audit/${id}` })).json();
}

const creates = (ctx: TestApp) => ctx.fake.calls.filter((call) => call.operation === 'CreateIntegration').length;

t.test('the answer of CreateIntegration is lost: the change finds the integration and goes on with it', async (t) => {
  const ctx = await buildTestApp(t);
  ctx.fake.inject({ operation: 'CreateIntegration', fault: 'lost-response', nth: 1 });
  const response = await ctx.app.inject({ method: 'PUT', url: routeIntegrationUrl(ctx.apiId, 'send'), payload: mock });
  t.equal(response.statusCode, 200, response.body);
  const integrations = ctx.fake.api(ctx.apiId).integrations;
  t.equal(integrations.length, 1, 'one integration, not two: the create was not sent again');
  t.equal(creates(ctx), 1);
  t.equal(ctx.fake.api(ctx.apiId).route('send')?.target, `integrations/${integrations[0]!.integrationId}`, 'the route uses the one found');
  const { journal } = await record(ctx, response.json().auditId);
  t.match(
    journal.filter((entry: { stepId: string }) => entry.stepId === 'create-integration'),
    [{ phase: 'started' }, { phase: 'unknown' }, { phase: 'found', createdId: integrations[0]!.integrationId }],
    'the journal names what was found',
  );
});

t.test('the answer is lost and a later step fails: the rollback removes the integration found', async (t) => {
  const ctx = await buildTestApp(t);
  ctx.fake.inject({ operation: 'CreateIntegration', fault: 'lost-response', nth: 1 });
  ctx.fake.inject({ operation: 'CreateRoute', fault: 'throttle' });
  const response = await ctx.app.inject({ method: 'PUT', url: routeIntegrationUrl(ctx.apiId, 'send'), payload: mock });
  t.equal(response.statusCode, 503, 'throttled, after retries');
  t.same(ctx.fake.api(ctx.apiId).integrations, [], 'no integration is orphaned');
  const found = await record(ctx, response.json().auditId);
  t.equal(found.status, 'rolled_back');
  t.match(
    found.journal.filter((entry: { stepId: string }) => entry.stepId === 'create-integration').map((entry: { kind: string; phase: string }) => `${entry.kind}:${entry.phase}`),
    ['do:started', 'do:unknown', 'do:found', 'undo:started', 'undo:succeeded'],
  );
});

t.test('the answer of CreateRoute is lost: the route is found by its key', async (t) => {
  const ctx = await buildTestApp(t);
  ctx.fake.inject({ operation: 'CreateRoute', fault: 'lost-response', nth: 1 });
  const response = await ctx.app.inject({ method: 'PUT', url: routeIntegrationUrl(ctx.apiId, 'send'), payload: mock });
  t.equal(response.statusCode, 200, response.body);
  t.equal(ctx.fake.api(ctx.apiId).routes.length, 1);
  t.equal(ctx.fake.calls.filter((call) => call.operation === 'CreateRoute').length, 1, 'not sent twice');
});

t.test('a create that AWS never ran (the connection dropped first) is sent once more, knowing it did not exist', async (t) => {
  const ctx = await buildTestApp(t, { env: { GATEWIRE_AWS_TIMEOUT_MS: '1000' } });
  // Held past the client's timeout and never run: the look-up finds nothing.
  ctx.fake.inject({ operation: 'CreateIntegration', fault: 'timeout', latencyMs: 3_000, nth: 1 });
  const response = await ctx.app.inject({ method: 'PUT', url: routeIntegrationUrl(ctx.apiId, 'send'), payload: mock });
  t.equal(response.statusCode, 200, response.body);
  t.equal(ctx.fake.api(ctx.apiId).integrations.length, 1);
  t.equal(creates(ctx), 2, 'one timed out, one made it');
  const { journal } = await record(ctx, response.json().auditId);
  t.match(
    journal.filter((entry: { stepId: string }) => entry.stepId === 'create-integration').map((entry: { phase: string }) => entry.phase),
    ['started', 'unknown', 'absent', 'started', 'succeeded'],
  );
  t.match(journal.find((entry: { phase: string }) => entry.phase === 'unknown'), { error: /Timeout/ }, 'the timeout is named');
});

t.test('an AWS write hangs for 30 s: the caller gets a 202, then the final state with the timeout named', async (t) => {
  const ctx = await buildTestApp(t, { env: { GATEWIRE_AWS_TIMEOUT_MS: '1500' } });
  ctx.fake.inject({ operation: 'UpdateRoute', fault: 'timeout', latencyMs: 30_000, nth: 1 });
  const created = await ctx.app.inject({ method: 'PUT', url: routeIntegrationUrl(ctx.apiId, 'send'), payload: mock });
  t.equal(created.statusCode, 200);
  // Rebinding to a new HTTP integration: create, then UpdateRoute (which hangs), then delete.
  const started = Date.now();
  const response = await ctx.app.inject({
    method: 'PUT',
    url: routeIntegrationUrl(ctx.apiId, 'send'),
    headers: { prefer: 'wait=1' },
    payload: { backend: { type: 'http', url: 'https://backend.example.com/chat', method: 'POST' } },
  });
  t.equal(response.statusCode, 202, response.body);
  t.ok(Date.now() - started < 2_500, 'answered at the bound');
  let change: { status: string; steps: { stepId: string; phase: string; error?: string }[] } | undefined;
  for (let i = 0; i < 200; i++) {
    change = (await ctx.app.inject({ method: 'GET', url: response.headers['location'] as string })).json();
    if (change!.status !== 'pending') break;
    await sleep(100);
  }
  t.ok(Date.now() - started < 15_000, 'final within seconds, not 30');
  t.equal(change?.status, 'rolled_back', 'the update may have run: it is undone with the rest');
  t.match(change?.steps.find((entry) => entry.stepId === 'update-route' && entry.phase !== 'started'), { phase: 'unknown', error: /Timeout/ });
  t.equal(ctx.fake.api(ctx.apiId).integrations.length, 1, 'the new integration was removed again');
  t.match(ctx.fake.api(ctx.apiId).integrations[0], { integrationType: 'MOCK' });
});
