// Changes that outlive their request (DESIGN §3 step 9): the wait bound, Prefer (RFC 7240), 202
// with Location and Retry-After, GET /v1/changes/{id} with progress and, at the end, the answer the
// synchronous request would have had; who may see a change; Idempotency-Key repeats of a 202.
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { hashApiKey } from '../../src/auth/credentials.js';
import { buildTestApp, routeIntegrationUrl, TEST_API_KEY, TEST_API_KEY_NAME, type TestApp } from '../support/build-test-app.js';
import { assertProblem } from '../support/problems.js';

const WRITER_KEY = 'gw_test-writer-key-0123456789abcdefghijklmnopqrstuvwxyz';
const OTHER_WRITER_KEY = 'gw_test-other-writer-0123456789abcdefghijklmnopqrstuvwxy';
const KEYS = JSON.stringify([
  { name: TEST_API_KEY_NAME, sha256: hashApiKey(TEST_API_KEY), scopes: ['admin'] },
  { name: 'writer', sha256: hashApiKey(WRITER_KEY), scopes: ['write'] },
  { name: 'other-writer', sha256: hashApiKey(OTHER_WRITER_KEY), scopes: ['write'] },
]);

const mock = { backend: { type: 'mock' }, requestTemplates: { 'application/json': '{"statusCode": 200}' } };

/** Each API Gateway write takes `ms`: a new mock route is two writes (CreateIntegration, CreateRoute). */
function slowWrites(ctx: TestApp, ms: number) {
  for (const operation of ['CreateIntegration', 'CreateRoute', 'UpdateRoute', 'UpdateIntegration']) {
    ctx.fake.inject({ operation, fault: 'latency', latencyMs: ms });
  }
}

async function poll(ctx: TestApp, location: string, key = TEST_API_KEY) {
  const seen: { status: string; stepsDone: number }[] = [];
  for (let i = 0; i < 200; i++) {
    const response = await ctx.app.inject({ method: 'GET', url: location, headers: { 'x-api-key': key } });
    if (response.statusCode !== 200) throw new Error(`GET ${location}: ${response.statusCode} ${response.body}`);
    const change = response.json();
    seen.push({ status: change.status, stepsDone: change.progress.stepsDone });
    if (change.status !== 'pending') return { change, seen };
    await sleep(50);
  }
  throw new Error(`change at ${location} did not end`);
}

t.test('a change that ends within the bound answers at once, and its record keeps exactly that answer', async (t) => {
  const ctx = await buildTestApp(t);
  const response = await ctx.app.inject({ method: 'PUT', url: routeIntegrationUrl(ctx.apiId, 'send'), payload: mock });
  t.equal(response.statusCode, 200);
  const body = response.json();
  const change = await ctx.app.inject({ method: 'GET', url: `/v1/changes/${body.auditId}` });
  t.equal(change.statusCode, 200);
  const view = change.json();
  t.match(view, { changeId: body.auditId, action: 'route-integration.put', apiId: ctx.apiId, routeKey: 'send', status: 'succeeded' });
  t.strictSame(view.result, { status: 200, body }, 'the kept answer is the answer, byte for byte in JSON');
  t.same(view.progress, { stepsDone: 2, stepsTotal: 2 }, 'no estimate once it ended');

  // The journal: each write's start, then its result with AWS's request id and what it created.
  const writes = ctx.fake.writes();
  t.same(
    view.steps.map((entry: { stepId: string; phase: string }) => `${entry.stepId}:${entry.phase}`),
    ['create-integration:started', 'create-integration:succeeded', 'create-route:started', 'create-route:succeeded'],
  );
  t.same(
    view.steps.filter((entry: { phase: string }) => entry.phase === 'succeeded').map((entry: { requestId: string }) => entry.requestId),
    writes.map((call) => call.requestId),
    'request ids are AWS’s',
  );
  t.equal(view.steps[1].createdId, ctx.fake.api(ctx.apiId).integrations[0]!.integrationId);
});

