// GET/PUT/DELETE /v1/apis/{apiId}/integrations/{integrationId}/responses/{responseKey}: the key
// travels URL-encoded; PUT is idempotent; the fake's state and call log say what AWS saw.
import t from 'tap';
import { buildTestApp, type TestApp } from '../support/build-test-app.js';
import { assertProblem } from '../support/problems.js';
import type { TestContext } from '../support/tap.js';

const REGEX_KEY = String.raw`/2\d\d/`;

const responseUrl = (apiId: string, integrationId: string, responseKey: string, query = '') =>
  `/v1/apis/${apiId}/integrations/${integrationId}/responses/${encodeURIComponent(responseKey)}${query}`;

async function mockIntegration(t: TestContext, { app, apiId }: TestApp): Promise<string> {
  const response = await app.inject({
    method: 'POST',
    url: `/v1/apis/${apiId}/integrations`,
    payload: { integrationType: 'MOCK', requestTemplates: { 'application/json': '{"statusCode":200}' } },
  });
  t.equal(response.statusCode, 201, response.body.slice(0, 300));
  return response.json().integration.integrationId as string;
}

t.test('PUT $default creates, again is unchanged, a different template updates', async (t) => {
  const ctx = await buildTestApp(t, { checkValidators: true });
  const { app, fake, apiId } = ctx;
  const integrationId = await mockIntegration(t, ctx);
  const body = { responseTemplates: { 'application/json': '{"ok": true}' } };

  fake.resetCalls();
  const created = await app.inject({ method: 'PUT', url: responseUrl(apiId, integrationId, '$default'), payload: body });
  t.equal(created.statusCode, 200, created.body.slice(0, 500));
  t.match(created.json(), {
    outcome: 'applied',
    auditId: String,
    plan: [{ operation: 'CreateIntegrationResponse', params: { apiId, integrationId, integrationResponseKey: '$default', ...body } }],
    integrationResponse: { integrationResponseKey: '$default', integrationResponseId: String, ...body },
  });
  t.same(fake.writes().map((call) => call.operation), ['CreateIntegrationResponse']);
  t.same(fake.writes()[0]!.body, { integrationResponseKey: '$default', ...body });
  const stored = fake.api(apiId).integrationResponses(integrationId);
  t.match(stored, [{ integrationResponseKey: '$default', ...body }]);
  t.equal(stored.length, 1);
  const responseId = stored[0]!.integrationResponseId;

  fake.resetCalls();
  const again = await app.inject({ method: 'PUT', url: responseUrl(apiId, integrationId, '$default'), payload: body });
  t.equal(again.statusCode, 200);
  t.match(again.json(), { outcome: 'unchanged', plan: [], integrationResponse: { integrationResponseId: responseId, ...body } });
  t.notOk(again.json().auditId);
  t.same(fake.writes(), [], 'the same body twice writes nothing the second time');

  fake.resetCalls();
  const changed = { responseTemplates: { 'application/json': '{"ok": false}' } };
  const updated = await app.inject({ method: 'PUT', url: responseUrl(apiId, integrationId, '$default'), payload: changed });
  t.equal(updated.statusCode, 200);
  t.match(updated.json(), {
    outcome: 'applied',
    plan: [{ operation: 'UpdateIntegrationResponse', params: { integrationResponseId: responseId, ...changed } }],
    integrationResponse: { integrationResponseId: responseId, ...changed },
  });
  t.same(fake.writes().map((call) => call.operation), ['UpdateIntegrationResponse']);
  t.same(fake.writes()[0]!.body, changed, 'only the changed field travels');
  t.match(fake.api(apiId).integrationResponses(integrationId), [{ integrationResponseId: responseId, ...changed }]);

  // A body that drops a field replaces the response: the new one holds exactly the body.
  fake.resetCalls();
  const replaced = await app.inject({
    method: 'PUT',
    url: responseUrl(apiId, integrationId, '$default'),
    payload: { templateSelectionExpression: '\\$default' },
  });
  t.equal(replaced.statusCode, 200, replaced.body.slice(0, 500));
  t.equal(replaced.json().outcome, 'applied');
  const now = fake.api(apiId).integrationResponses(integrationId);
  t.equal(now.length, 1);
  t.same(
    { ...now[0], integrationResponseId: 'x' },
    { integrationResponseId: 'x', integrationResponseKey: '$default', templateSelectionExpression: '\\$default' },
  );

  const audit = await ctx.auditStore.get(created.json().auditId);
  t.match(audit, { action: 'integration-response.put', status: 'succeeded', integrationId, before: null });
});

t.test('a regex key travels URL-encoded', async (t) => {
  const ctx = await buildTestApp(t, { checkValidators: true });
  const { app, fake, apiId } = ctx;
  const integrationId = await mockIntegration(t, ctx);
  const url = responseUrl(apiId, integrationId, REGEX_KEY);
  t.match(url, /%2F2%5Cd%5Cd%2F$/);

  const put = await app.inject({ method: 'PUT', url, payload: { responseTemplates: { 'application/json': '{"ok": true}' } } });
  t.equal(put.statusCode, 200, put.body.slice(0, 500));
  t.match(put.json(), { outcome: 'applied', integrationResponse: { integrationResponseKey: REGEX_KEY } });
  t.match(fake.api(apiId).integrationResponses(integrationId), [{ integrationResponseKey: REGEX_KEY }]);

  const got = await app.inject({ method: 'GET', url });
  t.equal(got.statusCode, 200);
  t.match(got.json(), { integrationResponseKey: REGEX_KEY, responseTemplates: { 'application/json': '{"ok": true}' } });

  // A second key sits beside the first.
  const other = await app.inject({ method: 'PUT', url: responseUrl(apiId, integrationId, '$default'), payload: {} });
  t.equal(other.statusCode, 200);
  t.same(
    fake.api(apiId).integrationResponses(integrationId).map((r) => r.integrationResponseKey).sort(),
    ['$default', REGEX_KEY],
  );
});

