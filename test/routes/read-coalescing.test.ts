// Identical concurrent reads reach AWS once, GETs may be answered from a short cache with an Age
// header, and a change never plans on cached state (issue 15; src/aws/read-coalescer.ts).
import t from 'tap';
import { buildTestApp, routeIntegrationUrl } from '../support/build-test-app.js';
import type { FakeCall } from '../support/fake-aws/index.js';

const CACHED = { GATEWIRE_READ_CACHE_MS: '2000' };

/** How many calls the fake got per operation. */
function perOperation(calls: readonly FakeCall[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const call of calls) counts[call.operation] = (counts[call.operation] ?? 0) + 1;
  return counts;
}

t.test('50 identical concurrent GETs reach AWS as one call per distinct read', async (t) => {
  // No cache: the 50 below are coalesced while in flight, not answered from earlier answers.
  const ctx = await buildTestApp(t, { env: { GATEWIRE_READ_CACHE_MS: '0' } });
  const put = await ctx.app.inject({ method: 'PUT', url: routeIntegrationUrl(ctx.apiId, 'send'), payload: { backend: { type: 'mock' } } });
  t.equal(put.statusCode, 200, put.body.slice(0, 200));
  ctx.fake.resetCalls();
  const single = await ctx.app.inject({ method: 'GET', url: `/v1/apis/${ctx.apiId}/drift` });
  t.equal(single.statusCode, 200);
  const perGet = perOperation(ctx.fake.calls);

  for (const url of [routeIntegrationUrl(ctx.apiId, 'send'), '/v1/apis', `/v1/apis/${ctx.apiId}/drift`]) {
    ctx.fake.resetCalls();
    const answers = await Promise.all(Array.from({ length: 50 }, () => ctx.app.inject({ method: 'GET', url })));
    t.same(new Set(answers.map((answer) => answer.statusCode)), new Set([200]), `${url}: all answered`);
    t.equal(new Set(answers.map((answer) => answer.body)).size, 1, `${url}: all the same answer`);
    const counts = perOperation(ctx.fake.calls);
    t.ok(ctx.fake.calls.length > 0, `${url}: read AWS (${JSON.stringify(counts)})`);
    t.same(
      Object.values(counts).filter((count) => count > 1),
      [],
      `${url}: each distinct read once for 50 GETs (${JSON.stringify(counts)})`,
    );
    if (url.endsWith('/drift')) t.same(counts, perGet, 'as many calls as one GET alone');
  }
});

t.test('a GET within the cache time is answered without AWS, with an Age header; a change reads fresh and drops the cache', async (t) => {
  const ctx = await buildTestApp(t, { env: CACHED });
  const url = routeIntegrationUrl(ctx.apiId, 'send');
  const put = await ctx.app.inject({ method: 'PUT', url, payload: { backend: { type: 'mock' }, description: 'first' } });
  t.equal(put.statusCode, 200, put.body.slice(0, 200));

  const fresh = await ctx.app.inject({ method: 'GET', url });
  t.equal(fresh.statusCode, 200);
  t.equal(fresh.headers['age'], undefined, 'a fresh answer has no Age');
  ctx.fake.resetCalls();
  await new Promise((resolve) => setTimeout(resolve, 1_050));
  const cached = await ctx.app.inject({ method: 'GET', url });
  t.equal(cached.statusCode, 200);
  t.equal(ctx.fake.calls.length, 0, 'no AWS call');
  t.equal(cached.headers['age'], '1', 'Age: the seconds since AWS answered');
  t.equal(cached.body, fresh.body, 'the same answer');

  // The change plans on the live state, not on the cached reads of the GET before it.
  const update = await ctx.app.inject({ method: 'PUT', url, payload: { backend: { type: 'mock' }, description: 'second' } });
  t.equal(update.statusCode, 200, update.body.slice(0, 200));
  const changeReads = ctx.fake.calls.filter((call) => call.method === 'GET');
  t.ok(changeReads.length > 0, `the change read AWS itself (${changeReads.map((call) => call.operation).join(', ')})`);
  t.ok(ctx.fake.writes().length > 0, 'and wrote');

  ctx.fake.resetCalls();
  const after = await ctx.app.inject({ method: 'GET', url });
  t.equal(after.statusCode, 200);
  t.ok(ctx.fake.calls.length > 0, 'the GET after the change reads AWS again');
  t.equal(after.headers['age'], undefined, 'fresh');
  t.not(after.body, fresh.body, 'and sees the change');
  t.match(after.body, /second/, 'its description');
});

t.test('an API made behind Gatewire is listed once the cache time has passed', async (t) => {
  const ctx = await buildTestApp(t, { env: { GATEWIRE_READ_CACHE_MS: '300' } });
  const list = await ctx.app.inject({ method: 'GET', url: '/v1/apis' });
  t.equal(list.statusCode, 200, list.body.slice(0, 200));
  ctx.fake.seedApi({ name: 'made-behind-gatewire' });
  const soon = await ctx.app.inject({ method: 'GET', url: '/v1/apis' });
  t.equal(soon.headers['age'], '0', 'within the cache time: the cached answer');
  t.notMatch(soon.body, /made-behind-gatewire/, 'which predates the new API');
  await new Promise((resolve) => setTimeout(resolve, 350));
  const later = await ctx.app.inject({ method: 'GET', url: '/v1/apis' });
  t.equal(later.headers['age'], undefined, 'past it: read again');
  t.match(later.body, /made-behind-gatewire/, 'the new API is listed');
});
