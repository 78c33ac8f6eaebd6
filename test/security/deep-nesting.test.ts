// Issue 16 §4: JSON nested far deeper than any real body (but under the size limit) is refused with
// a 400 problem+json before validation, on the intent and the bulk forms, and reaches AWS not at
// all. It used to be a 500 "Maximum call stack size exceeded" from the validator's recursion.
import t from 'tap';
import { exceedsJsonDepth, MAX_JSON_DEPTH } from '../../src/plugins/json-body.js';
import { buildTestApp, routeIntegrationUrl } from '../support/build-test-app.js';

const LEVELS = 100_000;

/** `{"a":{"a":…{"a":1}…}}`, `levels` objects deep (about 6 bytes a level). */
function deepObjects(levels: number): string {
  return '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);
}

/** `[[[…[1]…]]]`, `levels` arrays deep. */
function deepArrays(levels: number): string {
  return '['.repeat(levels) + '1' + ']'.repeat(levels);
}

t.test('deep nesting is a 400 problem+json, with no AWS call', async (t) => {
  const ctx = await buildTestApp(t, { checkValidators: true });
  const { app, apiId, fake } = ctx;
  const cases = [
    {
      name: 'intent form, objects inside requestTemplates',
      url: routeIntegrationUrl(apiId, 'sendmessage'),
      payload: `{"backend":{"type":"mock"},"requestTemplates":${deepObjects(LEVELS)}}`,
    },
    { name: 'intent form, arrays as the body', url: routeIntegrationUrl(apiId, 'sendmessage'), payload: deepArrays(LEVELS) },
    {
      name: 'bulk form, objects inside a route',
      url: `/v1/apis/${apiId}/routes`,
      payload: `{"routes":{"sendmessage":{"backend":${deepObjects(LEVELS)}}}}`,
    },
    { name: 'bulk form, arrays inside routes', url: `/v1/apis/${apiId}/routes`, payload: `{"routes":${deepArrays(LEVELS)}}` },
  ];
  for (const c of cases) {
    t.ok(c.payload.length < 1024 * 1024, `${c.name}: the body is under the default size limit`);
    fake.resetCalls();
    const response = await app.inject({ method: 'PUT', url: c.url, headers: { 'content-type': 'application/json' }, payload: c.payload });
    t.equal(response.statusCode, 400, `${c.name}: 400 (${response.body.slice(0, 200)})`);
    t.match(String(response.headers['content-type']), /^application\/problem\+json/, `${c.name}: problem+json`);
    t.match(JSON.parse(response.body), { status: 400, type: 'https://gatewire.dev/problems/json-too-deep', detail: /nested more than 32 levels/ });
    t.same(fake.calls, [], `${c.name}: no AWS call`);
  }

  // A body within the limit still goes on to validation (and is accepted when valid).
  const shallow = await app.inject({
    method: 'PUT',
    url: routeIntegrationUrl(apiId, 'sendmessage', '?dryRun=true'),
    payload: { backend: { type: 'mock' }, requestTemplates: { 'application/json': '{"a":1}' } },
  });
  t.equal(shallow.statusCode, 200, shallow.body.slice(0, 300));

  // After all of that the process still serves.
  const health = await app.inject({ method: 'GET', url: '/healthz' });
  t.equal(health.statusCode, 200);
});

t.test('the depth scan counts brackets outside strings only', async (t) => {
  t.equal(exceedsJsonDepth('{"a":[1,{"b":2}]}', 3), false);
  t.equal(exceedsJsonDepth('{"a":[1,{"b":[2]}]}', 3), true);
  // Brackets inside strings, escaped quotes included, are text.
  t.equal(exceedsJsonDepth(JSON.stringify({ t: '[[[[{{{{"\\"[[[[' }), 1), false);
  t.equal(exceedsJsonDepth(JSON.stringify({ t: 'a\\' }) + '', 1), false);
  t.equal(exceedsJsonDepth(JSON.stringify([{ t: '"' }, [[1]]]), 2), true);
  t.equal(exceedsJsonDepth(deepArrays(MAX_JSON_DEPTH), MAX_JSON_DEPTH), false);
  t.equal(exceedsJsonDepth(deepArrays(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH), true);
});
