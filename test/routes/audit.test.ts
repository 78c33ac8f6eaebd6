// GET /v1/audit and GET /v1/audit/{id}: records written by real changes (the SDK into the fake),
// then read back filtered, paged and one by one.
import t from 'tap';
import { TEST_API_KEY_NAME, buildTestApp, routeIntegrationUrl, type TestApp } from '../support/build-test-app.js';
import type { TestContext } from '../support/tap.js';

const mock = (text: string) => ({
  backend: { type: 'mock' },
  requestTemplates: { 'application/json': `{"statusCode":200,"text":"${text}"}` },
});

async function put(t: TestContext, ctx: TestApp, routeKey: string, body: object, headers: Record<string, string> = {}) {
  const response = await ctx.app.inject({ method: 'PUT', url: routeIntegrationUrl(ctx.apiId, routeKey), payload: body, headers });
  t.equal(response.statusCode, 200, `PUT ${routeKey}: ${response.body.slice(0, 300)}`);
  return response.json() as { auditId: string };
}

t.test('a change is listed and readable by id, with its AWS calls', async (t) => {
  const ctx = await buildTestApp(t, { checkValidators: true });
  const { auditId } = await put(t, ctx, 'sendmessage', mock('a'), { 'idempotency-key': 'key-1' });

  const one = await ctx.app.inject({ method: 'GET', url: `/v1/audit/${auditId}` });
  t.equal(one.statusCode, 200);
  const record = one.json();
  t.match(record, {
    id: auditId,
    status: 'succeeded',
    action: 'route-integration.put',
    apiId: ctx.apiId,
    routeKey: 'sendmessage',
    actor: { id: TEST_API_KEY_NAME, kind: 'api-key' },
    idempotencyKey: 'key-1',
    request: mock('a'),
  });
  t.ok(record.integrationId, 'the created integration is named');
  t.equal(record.integrationId, ctx.fake.api(ctx.apiId).route('sendmessage')?.target?.replace('integrations/', ''));
  t.same(
    record.plan.map((step: { operation: string }) => step.operation),
    ['CreateIntegration', 'CreateRoute'],
  );
  const writes = record.awsCalls.filter((call: { operation: string }) => /^(Create|Update|Delete)/.test(call.operation));
  t.same(
    writes.map((call: { operation: string; outcome: string }) => [call.operation, call.outcome]),
    [
      ['CreateIntegration', 'ok'],
      ['CreateRoute', 'ok'],
    ],
  );
  const fakeIds = new Set(ctx.fake.calls.map((call) => call.requestId));
  t.ok(
    record.awsCalls.every((call: { requestId?: string }) => call.requestId && fakeIds.has(call.requestId)),
    "every call carries the fake's request id",
  );
  t.type(record.durationMs, 'number');
  t.ok(record.after, 'the state after the change is kept');

  const list = await ctx.app.inject({ method: 'GET', url: '/v1/audit' });
  t.equal(list.statusCode, 200);
  t.same(
    list.json().items.map((item: { id: string }) => item.id),
    [auditId],
  );
  t.notOk(list.json().nextCursor, 'one page only');
});