t.test('Prefer: respond-async answers 202 with Location and Retry-After; polling shows progress, then the answer', async (t) => {
  const ctx = await buildTestApp(t);
  slowWrites(ctx, 300);
  const response = await ctx.app.inject({
    method: 'PUT',
    url: routeIntegrationUrl(ctx.apiId, 'send'),
    headers: { prefer: 'respond-async' },
    payload: mock,
  });
  t.equal(response.statusCode, 202, response.body);
  t.equal(response.headers['preference-applied'], 'respond-async');
  const accepted = response.json();
  t.equal(response.headers['location'], `/v1/changes/${accepted.changeId}`);
  t.match(response.headers['retry-after'], /^\d+$/);
  t.match(accepted, { status: 'pending', progress: { stepsDone: 0, stepsTotal: 2 } });
  t.type(accepted.progress.estimatedSecondsLeft, 'number', 'an estimate while it runs');

  const { change, seen } = await poll(ctx, response.headers['location'] as string);
  t.ok(seen.some((s) => s.status === 'pending' && s.stepsDone === 1), `progress was seen rising: ${JSON.stringify(seen)}`);
  t.equal(change.status, 'succeeded');
  t.equal(change.result.status, 200);
  t.match(change.result.body, { outcome: 'applied', auditId: accepted.changeId, auditComplete: true, routeIntegration: { routeKey: 'send' } });
  t.equal(change.result.body.routeIntegration.integration.integrationId, ctx.fake.api(ctx.apiId).integrations[0]!.integrationId);
});

t.test('Prefer: wait=N bounds the wait; past it the change goes on and ends', async (t) => {
  const ctx = await buildTestApp(t);
  slowWrites(ctx, 1_500);
  const started = Date.now();
  const response = await ctx.app.inject({
    method: 'PUT',
    url: routeIntegrationUrl(ctx.apiId, 'send'),
    headers: { prefer: 'wait=1' },
    payload: mock,
  });
  t.equal(response.statusCode, 202);
  t.ok(Date.now() - started < 2_900, 'answered at the bound, not at the end (3 s)');
  t.equal(response.headers['preference-applied'], 'wait=1');
  const { change } = await poll(ctx, response.headers['location'] as string);
  t.equal(change.status, 'succeeded');
  t.ok(ctx.fake.api(ctx.apiId).route('send')?.target, 'the change happened');
});

t.test('a Prefer Gatewire does not understand is ignored', async (t) => {
  const ctx = await buildTestApp(t);
  const response = await ctx.app.inject({
    method: 'PUT',
    url: routeIntegrationUrl(ctx.apiId, 'send'),
    headers: { prefer: 'return=minimal, wait=soon' },
    payload: mock,
  });
  t.equal(response.statusCode, 200);
  t.notOk(response.headers['preference-applied']);
});

t.test('a change that fails after its 202: the record keeps the problem it would have answered', async (t) => {
  const ctx = await buildTestApp(t);
  slowWrites(ctx, 200);
  ctx.fake.inject({ operation: 'CreateRoute', fault: 'server-error' });
  const response = await ctx.app.inject({
    method: 'PUT',
    url: routeIntegrationUrl(ctx.apiId, 'send'),
    headers: { prefer: 'respond-async' },
    payload: mock,
  });
  t.equal(response.statusCode, 202);
  const { change } = await poll(ctx, response.headers['location'] as string);
  t.equal(change.status, 'rolled_back');
  t.match(change.result, { status: 502, body: { type: 'https://gatewire.dev/problems/upstream', status: 502, auditId: change.changeId, failedStep: { id: 'create-route' } } });
  t.same(ctx.fake.api(ctx.apiId).integrations, [], 'the created integration was undone');
  t.same(
    change.steps.map((entry: { kind: string; stepId: string; phase: string }) => `${entry.kind}:${entry.stepId}:${entry.phase}`),
    [
      'do:create-integration:started',
      'do:create-integration:succeeded',
      // A 5xx on a create: it may have run. A look-up says it did not, so it is sent once more.
      'do:create-route:started',
      'do:create-route:unknown',
      'do:create-route:absent',
      'do:create-route:started',
      'do:create-route:unknown',
      'do:create-route:absent',
      'undo:create-integration:started',
      'undo:create-integration:succeeded',
    ],
    'the journal says what ran, what was found out, and what was undone',
  );
});

