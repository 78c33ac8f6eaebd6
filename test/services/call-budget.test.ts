// The AWS calls each kind of single-route change makes (issue 15: "a create in at most 5 calls, an
// update at most 6, a delete at most 5, a no-op PUT at most 3", permission calls included), end to
// end over the HTTP API against the wire-level fake, which records every call.
import t from 'tap';
import { buildTestApp, routeIntegrationUrl, type TestApp } from '../support/build-test-app.js';
import type { TestContext } from '../support/tap.js';

const ACCOUNT_ID = '123456789012';
const lambda = (fn: string, extra: object = {}) => ({ backend: { type: 'lambda', function: fn }, ...extra });

/** The calls `request` made, by operation name, in order. */
async function callsOf(t: TestContext, ctx: TestApp, request: () => Promise<{ statusCode: number; body: string }>): Promise<string[]> {
  ctx.fake.resetCalls();
  const response = await request();
  t.ok(response.statusCode < 300, `answered ${response.statusCode}: ${response.body.slice(0, 300)}`);
  return ctx.fake.calls.map((call) => call.operation);
}

async function appWithWarmApi(t: TestContext) {
  // The account is configured, as in production (otherwise STS answers once per process).
  const ctx = await buildTestApp(t, { env: { GATEWIRE_ACCOUNT_ID: ACCOUNT_ID } });
  ctx.fake.seedFunction({ name: 'warm' });
  const put = (routeKey: string, body: object) => ctx.app.inject({ method: 'PUT', url: routeIntegrationUrl(ctx.apiId, routeKey), payload: body });
  // The API's first change reads its protocol type (GetApi), which never changes: later ones do not.
  t.equal((await put('warm-up', lambda('warm'))).statusCode, 200);
  return { ctx, put };
}

t.test('calls per kind of change, permission calls included', async (t) => {
  const { ctx, put } = await appWithWarmApi(t);
  const arn = ctx.fake.seedFunction({ name: 'chat' });

  const create = await callsOf(t, ctx, () => put('send', lambda(arn)));
  t.same([...create].sort(), ['AddPermission', 'CreateIntegration', 'CreateRoute', 'GetPolicy', 'GetRoutes'], `create: ${create.join(' ')}`);
  t.ok(create.length <= 5, `a create makes ${create.length} calls (target ≤ 5)`);

  const update = await callsOf(t, ctx, () => put('send', lambda(arn, { timeoutInMillis: 1000 })));
  t.ok(update.length <= 6, `an update makes ${update.length} calls (target ≤ 6): ${update.join(' ')}`);
  t.notOk(update.includes('GetIntegrations'), 'the current integration is read by id, not with the whole list');
  t.notOk(update.includes('GetApi'), 'the protocol type is known');

  const noop = await callsOf(t, ctx, () => put('send', lambda(arn, { timeoutInMillis: 1000 })));
  t.notOk(ctx.fake.writes().length, 'a no-op PUT writes nothing');
  // The responses of a Lambda proxy integration and of a one-way route do not run: not read.
  t.same([...noop].sort(), ['GetIntegration', 'GetPolicy', 'GetRoutes'], `a no-op PUT makes ${noop.length} calls (target ≤ 3): ${noop.join(' ')}`);

  const remove = await callsOf(t, ctx, () => ctx.app.inject({ method: 'DELETE', url: routeIntegrationUrl(ctx.apiId, 'send') }));
  t.ok(remove.includes('RemovePermission') && remove.includes('DeleteIntegration'), 'the delete unbinds, deletes the integration and removes the statement');
  t.notOk(remove.some((operation, index) => operation.startsWith('Get') && index > remove.indexOf('UpdateRoute')), `nothing is read after the writes: ${remove.join(' ')}`);
  // Missed (see bench/README.md): the 3 writes need the routes, every integration (does anything
  // else invoke the function?), the policy, and the stages (the stage rule).
  t.same(
    [...remove].sort(),
    ['DeleteIntegration', 'GetIntegrations', 'GetPolicy', 'GetRoutes', 'GetStages', 'RemovePermission', 'UpdateRoute'],
    `a delete makes ${remove.length} calls: ${remove.join(' ')}`,
  );
  t.ok(remove.length <= 5, `a delete makes ${remove.length} calls (target ≤ 5)`, {
    todo: 'irreducible without weakening a safety rule: GetIntegrations (API-wide statement) and GetStages (stage rule)',
  });
});

t.test('a create naming a function looked up before makes no GetFunction', async (t) => {
  const { ctx, put } = await appWithWarmApi(t);
  ctx.fake.seedFunction({ name: 'chat' });
  const first = await callsOf(t, ctx, () => put('one', lambda('chat')));
  t.equal(first.filter((operation) => operation === 'GetFunction').length, 1, 'the first change naming it looks it up');
  const second = await callsOf(t, ctx, () => put('two', lambda('chat')));
  t.notOk(second.includes('GetFunction'), `the next one does not: ${second.join(' ')}`);
  t.ok(second.length <= 5, `${second.length} calls (target ≤ 5)`);
});

t.test('Cache test: a function deleted behind Gatewire\'s back is looked up again on the next change that names it', async (t) => {
  const { ctx, put } = await appWithWarmApi(t);
  ctx.fake.seedFunction({ name: 'chat' });
  t.equal((await put('one', lambda('chat'))).statusCode, 200);
  ctx.fake.deleteFunction('chat');

  ctx.fake.resetCalls();
  const gone = await put('two', lambda('chat'));
  t.equal(gone.statusCode, 400, 'the change is refused as it was before any cache: the function does not exist');
  t.match(gone.body, /backend\/function.*does not exist/, gone.body);
  t.ok(ctx.fake.calls.some((call) => call.operation === 'GetFunction'), 'Lambda was asked again');
  t.same(ctx.fake.writes(), [], 'nothing was written');

  // Recreated under the same name: found again, and the change goes through.
  ctx.fake.seedFunction({ name: 'chat' });
  const back = await put('two', lambda('chat'));
  t.equal(back.statusCode, 200, back.body);
});

