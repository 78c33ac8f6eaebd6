// The 202 of every mutation (DESIGN §3 step 9) is what the OpenAPI document declares: a real
// `Prefer: respond-async` answer of each kind of change validates against the operation's declared
// 202 schema, and so does the body sent when the store does not give the fresh record back.
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { createInProcessLock } from '../../src/audit/locks.js';
import { createMemoryAuditStore } from '../../src/audit/memory-store.js';
import { DomainError } from '../../src/domain/errors.js';
import type { AuditStore } from '../../src/services/ports.js';
import { buildTestApp, routeIntegrationUrl, type TestApp } from '../support/build-test-app.js';
import { responseErrors } from '../support/openapi-validator.js';

interface Request {
  method: 'PUT' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  payload?: object;
}

interface Case {
  /** The operation as the document names it. */
  path: string;
  /** Brings the fake into the state the change starts from; returns the request to send. */
  setUp(ctx: TestApp): Promise<Request>;
  /** The status the change's answer has once it ends. */
  ends: number;
}

const MOCK = { backend: { type: 'mock' }, requestTemplates: { 'application/json': '{"statusCode":200}' } };
const lambda = (fn: string) => ({ backend: { type: 'lambda', function: fn } });
const rawMock = { integrationType: 'MOCK', requestTemplates: { 'application/json': '{"statusCode":200}' } };

async function bindRoute(ctx: TestApp, routeKey: string, body: object): Promise<string> {
  const response = await ctx.app.inject({ method: 'PUT', url: routeIntegrationUrl(ctx.apiId, routeKey), payload: body });
  if (response.statusCode !== 200) throw new Error(response.body);
  return response.json().routeIntegration.integration.integrationId as string;
}

async function rawIntegration(ctx: TestApp): Promise<string> {
  const response = await ctx.app.inject({ method: 'POST', url: `/v1/apis/${ctx.apiId}/integrations`, payload: rawMock });
  if (response.statusCode !== 201) throw new Error(response.body);
  return response.json().integration.integrationId as string;
}

const RESPONSE = '/v1/apis/{apiId}/integrations/{integrationId}/responses/{responseKey}';

const CASES: Case[] = [
  {
    path: '/v1/apis/{apiId}/routes/{routeKey}/integration',
    ends: 200,
    setUp: async (ctx) => ({ method: 'PUT', url: routeIntegrationUrl(ctx.apiId, 'send'), payload: MOCK }),
  },
  {
    path: '/v1/apis/{apiId}/routes/{routeKey}/integration',
    ends: 200,
    setUp: async (ctx) => {
      await bindRoute(ctx, 'send', MOCK);
      return { method: 'DELETE', url: routeIntegrationUrl(ctx.apiId, 'send') };
    },
  },
  {
    path: '/v1/apis/{apiId}/routes',
    ends: 200,
    setUp: async (ctx) => ({ method: 'PUT', url: `/v1/apis/${ctx.apiId}/routes`, payload: { routes: { a: MOCK, b: MOCK } } }),
  },
  {
    path: '/v1/apis/{apiId}/integrations',
    ends: 201,
    setUp: async (ctx) => ({ method: 'POST', url: `/v1/apis/${ctx.apiId}/integrations`, payload: rawMock }),
  },
  {
    path: '/v1/apis/{apiId}/integrations/{integrationId}',
    ends: 200,
    setUp: async (ctx) => ({ method: 'PATCH', url: `/v1/apis/${ctx.apiId}/integrations/${await rawIntegration(ctx)}`, payload: { timeoutInMillis: 2000 } }),
  },
  {
    path: '/v1/apis/{apiId}/integrations/{integrationId}',
    ends: 200,
    setUp: async (ctx) => ({ method: 'DELETE', url: `/v1/apis/${ctx.apiId}/integrations/${await rawIntegration(ctx)}` }),
  },
  {
    path: RESPONSE,
    ends: 200,
    setUp: async (ctx) => ({
      method: 'PUT',
      url: `/v1/apis/${ctx.apiId}/integrations/${await rawIntegration(ctx)}/responses/%24default`,
      payload: { responseTemplates: { 'application/json': '{"ok":true}' } },
    }),
  },
  {
    path: RESPONSE,
    ends: 200,
    setUp: async (ctx) => {
      const url = `/v1/apis/${ctx.apiId}/integrations/${await rawIntegration(ctx)}/responses/%24default`;
      const put = await ctx.app.inject({ method: 'PUT', url, payload: { responseTemplates: { 'application/json': '{}' } } });
      if (put.statusCode !== 200) throw new Error(put.body);
      return { method: 'DELETE', url };
    },
  },
  {
    path: '/v1/apis/{apiId}/permissions/reconcile',
    ends: 200,
    setUp: async (ctx) => {
      ctx.fake.seedFunction({ name: 'chat' });
      await bindRoute(ctx, 'send', lambda('chat'));
      // Behind Gatewire's back, its statement is replaced by a Deny under the same Sid.
      const sid = ctx.fake.policy('chat').find((statement) => statement.Sid.includes(ctx.apiId))!.Sid;
      ctx.fake.putStatement('chat', { Sid: sid, Effect: 'Deny' });
      return { method: 'POST', url: `/v1/apis/${ctx.apiId}/permissions/reconcile` };
    },
  },
];

