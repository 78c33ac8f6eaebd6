// ETags and conditional requests (issue 6): GET gives the tag of the AWS state, a mutation's
// response the tag after the change; If-Match / If-None-Match are checked against the state read
// under the lock, and a failed one changes nothing in AWS and writes no audit record.
import t from 'tap';
import { buildTestApp, routeIntegrationUrl } from '../support/build-test-app.js';
import { assertProblem } from '../support/problems.js';

const MOCK = { backend: { type: 'mock' }, requestTemplates: { 'application/json': '{"statusCode":200}' }, description: 'v1' };
const STRONG_TAG = /^"[A-Za-z0-9_-]{27}"$/;

t.test('GET gives an ETag; PUT with If-Match of it succeeds and answers the new one', async (t) => {
  const { app, apiId } = await buildTestApp(t);
  const created = await app.inject({ method: 'PUT', url: routeIntegrationUrl(apiId, 'ping'), payload: MOCK });
  t.equal(created.statusCode, 200, created.body.slice(0, 300));
  t.match(created.headers.etag, STRONG_TAG, 'a mutation answers a strong ETag');

  const got = await app.inject({ method: 'GET', url: routeIntegrationUrl(apiId, 'ping') });
  t.equal(got.statusCode, 200);
  t.equal(got.headers.etag, created.headers.etag, 'GET answers the tag the PUT reported for the state after it');
  const again = await app.inject({ method: 'GET', url: routeIntegrationUrl(apiId, 'ping') });
  t.equal(again.headers.etag, got.headers.etag, 'the same state has the same tag (no made-up timestamps)');

  const updated = await app.inject({
    method: 'PUT',
    url: routeIntegrationUrl(apiId, 'ping'),
    headers: { 'if-match': String(got.headers.etag) },
    payload: { ...MOCK, description: 'v2' },
  });
  t.equal(updated.statusCode, 200, updated.body.slice(0, 300));
  t.equal(updated.json().outcome, 'applied');
  t.match(updated.headers.etag, STRONG_TAG);
  t.not(updated.headers.etag, got.headers.etag, 'the change gives a new tag');
  const after = await app.inject({ method: 'GET', url: routeIntegrationUrl(apiId, 'ping') });
  t.equal(after.headers.etag, updated.headers.etag, 'which is the tag GET now answers');

  // One of several tags matching is enough (RFC 9110 §13.1.1).
  const listed = await app.inject({
    method: 'PUT',
    url: routeIntegrationUrl(apiId, 'ping'),
    headers: { 'if-match': `"someOtherTag", ${String(after.headers.etag)}` },
    payload: { ...MOCK, description: 'v3' },
  });
  t.equal(listed.statusCode, 200, listed.body.slice(0, 300));
});

t.test('a stale If-Match is a 412 with the current ETag: no AWS write, no audit record', async (t) => {
  const { app, fake, apiId, auditStore } = await buildTestApp(t);
  const first = await app.inject({ method: 'PUT', url: routeIntegrationUrl(apiId, 'ping'), payload: MOCK });
  const stale = String(first.headers.etag);
  // Someone else changes the route in between.
  const second = await app.inject({ method: 'PUT', url: routeIntegrationUrl(apiId, 'ping'), payload: { ...MOCK, description: 'theirs' } });
  t.equal(second.statusCode, 200);
  const current = String(second.headers.etag);
  t.not(current, stale);

  const records = auditStore.records().length;
  fake.resetCalls();
  for (const dryRun of [false, true]) {
    const refused = await app.inject({
      method: 'PUT',
      url: routeIntegrationUrl(apiId, 'ping', dryRun ? '?dryRun=true' : ''),
      headers: { 'if-match': stale },
      payload: { ...MOCK, description: 'mine' },
    });
    const problem = assertProblem(t, refused, 412);
    t.equal(problem.etag, current, `the problem names the current tag (dryRun=${dryRun})`);
    t.equal(refused.headers.etag, current, 'and so does the ETag header');
  }
  t.same(fake.writes(), [], 'AWS saw no write');
  t.equal(auditStore.records().length, records, 'no audit record was written');
  t.equal(fake.api(apiId).integrations[0]?.description, 'theirs', 'their change stands');

  const deleted = await app.inject({ method: 'DELETE', url: routeIntegrationUrl(apiId, 'ping'), headers: { 'if-match': stale } });
  assertProblem(t, deleted, 412);
  t.same(fake.writes(), [], 'a conditional DELETE is refused the same way');

  const removed = await app.inject({ method: 'DELETE', url: routeIntegrationUrl(apiId, 'ping'), headers: { 'if-match': current } });
  t.equal(removed.statusCode, 200, removed.body.slice(0, 300));
  t.equal(removed.json().outcome, 'applied');
});