t.test('the after-state built from the writes equals what a read gives', async (t) => {
  const { ctx, put } = await appWithWarmApi(t);
  const arn = ctx.fake.seedFunction({ name: 'chat' });
  const other = ctx.fake.seedFunction({ name: 'other' });
  const changes: [string, string, () => ReturnType<typeof put>][] = [
    ['create', 'send', () => put('send', lambda(arn))],
    ['update', 'send', () => put('send', lambda(arn, { timeoutInMillis: 1000 }))],
    ['shared function', 'also', () => put('also', lambda(arn))],
    ['replace the function', 'send', () => put('send', lambda(other))],
    ['with responses', 'send', () => put('send', lambda(other, { returnResponse: true }))],
    ['unchanged', 'send', () => put('send', lambda(other, { returnResponse: true }))],
    ['delete', 'send', () => ctx.app.inject({ method: 'DELETE', url: routeIntegrationUrl(ctx.apiId, 'send') })],
    ['delete the last user of the function', 'also', () => ctx.app.inject({ method: 'DELETE', url: routeIntegrationUrl(ctx.apiId, 'also') })],
  ];
  for (const [name, routeKey, change] of changes) {
    const response = await change();
    t.equal(response.statusCode, 200, `${name}: ${response.body.slice(0, 300)}`);
    const answer = response.json();
    const read = await ctx.app.inject({ method: 'GET', url: routeIntegrationUrl(ctx.apiId, routeKey) });
    t.same(answer.routeIntegration, read.json(), `${name}: the answer's state is the state read afterwards`);
    t.equal(response.headers.etag, read.headers.etag, `${name}: so is its entity tag`);
    if (answer.auditId === undefined) continue; // unchanged: no record
    const record = (await ctx.auditStore.get(answer.auditId))!;
    const after = record.after as { route?: unknown; integration?: unknown; policies: Record<string, { statements: unknown[] } | undefined> };
    const view = read.json();
    t.same(after.route, view.route, `${name}: the record's route`);
    t.same(after.integration, view.integration, `${name}: the record's integration`);
    for (const [key, policy] of Object.entries(after.policies)) {
      t.same(policy?.statements ?? [], ctx.fake.policy(key), `${name}: the record's policy of ${key} is the function's`);
    }
  }
});

t.test("an update reads the integration and both responses in one round trip, after the routes and the policy", async (t) => {
  const { ctx, put } = await appWithWarmApi(t);
  const arn = ctx.fake.seedFunction({ name: 'chat' });
  // A custom integration on a two-way route: both kinds of responses run, so both are read; the
  // integration's alongside it, before its type is known, since the desired one is custom too.
  const custom = (extra: object = {}) => ({ backend: { type: 'lambda', function: arn, proxy: false }, returnResponse: true, ...extra });
  t.equal((await put('send', custom())).statusCode, 200);
  // Slow reads make the overlaps plain.
  ctx.fake.inject({ operation: 'GetIntegration', fault: 'latency', latencyMs: 150 });
  ctx.fake.inject({ operation: 'GetRoutes', fault: 'latency', latencyMs: 150 });
  ctx.fake.resetCalls();
  t.equal((await put('send', custom({ timeoutInMillis: 1000 }))).statusCode, 200);
  const call = (operation: string) => ctx.fake.calls.find((candidate) => candidate.operation === operation)!;
  for (const operation of ['GetIntegrationResponses', 'GetRouteResponses']) {
    t.ok(call(operation), `${operation} was made`);
    t.ok(call(operation).receivedAt < call('GetIntegration').answeredAt!, `${operation} was sent while GetIntegration was unanswered`);
  }
  t.ok(call('GetPolicy').receivedAt < call('GetRoutes').answeredAt!, 'the policy was read alongside the routes');
});

t.test('a bulk apply of one route reads and plans as the single-route PUT does (one reader, one planner)', async (t) => {
  const { ctx, put } = await appWithWarmApi(t);
  const arn = ctx.fake.seedFunction({ name: 'chat' });
  const other = ctx.fake.seedApi({ name: 'bulk-of-one' });
  const bulk = (routes: object) => ctx.app.inject({ method: 'PUT', url: `/v1/apis/${other}/routes`, payload: { routes } });
  // The other API's first change reads its protocol type, as the warm-up did for the first one.
  t.equal((await bulk({ 'warm-up': lambda('warm') })).statusCode, 200);

  for (const [kind, body] of [
    ['create', lambda(arn)],
    ['update', lambda(arn, { timeoutInMillis: 1000 })],
    ['no-op', lambda(arn, { timeoutInMillis: 1000 })],
  ] as const) {
    const single = await callsOf(t, ctx, () => put('send', body));
    const singlePlan = ctx.fake.writes().map((call) => call.operation);
    const one = await callsOf(t, ctx, () => bulk({ send: body }));
    const onePlan = ctx.fake.writes().map((call) => call.operation);
    t.same([...one].sort(), [...single].sort(), `${kind}: the same calls (${one.join(' ')})`);
    t.same(onePlan, singlePlan, `${kind}: the same writes, in the same order`);
  }
  const single = await callsOf(t, ctx, () => ctx.app.inject({ method: 'DELETE', url: routeIntegrationUrl(ctx.apiId, 'send') }));
  const one = await callsOf(t, ctx, () => bulk({ send: null }));
  t.same([...one].sort(), [...single].sort(), `delete: the same calls (${one.join(' ')})`);
});
