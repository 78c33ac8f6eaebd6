import t from 'tap';
import { buildTestApp, routeIntegrationUrl, type TestApp } from '../support/build-test-app.js';

const lambda = (fn: string, extra: object = {}) => ({ backend: { type: 'lambda', function: fn }, ...extra });

async function counted(ctx: TestApp, request: () => Promise<{ statusCode: number }>) {
  ctx.fake.resetCalls();
  const response = await request();
  const ops = ctx.fake.calls.map((call) => call.operation);
  return { status: response.statusCode, ops };
}

t.test('measure', async (t) => {
  const ctx = await buildTestApp(t);
  ctx.fake.seedFunction({ name: 'chat' });
  const put = (body: object) => ctx.app.inject({ method: 'PUT', url: routeIntegrationUrl(ctx.apiId, 'send'), payload: body });
  const create = await counted(ctx, () => put(lambda('chat')));
  const update = await counted(ctx, () => put(lambda('chat', { timeoutInMillis: 1000 })));
  const noop = await counted(ctx, () => put(lambda('chat', { timeoutInMillis: 1000 })));
  const del = await counted(ctx, () => ctx.app.inject({ method: 'DELETE', url: routeIntegrationUrl(ctx.apiId, 'send') }));
  for (const [name, r] of Object.entries({ create, update, noop, del })) console.log(name, r.status, r.ops.length, r.ops.join(' '));
  t.pass();
});
