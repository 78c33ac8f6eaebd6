// Issue 6: for every kind of change, `?dryRun=true` returns the plan while AWS sees no write and
// no audit record is written; the same change applied afterwards makes exactly the planned calls,
// in order, with the planned parameters (compared with the fake's call log).
import t from 'tap';
import { buildTestApp, routeIntegrationUrl, type TestApp } from '../support/build-test-app.js';
import type { FakeCall } from '../support/fake-aws/index.js';

interface Request {
  method: 'PUT' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  payload?: object;
}

interface Case {
  name: string;
  /** Brings the fake into the state the change starts from; returns the request to try. */
  setUp(ctx: TestApp): Promise<Request>;
}

/** Every case shares one app and fake and gets an API of its own; seeding `chat` again keeps its policy. */
function seedChat(ctx: TestApp): void {
  ctx.fake.seedFunction({ name: 'chat' });
}

const MOCK = { backend: { type: 'mock' }, requestTemplates: { 'application/json': '{"statusCode":200}' } };
const lambda = (fn: string) => ({ backend: { type: 'lambda', function: fn } });
const rawMock = { integrationType: 'MOCK', requestTemplates: { 'application/json': '{"statusCode":200}' } };

async function send(ctx: TestApp, request: Request, query = '') {
  const url = request.url + (query ? (request.url.includes('?') ? `&${query.slice(1)}` : query) : '');
  const response = await ctx.app.inject({ method: request.method, url, ...(request.payload ? { payload: request.payload } : {}) });
  return { status: response.statusCode, body: response.json() };
}

async function bindRoute(ctx: TestApp, routeKey: string, body: object): Promise<string> {
  const response = await ctx.app.inject({ method: 'PUT', url: routeIntegrationUrl(ctx.apiId, routeKey), payload: body });
  if (response.statusCode !== 200) throw new Error(response.body);
  return response.json().routeIntegration.integration.integrationId as string;
}

async function rawIntegration(ctx: TestApp): Promise<string> {
  const response = await ctx.app.inject({ method: 'POST', url: `/v1/apis/${ctx.apiId}/integrations`, payload: rawMock });
  return response.json().integration.integrationId as string;
}

const CASES: Case[] = [
  {
    name: 'route PUT creating a route with a Lambda backend and its permission',
    setUp: async (ctx) => {
      seedChat(ctx);
      return { method: 'PUT', url: routeIntegrationUrl(ctx.apiId, 'send'), payload: { ...lambda('chat'), returnResponse: true } };
    },
  },
  {
    name: 'route PUT updating an integration in place',
    setUp: async (ctx) => {
      await bindRoute(ctx, 'send', MOCK);
      return { method: 'PUT', url: routeIntegrationUrl(ctx.apiId, 'send'), payload: { ...MOCK, timeoutInMillis: 1000 } };
    },
  },
  {
    name: 'route PUT replacing an integration (type change, old permission removed)',
    setUp: async (ctx) => {
      seedChat(ctx);
      await bindRoute(ctx, 'send', lambda('chat'));
      return { method: 'PUT', url: routeIntegrationUrl(ctx.apiId, 'send'), payload: MOCK };
    },
  },
  {
    name: 'route DELETE',
    setUp: async (ctx) => {
      seedChat(ctx);
      await bindRoute(ctx, 'send', lambda('chat'));
      return { method: 'DELETE', url: routeIntegrationUrl(ctx.apiId, 'send') };
    },
  },
  {
    name: 'raw POST of an integration',
    setUp: async (ctx) => ({ method: 'POST', url: `/v1/apis/${ctx.apiId}/integrations`, payload: rawMock }),
  },
  {
    name: 'raw PATCH of an integration',
    setUp: async (ctx) => {
      const id = await rawIntegration(ctx);
      return { method: 'PATCH', url: `/v1/apis/${ctx.apiId}/integrations/${id}`, payload: { timeoutInMillis: 2000 } };
    },
  },
  {
    name: 'raw DELETE of an integration',
    setUp: async (ctx) => {
      const id = await rawIntegration(ctx);
      return { method: 'DELETE', url: `/v1/apis/${ctx.apiId}/integrations/${id}` };
    },
  },
  {
    name: 'integration response PUT',
    setUp: async (ctx) => {
      const id = await rawIntegration(ctx);
      return {
        method: 'PUT',
        url: `/v1/apis/${ctx.apiId}/integrations/${id}/responses/%24default`,
        payload: { responseTemplates: { 'application/json': '{"ok":true}' } },
      };
    },
  },
  {
    name: 'integration response DELETE',
    setUp: async (ctx) => {
      const id = await rawIntegration(ctx);
      const url = `/v1/apis/${ctx.apiId}/integrations/${id}/responses/%24default`;
      await ctx.app.inject({ method: 'PUT', url, payload: { responseTemplates: { 'application/json': '{}' } } });
      return { method: 'DELETE', url };
    },
  },
  {
    name: 'permission reconcile',
    setUp: async (ctx) => {
      seedChat(ctx);
      await bindRoute(ctx, 'send', lambda('chat'));
      // Behind Gatewire's back, its statement is replaced by a Deny under the same Sid.
      const sid = ctx.fake.policy('chat').find((statement) => statement.Sid.includes(ctx.apiId))!.Sid;
      ctx.fake.putStatement('chat', { Sid: sid, Effect: 'Deny' });
      return { method: 'POST', url: `/v1/apis/${ctx.apiId}/permissions/reconcile` };
    },
  },
  {
    name: 'bulk apply',
    setUp: async (ctx) => {
      seedChat(ctx);
      await bindRoute(ctx, 'old', MOCK);
      return { method: 'PUT', url: `/v1/apis/${ctx.apiId}/routes`, payload: { routes: { old: null, a: lambda('chat'), b: MOCK } } };
    },
  },
];