t.test('filters, newest first, and cursor pagination', async (t) => {
  const ctx = await buildTestApp(t, { checkValidators: true });
  const other = ctx.fake.seedApi({ name: 'other' });
  const ids: string[] = [];
  for (const key of ['r1', 'r2', 'r3', 'r4', 'r5']) ids.push((await put(t, ctx, key, mock(key))).auditId);
  // A second change of r1 (update) and a change on another API.
  ids.push((await put(t, ctx, 'r1', mock('r1-again'))).auditId);
  const otherPut = await ctx.app.inject({ method: 'PUT', url: routeIntegrationUrl(other, 'r1'), payload: mock('x') });
  t.equal(otherPut.statusCode, 200);
  const remove = await ctx.app.inject({ method: 'DELETE', url: routeIntegrationUrl(ctx.apiId, 'r5') });
  t.equal(remove.statusCode, 200);

  const get = async (query: string) => {
    const response = await ctx.app.inject({ method: 'GET', url: `/v1/audit${query}` });
    t.equal(response.statusCode, 200, `GET /v1/audit${query}: ${response.body.slice(0, 300)}`);
    return response.json() as { items: { id: string; routeKey?: string; apiId: string; action: string }[]; nextCursor?: string };
  };

  const all = await get('');
  t.equal(all.items.length, 8, 'eight changes');
  const sorted = [...all.items.map((i) => i.id)].sort().reverse();
  t.same(all.items.map((i) => i.id), sorted, 'newest first');

  const byApi = await get(`?apiId=${ctx.apiId}`);
  t.equal(byApi.items.length, 7);
  t.ok(byApi.items.every((i) => i.apiId === ctx.apiId));

  const byRoute = await get(`?apiId=${ctx.apiId}&routeKey=r1`);
  t.same(byRoute.items.map((i) => i.id), [ids[5], ids[0]], 'both changes of r1, newest first');

  const byAction = await get('?action=route-integration.delete');
  t.same(byAction.items.map((i) => i.routeKey), ['r5']);

  t.equal((await get(`?actor=${TEST_API_KEY_NAME}`)).items.length, 8);
  t.equal((await get('?actor=someone-else')).items.length, 0);
  t.equal((await get('?status=succeeded')).items.length, 8);
  t.equal((await get('?status=failed')).items.length, 0);

  t.equal((await get('?from=2000-01-01T00:00:00Z&to=2999-01-01T00:00:00Z')).items.length, 8, 'a window around now');
  t.equal((await get('?to=2000-01-01T00:00:00Z')).items.length, 0, 'a window in the past');

  // Pages of 3: 3 + 3 + 2, no overlap, no gap, the same order as one page.
  const seen: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await get(`?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    seen.push(...page.items.map((i) => i.id));
    cursor = page.nextCursor;
    pages += 1;
  } while (cursor && pages < 10);
  t.equal(pages, 3);
  t.same(seen, all.items.map((i) => i.id));

  const filteredPage = await get(`?apiId=${ctx.apiId}&routeKey=r1&limit=1`);
  t.same(filteredPage.items.map((i) => i.id), [ids[5]]);
  t.ok(filteredPage.nextCursor);
  const filteredNext = await get(`?apiId=${ctx.apiId}&routeKey=r1&limit=1&cursor=${filteredPage.nextCursor}`);
  t.same(filteredNext.items.map((i) => i.id), [ids[0]], 'the cursor keeps the filters');
  t.notOk(filteredNext.nextCursor);
});

t.test('bad queries are 400 problems naming the parameter', async (t) => {
  const ctx = await buildTestApp(t, { checkValidators: true });
  const cases: [string, string][] = [
    ['?limit=0', '/querystring/limit'],
    ['?limit=501', '/querystring/limit'],
    ['?limit=ten', '/querystring/limit'],
    ['?from=yesterday', '/querystring/from'],
    ['?status=done', '/querystring/status'],
    ['?colour=red', '/querystring/colour'],
    ['?cursor=not-ours!', '/querystring/cursor'],
  ];
  for (const [query, path] of cases) {
    const response = await ctx.app.inject({ method: 'GET', url: `/v1/audit${query}` });
    t.equal(response.statusCode, 400, query);
    t.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8');
    t.ok(
      (response.json().errors as { path: string }[]).some((e) => e.path === path),
      `${query} names ${path}: ${response.body}`,
    );
  }
  const max = await ctx.app.inject({ method: 'GET', url: '/v1/audit?limit=500' });
  t.equal(max.statusCode, 200, 'limit 500 is allowed');
});

t.test('an unknown id is a 404 problem', async (t) => {
  const ctx = await buildTestApp(t, { checkValidators: true });
  const response = await ctx.app.inject({ method: 'GET', url: '/v1/audit/01ARZ3NDEKTSV4RRFFQ69G5FAV' });
  t.equal(response.statusCode, 404);
  t.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8');
  t.match(response.json(), { status: 404, type: /not-found$/ });
});

t.test('reads answer 503 when the audit store is down', async (t) => {
  const ctx = await buildTestApp(t, { checkValidators: true });
  ctx.auditStore.setUnavailable(true);
  for (const url of ['/v1/audit', '/v1/audit/01ARZ3NDEKTSV4RRFFQ69G5FAV']) {
    const response = await ctx.app.inject({ method: 'GET', url });
    t.equal(response.statusCode, 503, url);
    t.match(response.json(), { status: 503, type: /audit-unavailable$/ });
  }
});

t.test('secrets in the request never reach the record', async (t) => {
  const ctx = await buildTestApp(t, { checkValidators: true });
  const body = {
    backend: { type: 'http', url: 'https://backend.example.com/hook', method: 'POST' },
    requestParameters: {
      'integration.request.header.Authorization': "'Bearer s3cr3t-bearer'",
      'integration.request.header.x-api-key': "'s3cr3t-key'",
      'integration.request.header.x-connection': 'context.connectionId',
    },
  };
  const { auditId } = await put(t, ctx, 'hook', body);
  const record = (await ctx.app.inject({ method: 'GET', url: `/v1/audit/${auditId}` })).json();
  t.same(record.request.requestParameters, {
    'integration.request.header.Authorization': '[redacted]',
    'integration.request.header.x-api-key': '[redacted]',
    'integration.request.header.x-connection': 'context.connectionId',
  });
  t.same(record.request.backend, body.backend, 'the rest is kept');
  t.notMatch(JSON.stringify(record), /s3cr3t/, 'no secret anywhere in the record (plan and after included)');
  t.equal(
    record.plan[0].params.requestParameters['integration.request.header.Authorization'],
    '[redacted]',
    'the stored plan is redacted',
  );
  t.equal(
    ctx.fake.api(ctx.apiId).integrations[0]?.requestParameters?.['integration.request.header.Authorization'],
    "'Bearer s3cr3t-bearer'",
    'AWS still got the real value',
  );
});
