// The fact cache (issue 15): bounded in time and size, and an API found gone is forgotten.
import t from 'tap';
import { DeleteApiCommand } from '@aws-sdk/client-apigatewayv2';
import { createFactCache, forgetFunction, TtlCache } from '../../src/services/fact-cache.js';
import { buildTestApp, routeIntegrationUrl } from '../support/build-test-app.js';
import { apiGatewayClientFor } from '../support/fake-aws/sdk-clients.js';

t.test('an entry lives for its TTL, and the oldest goes first past the size bound', async (t) => {
  let now = 1000;
  const cache = new TtlCache<string>({ ttlMs: 100, maxEntries: 2, now: () => now });
  cache.set('a', '1');
  cache.set('b', '2');
  now += 99;
  t.equal(cache.get('a'), '1', 'fresh');
  cache.set('c', '3');
  t.equal(cache.get('a'), undefined, 'the oldest went to make room');
  t.equal(cache.get('c'), '3');
  now += 1;
  t.equal(cache.get('b'), undefined, 'expired at its TTL');
  t.equal(new TtlCache<string>({ ttlMs: 0 }).get('x'), undefined);
});

t.test('forgetting a function drops every name and qualifier that resolved to it', async (t) => {
  const facts = createFactCache();
  const arn = 'arn:aws:lambda:us-east-1:123456789012:function:chat';
  facts.functionArns.set('chat:', arn);
  facts.functionArns.set('chat:prod', `${arn}:prod`);
  facts.functionArns.set('other:', 'arn:aws:lambda:us-east-1:123456789012:function:other');
  forgetFunction(facts, `${arn}:prod`);
  t.equal(facts.functionArns.get('chat:'), undefined);
  t.equal(facts.functionArns.get('chat:prod'), undefined);
  t.ok(facts.functionArns.get('other:'), 'another function stays');
});

t.test("an API's protocol type is read once, and again once the API is found gone", async (t) => {
  const ctx = await buildTestApp(t);
  const put = () => ctx.app.inject({ method: 'PUT', url: routeIntegrationUrl(ctx.apiId, 'send'), payload: { backend: { type: 'mock' } } });
  const getApis = () => ctx.fake.calls.filter((call) => call.operation === 'GetApi').length;
  t.equal((await put()).statusCode, 200);
  t.equal((await put()).statusCode, 200);
  t.equal(getApis(), 1, 'two changes, one GetApi');

  const client = apiGatewayClientFor(ctx.fake);
  t.teardown(() => client.destroy());
  await client.send(new DeleteApiCommand({ ApiId: ctx.apiId }));
  ctx.fake.resetCalls();
  t.equal((await put()).statusCode, 404, 'the API is gone');
  t.equal(getApis(), 0, 'known to be WebSocket: only its routes were read');
  t.equal((await put()).statusCode, 404);
  t.equal(getApis(), 1, 'found gone, it is read again');
});