/** Plan parameters that a write's body should carry (ids travel in the path, `<refs>` are resolved). */
function bodyFieldsOf(params: Record<string, unknown>): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(params)) {
    if (['apiId', 'integrationId', 'routeId', 'integrationResponseId', 'routeResponseId', 'target'].includes(name)) continue;
    fields[name] = value;
  }
  return fields;
}

const shared = await buildTestApp(t);

for (const c of CASES) {
  t.test(c.name, async (t) => {
    const ctx: TestApp = { ...shared, apiId: shared.fake.seedApi({ name: c.name.slice(0, 60) }) };
    const request = await c.setUp(ctx);
    const recordsBefore = ctx.auditStore.records().length;
    const stateBefore = ctx.fake.snapshot();
    ctx.fake.resetCalls();

    const dry = await send(ctx, request, '?dryRun=true');
    t.equal(dry.status, 200, JSON.stringify(dry.body).slice(0, 300));
    t.equal(dry.body.outcome, 'planned');
    t.ok(dry.body.plan.length > 0, 'there is something to do');
    t.same(ctx.fake.writes(), [], 'the dry run made no write');
    t.same(ctx.fake.snapshot(), stateBefore, 'AWS is unchanged');
    t.equal(ctx.auditStore.records().length, recordsBefore, 'no audit record for a dry run');

    ctx.fake.resetCalls();
    const real = await send(ctx, request);
    t.ok(real.status === 200 || real.status === 201, `applied: ${real.status}`);
    t.equal(real.body.outcome, 'applied');
    const writes: FakeCall[] = ctx.fake.writes();
    const planned = dry.body.plan as { operation: string; params: Record<string, unknown> }[];
    t.same(
      writes.map((call) => call.operation),
      planned.map((step) => step.operation),
      'the calls made are the calls planned, in order',
    );
    t.same(real.body.plan, dry.body.plan, 'the plan that ran is the plan the dry run showed');
    planned.forEach((step, index) => {
      const body = writes[index]?.body;
      if (writes[index]?.service !== 'apigatewayv2' || typeof body !== 'object' || body === null) return;
      t.match(body, bodyFieldsOf(step.params), `${step.operation} carried the planned parameters`);
    });
    t.equal(ctx.auditStore.records().length, recordsBefore + 1, 'one audit record for the change');
  });
}