t.test('a change is its caller’s (and admins’): anyone else gets the 404 of an unknown id', async (t) => {
  const ctx = await buildTestApp(t, { env: { GATEWIRE_API_KEYS: KEYS } });
  const response = await ctx.app.inject({ method: 'PUT', url: routeIntegrationUrl(ctx.apiId, 'send'), headers: { 'x-api-key': WRITER_KEY }, payload: mock });
  t.equal(response.statusCode, 200);
  const url = `/v1/changes/${response.json().auditId}`;
  t.equal((await ctx.app.inject({ method: 'GET', url, headers: { 'x-api-key': WRITER_KEY } })).statusCode, 200, 'its caller');
  t.equal((await ctx.app.inject({ method: 'GET', url, headers: { 'x-api-key': TEST_API_KEY } })).statusCode, 200, 'an admin');
  const stranger = assertProblem(t, await ctx.app.inject({ method: 'GET', url, headers: { 'x-api-key': OTHER_WRITER_KEY } }), 404);
  const unknown = assertProblem(t, await ctx.app.inject({ method: 'GET', url: '/v1/changes/01JD8V6X3C2M4K7Q9R5T1W0Y8Z', headers: { 'x-api-key': WRITER_KEY } }), 404);
  t.equal(stranger.detail, unknown.detail.replace('01JD8V6X3C2M4K7Q9R5T1W0Y8Z', response.json().auditId), 'the two 404s say the same');
});

t.test('an Idempotency-Key repeat of a 202 returns the change', async (t) => {
  const ctx = await buildTestApp(t);
  slowWrites(ctx, 300);
  const request = {
    method: 'PUT' as const,
    url: routeIntegrationUrl(ctx.apiId, 'send'),
    headers: { prefer: 'respond-async', 'idempotency-key': 'deploy-42' },
    payload: mock,
  };
  const first = await ctx.app.inject(request);
  t.equal(first.statusCode, 202);
  const repeat = await ctx.app.inject(request);
  t.equal(repeat.statusCode, 202);
  t.equal(repeat.headers['idempotent-replayed'], 'true');
  t.equal(repeat.headers['location'], first.headers['location'], 'the same change');
  const { change } = await poll(ctx, first.headers['location'] as string);
  t.equal(change.status, 'succeeded');
  t.equal(ctx.fake.writes().length, 2, 'it ran once');
});

t.test('dry runs and changes with nothing to do answer at once, whatever Prefer says', async (t) => {
  const ctx = await buildTestApp(t);
  const dry = await ctx.app.inject({
    method: 'PUT',
    url: routeIntegrationUrl(ctx.apiId, 'send', '?dryRun=true'),
    headers: { prefer: 'respond-async' },
    payload: mock,
  });
  t.equal(dry.statusCode, 200);
  t.equal(dry.json().outcome, 'planned');
  await ctx.app.inject({ method: 'PUT', url: routeIntegrationUrl(ctx.apiId, 'send'), payload: mock });
  const again = await ctx.app.inject({ method: 'PUT', url: routeIntegrationUrl(ctx.apiId, 'send'), headers: { prefer: 'respond-async' }, payload: mock });
  t.equal(again.statusCode, 200);
  t.equal(again.json().outcome, 'unchanged');
});

t.test('a change that cannot get its API within GATEWIRE_LOCK_WAIT_MS is a 409 with Retry-After, and no AWS write', async (t) => {
  const envs: Record<string, string>[] = [{ GATEWIRE_LOCK_WAIT_MS: '200' }, { GATEWIRE_LOCK_MAX_WAITERS: '0' }];
  for (const env of envs) {
    const ctx = await buildTestApp(t, { env });
    // The first change holds the API for a second inside CreateIntegration.
    ctx.fake.inject({ operation: 'CreateIntegration', fault: 'latency', latencyMs: 1_000, nth: 1 });
    const first = ctx.app.inject({ method: 'PUT', url: routeIntegrationUrl(ctx.apiId, 'first'), payload: { backend: { type: 'mock' } } });
    while (!ctx.fake.calls.some((call) => call.operation === 'CreateIntegration')) await new Promise((resolve) => setTimeout(resolve, 10));
    const writesBefore = ctx.fake.writes().length;
    const second = await ctx.app.inject({ method: 'PUT', url: routeIntegrationUrl(ctx.apiId, 'second'), payload: { backend: { type: 'mock' } } });
    t.equal(second.statusCode, 409, `${JSON.stringify(env)}: 409 (${second.body.slice(0, 200)})`);
    t.equal(second.headers['retry-after'], '2', 'with Retry-After');
    t.match(second.json(), { type: 'https://gatewire.dev/problems/conflict', detail: /another change to API .* is still running/ });
    t.equal(ctx.fake.writes().length, writesBefore, 'the refused change wrote nothing');
    t.equal((await first).statusCode, 200, 'the first change is unaffected');
  }
});