t.test('invalid keys are refused before any AWS call', async (t) => {
  const ctx = await buildTestApp(t, { checkValidators: true });
  const { app, fake, apiId } = ctx;
  const integrationId = await mockIntegration(t, ctx);
  fake.resetCalls();
  for (const key of ['2xx', '/2\\d\\d', '/[/', '$other']) {
    const response = await app.inject({ method: 'PUT', url: responseUrl(apiId, integrationId, key), payload: {} });
    const problem = assertProblem(t, response, 400);
    t.match(problem.errors, [{ path: '/responseKey', message: String }], `PUT ${key}`);
  }
  // GET and DELETE too: a DELETE of `2xx` must not answer "unchanged" for a key that cannot exist.
  for (const method of ['GET', 'DELETE'] as const) {
    const response = await app.inject({ method, url: responseUrl(apiId, integrationId, '2xx') });
    const problem = assertProblem(t, response, 400);
    t.match(problem.errors, [{ path: '/responseKey', message: /\$default or a regular expression/ }], `${method} 2xx`);
  }
  const unknownField = await app.inject({
    method: 'PUT',
    url: responseUrl(apiId, integrationId, '$default'),
    payload: { responseTemplate: {} },
  });
  t.match(assertProblem(t, unknownField, 400).errors, [{ path: '/responseTemplate' }]);
  t.same(fake.calls, [], 'no AWS call at all');
});

t.test('GET, DELETE, DELETE again', async (t) => {
  const ctx = await buildTestApp(t, { checkValidators: true });
  const { app, fake, apiId } = ctx;
  const integrationId = await mockIntegration(t, ctx);
  const url = responseUrl(apiId, integrationId, '$default');

  const missing = await app.inject({ method: 'GET', url });
  t.match(assertProblem(t, missing, 404).detail, /\$default/);

  await app.inject({ method: 'PUT', url, payload: { responseTemplates: { 'application/json': '{}' } } });
  const got = await app.inject({ method: 'GET', url });
  t.equal(got.statusCode, 200);
  t.match(got.json(), { integrationResponseKey: '$default', integrationResponseId: String });
  const responseId = got.json().integrationResponseId as string;

  fake.resetCalls();
  const dry = await app.inject({ method: 'DELETE', url: responseUrl(apiId, integrationId, '$default', '?dryRun=true') });
  t.equal(dry.statusCode, 200);
  t.match(dry.json(), {
    outcome: 'planned',
    plan: [
      {
        operation: 'DeleteIntegrationResponse',
        params: { apiId, integrationId, integrationResponseId: responseId },
        compensation: { operation: 'CreateIntegrationResponse', params: { integrationResponseKey: '$default' } },
      },
    ],
  });
  t.same(fake.writes(), [], 'a dry run writes nothing');

  const deleted = await app.inject({ method: 'DELETE', url });
  t.equal(deleted.statusCode, 200);
  t.match(deleted.json(), { outcome: 'applied', auditId: String, plan: [{ operation: 'DeleteIntegrationResponse' }] });
  t.same(fake.writes().map((call) => call.operation), ['DeleteIntegrationResponse']);
  t.same(fake.api(apiId).integrationResponses(integrationId), []);

  fake.resetCalls();
  const again = await app.inject({ method: 'DELETE', url });
  t.equal(again.statusCode, 200);
  t.match(again.json(), { outcome: 'unchanged', plan: [] });
  t.same(fake.writes(), []);

  const gone = await app.inject({ method: 'GET', url });
  assertProblem(t, gone, 404);
});

t.test('PUT ?dryRun=true plans and writes nothing', async (t) => {
  const ctx = await buildTestApp(t, { checkValidators: true });
  const { app, fake, apiId } = ctx;
  const integrationId = await mockIntegration(t, ctx);
  fake.resetCalls();
  const response = await app.inject({
    method: 'PUT',
    url: responseUrl(apiId, integrationId, REGEX_KEY, '?dryRun=true'),
    payload: { responseTemplates: { 'application/json': '{}' } },
  });
  t.equal(response.statusCode, 200);
  t.match(response.json(), {
    outcome: 'planned',
    plan: [{ operation: 'CreateIntegrationResponse', params: { integrationResponseKey: REGEX_KEY } }],
  });
  t.notOk(response.json().integrationResponse);
  t.same(fake.writes(), []);
  t.same(fake.api(apiId).integrationResponses(integrationId), []);
});

t.test('unknown API and unknown integration', async (t) => {
  const ctx = await buildTestApp(t, { checkValidators: true });
  const { app, apiId } = ctx;
  const integrationId = await mockIntegration(t, ctx);
  for (const method of ['GET', 'PUT', 'DELETE'] as const) {
    const payload = method === 'PUT' ? { payload: {} } : {};
    const noApi = await app.inject({ method, url: responseUrl('nosuchapi', integrationId, '$default'), ...payload });
    t.match(assertProblem(t, noApi, 404).aws, { error: 'NotFoundException', requestId: String }, `${method}: unknown API`);
    const noIntegration = await app.inject({ method, url: responseUrl(apiId, 'nosuch1', '$default'), ...payload });
    t.match(assertProblem(t, noIntegration, 404).detail, /nosuch1/, `${method}: unknown integration`);
  }
});