async function ended(ctx: TestApp, location: string) {
  for (let i = 0; i < 200; i++) {
    const response = await ctx.app.inject({ method: 'GET', url: location });
    if (response.statusCode !== 200) throw new Error(`GET ${location}: ${response.statusCode} ${response.body}`);
    const change = response.json();
    if (change.status !== 'pending') return change;
    await sleep(25);
  }
  throw new Error(`change at ${location} did not end`);
}

t.test('Prefer: respond-async: every mutation answers the 202 its operation declares', async (t) => {
  const shared = await buildTestApp(t);
  for (const c of CASES) {
    const ctx: TestApp = { ...shared, apiId: shared.fake.seedApi({ name: 'accepted' }) };
    const request = await c.setUp(ctx);
    const name = `${request.method} ${c.path}`;
    const response = await ctx.app.inject({ ...request, headers: { prefer: 'respond-async' } });
    t.equal(response.statusCode, 202, `${name}: 202 (${response.body.slice(0, 200)})`);
    const body = response.json();
    t.same(responseErrors(c.path, request.method, 202, body), [], `${name}: the body is the declared Change`);
    t.equal(response.headers['location'], `/v1/changes/${body.changeId}`, `${name}: Location`);
    t.match(response.headers['retry-after'], /^([1-9]|[12]\d|30)$/, `${name}: Retry-After, 1 to 30 s`);
    t.equal(response.headers['preference-applied'], 'respond-async', `${name}: Preference-Applied`);
    t.ok(body.plan.length > 0 && body.progress.stepsTotal === body.plan.length, `${name}: the plan as stored`);
    // Let it end before the next case plans on the same fake.
    const change = await ended(ctx, response.headers['location'] as string);
    t.equal(change.status, 'succeeded', `${name}: it ended`);
    t.equal(change.result?.status, c.ends, `${name}: with the answer it would have had`);
  }
});

/** A store whose reads of one change's record answer `read` (eventually consistent, or down for a moment). */
function storeWithReads(read: (id: string) => Promise<undefined>) {
  const store = createMemoryAuditStore();
  let misses = 0;
  const reading: AuditStore = {
    ...store,
    async get(id) {
      if (misses > 0) {
        misses -= 1;
        return read(id);
      }
      return store.get(id);
    },
  };
  return { store, reading, missNext: () => (misses = 1) };
}

const readFailures: [string, (id: string) => Promise<undefined>][] = [
  ['a read that misses the fresh record', async () => undefined],
  [
    'a read that fails',
    async () => {
      throw new DomainError('audit-unavailable', 'audit store unavailable: could not read the audit record');
    },
  ],
];

for (const [name, read] of readFailures) {
  t.test(`${name}: the 202 is the change as it started, a whole Change`, async (t) => {
    const { store, reading, missNext } = storeWithReads(read);
    const ctx = await buildTestApp(t, { audit: { store: reading, lock: createInProcessLock() } });
    // The change outlasts its answer: each of its two writes takes 300 ms.
    for (const operation of ['CreateIntegration', 'CreateRoute']) ctx.fake.inject({ operation, fault: 'latency', latencyMs: 300 });
    missNext();
    const response = await ctx.app.inject({ method: 'PUT', url: routeIntegrationUrl(ctx.apiId, 'send'), headers: { prefer: 'respond-async' }, payload: MOCK });
    t.equal(response.statusCode, 202, response.body.slice(0, 300));
    const body = response.json();
    t.same(responseErrors('/v1/apis/{apiId}/routes/{routeKey}/integration', 'PUT', 202, body), []);
    t.match(body, { action: 'route-integration.put', apiId: ctx.apiId, routeKey: 'send', status: 'pending', progress: { stepsDone: 0, stepsTotal: 2 } });
    t.same(body.plan, [], 'no plan: the runner’s copy is not the redacted one');
    t.type(body.progress.estimatedSecondsLeft, 'number');
    t.equal(response.headers['location'], `/v1/changes/${body.changeId}`);
    const record = await store.get(body.changeId);
    t.equal(record?.occurredAt, body.startedAt, 'the record it was journaled as');

    // The change went on regardless, and its record is there to follow.
    const change = await ended(ctx, response.headers['location'] as string);
    t.equal(change.status, 'succeeded');
  });
}