t.test('If-None-Match: * creates only; If-Match: * updates only', async (t) => {
  const { app, fake, apiId } = await buildTestApp(t);
  const missing = await app.inject({
    method: 'PUT',
    url: routeIntegrationUrl(apiId, 'fresh'),
    headers: { 'if-match': '*' },
    payload: MOCK,
  });
  const problem = assertProblem(t, missing, 412);
  t.equal(problem.etag, undefined, 'a route that does not exist has no tag');
  t.same(fake.writes(), [], 'If-Match: * on a missing target writes nothing');

  const created = await app.inject({
    method: 'PUT',
    url: routeIntegrationUrl(apiId, 'fresh'),
    headers: { 'if-none-match': '*' },
    payload: MOCK,
  });
  t.equal(created.statusCode, 200, created.body.slice(0, 300));
  t.equal(created.json().outcome, 'applied', 'a new route is created');
  t.ok(fake.api(apiId).route('fresh')?.target, 'and bound');

  fake.resetCalls();
  const exists = await app.inject({
    method: 'PUT',
    url: routeIntegrationUrl(apiId, 'fresh'),
    headers: { 'if-none-match': '*' },
    payload: { ...MOCK, description: 'overwrite?' },
  });
  const refused = assertProblem(t, exists, 412);
  t.equal(refused.etag, created.headers.etag, 'the 412 names the bound integration state');
  t.same(fake.writes(), [], 'the route that has an integration is left alone');

  const updated = await app.inject({
    method: 'PUT',
    url: routeIntegrationUrl(apiId, 'fresh'),
    headers: { 'if-match': '*' },
    payload: { ...MOCK, description: 'v2' },
  });
  t.equal(updated.statusCode, 200, 'If-Match: * passes once an integration is bound');
});

t.test('PATCH of a raw integration with If-Match', async (t) => {
  const { app, fake, apiId } = await buildTestApp(t);
  const url = (id: string) => `/v1/apis/${apiId}/integrations/${id}`;
  const created = await app.inject({
    method: 'POST',
    url: `/v1/apis/${apiId}/integrations`,
    payload: { integrationType: 'MOCK', requestTemplates: { 'application/json': '{"statusCode":200}' } },
  });
  t.equal(created.statusCode, 201, created.body.slice(0, 300));
  const integrationId = created.json().integration.integrationId as string;
  const got = await app.inject({ method: 'GET', url: url(integrationId) });
  t.match(got.headers.etag, STRONG_TAG);
  t.equal(got.headers.etag, created.headers.etag, 'POST answers the new integration tag');

  const patched = await app.inject({
    method: 'PATCH',
    url: url(integrationId),
    headers: { 'if-match': String(got.headers.etag) },
    payload: { description: 'patched' },
  });
  t.equal(patched.statusCode, 200, patched.body.slice(0, 300));
  t.not(patched.headers.etag, got.headers.etag);
  t.equal((await app.inject({ method: 'GET', url: url(integrationId) })).headers.etag, patched.headers.etag);

  fake.resetCalls();
  const stale = await app.inject({
    method: 'PATCH',
    url: url(integrationId),
    headers: { 'if-match': String(got.headers.etag) },
    payload: { description: 'lost update' },
  });
  const problem = assertProblem(t, stale, 412);
  t.equal(problem.etag, patched.headers.etag);
  t.same(fake.writes(), [], 'no write');
  t.equal(fake.api(apiId).integration(integrationId)?.description, 'patched');

  // A weak tag never matches If-Match (strong comparison).
  const weak = await app.inject({
    method: 'PATCH',
    url: url(integrationId),
    headers: { 'if-match': `W/${String(patched.headers.etag)}` },
    payload: { description: 'weak' },
  });
  assertProblem(t, weak, 412);

  const malformed = await app.inject({ method: 'PATCH', url: url(integrationId), headers: { 'if-match': 'no-quotes' }, payload: { description: 'x' } });
  const invalid = assertProblem(t, malformed, 400);
  t.match(invalid.errors, [{ path: '/headers/if-match' }]);
});

t.test('integration responses carry their own ETag', async (t) => {
  const { app, fake, apiId } = await buildTestApp(t);
  const created = await app.inject({
    method: 'POST',
    url: `/v1/apis/${apiId}/integrations`,
    payload: { integrationType: 'MOCK', requestTemplates: { 'application/json': '{"statusCode":200}' } },
  });
  const integrationId = created.json().integration.integrationId as string;
  const url = `/v1/apis/${apiId}/integrations/${integrationId}/responses/${encodeURIComponent('$default')}`;
  const put = await app.inject({ method: 'PUT', url, headers: { 'if-none-match': '*' }, payload: { responseTemplates: { 'application/json': '{}' } } });
  t.equal(put.statusCode, 200, put.body.slice(0, 300));
  t.match(put.headers.etag, STRONG_TAG);
  const got = await app.inject({ method: 'GET', url });
  t.equal(got.headers.etag, put.headers.etag);

  fake.resetCalls();
  const again = await app.inject({ method: 'PUT', url, headers: { 'if-none-match': '*' }, payload: { responseTemplates: { 'application/json': '{"x":1}' } } });
  assertProblem(t, again, 412);
  t.same(fake.writes(), []);
});
