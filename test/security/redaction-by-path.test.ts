// Redaction goes by where a value sits, not by what a key is called (issue 16 §6): routes named
// `apiKey` or `refreshToken` keep their request, before and after in a bulk record (and drift
// then compares them); credentials inside values go (URL userinfo, `?api_key=` parameters,
// mappings of Authorization headers); and drift shows no live value that redaction hides.
import { UpdateIntegrationCommand } from '@aws-sdk/client-apigatewayv2';
import t from 'tap';
import { redactSecrets, redactText, REDACTED } from '../../src/domain/redaction.js';
import { buildTestApp, routeIntegrationUrl } from '../support/build-test-app.js';
import { apiGatewayClientFor } from '../support/fake-aws/sdk-clients.js';

t.test('route keys that look secret are names, not secrets: the bulk record keeps them and drift compares them', async (t) => {
  const ctx = await buildTestApp(t);
  const bulk = await ctx.app.inject({
    method: 'PUT',
    url: `/v1/apis/${ctx.apiId}/routes`,
    payload: {
      routes: {
        apiKey: { backend: { type: 'mock' }, description: 'issues api keys' },
        refreshToken: { backend: { type: 'mock' }, description: 'refreshes tokens' },
      },
    },
  });
  t.equal(bulk.statusCode, 200, bulk.body.slice(0, 300));
  const [summary] = (await ctx.auditStore.list({ limit: 1 })).items;
  const record = await ctx.auditStore.get(summary!.id);
  const request = record?.request as { routes: Record<string, unknown> };
  t.match(request.routes, { apiKey: { description: 'issues api keys' }, refreshToken: { description: 'refreshes tokens' } }, 'the request keeps both routes');
  t.notMatch(JSON.stringify(record?.before ?? null), /"(apiKey|refreshToken)":"\[redacted\]"/, 'before keeps them');
  t.notMatch(JSON.stringify(record?.after ?? null), /"(apiKey|refreshToken)":"\[redacted\]"/, 'after keeps them');
  t.match(JSON.stringify(record?.after ?? null), /issues api keys/, 'after holds the applied integration');
  t.notMatch(JSON.stringify(record?.result ?? null), /\[redacted\]/, 'the kept answer too');

  // Another tool edits the integration of `apiKey`: drift sees it.
  const integrationId = ctx.fake.api(ctx.apiId).route('apiKey')!.target!.replace('integrations/', '');
  await apiGatewayClientFor(ctx.fake).send(new UpdateIntegrationCommand({ ApiId: ctx.apiId, IntegrationId: integrationId, Description: 'edited elsewhere' }));
  const drift = (await ctx.app.inject({ method: 'GET', url: `/v1/apis/${ctx.apiId}/drift` })).json() as { drift: { routeKeys?: string[]; field: string; applied: unknown; live: unknown }[] };
  t.match(drift.drift, [{ routeKeys: ['apiKey'], field: 'description', applied: 'issues api keys', live: 'edited elsewhere' }], 'the edit is drift');
});

t.test('credentials inside values go; everything else stays', async (t) => {
  t.equal(redactText('https://svc:hunter2@backend.example.com/hook?api_key=Q1&v=1&access_token=Q2#x'), `https://${REDACTED}@backend.example.com/hook?api_key=${REDACTED}&v=1&access_token=${REDACTED}#x`);
  t.equal(redactText('https://backend.example.com/hook?page=2&key=AIza&X-Amz-Signature=abc'), `https://backend.example.com/hook?page=2&key=${REDACTED}&X-Amz-Signature=${REDACTED}`);
  t.equal(redactText('mail ops@example.com, a=b'), 'mail ops@example.com, a=b', 'an address or an equation is no URL');
  t.same(
    redactSecrets({
      routes: { apiKey: { description: 'x' }, token: null },
      outcomes: { password: 'created' },
      responses: { secret: { responseParameters: { 'method.response.header.Set-Cookie': "'a=b'", 'method.response.header.X-Trace': 'integration.response.header.X-Trace' } } },
      requestTemplates: { 'application/json': '{"token":"$input.params(\'t\')"}' },
      requestParameters: { 'integration.request.header.Authorization': "'Bearer abc'", 'integration.request.header.X-Conn': 'context.connectionId' },
    }),
    {
      routes: { apiKey: { description: 'x' }, token: null },
      outcomes: { password: 'created' },
      responses: { secret: { responseParameters: { 'method.response.header.Set-Cookie': REDACTED, 'method.response.header.X-Trace': 'integration.response.header.X-Trace' } } },
      requestTemplates: { 'application/json': '{"token":"$input.params(\'t\')"}' },
      requestParameters: { 'integration.request.header.Authorization': REDACTED, 'integration.request.header.X-Conn': 'context.connectionId' },
    },
  );
});

t.test('records hold no credential from the request, and drift shows none from AWS', async (t) => {
  const ctx = await buildTestApp(t);
  const put = await ctx.app.inject({
    method: 'PUT',
    url: routeIntegrationUrl(ctx.apiId, 'send'),
    payload: {
      backend: { type: 'http', url: 'https://backend.example.com/hook?api_key=QUERYSECRET&v=1', method: 'POST' },
      requestParameters: { 'integration.request.header.Authorization': "'Bearer HEADERSECRET'" },
    },
  });
  t.equal(put.statusCode, 200, put.body.slice(0, 300));
  const [summary] = (await ctx.auditStore.list({ limit: 1 })).items;
  const stored = JSON.stringify(await ctx.auditStore.get(summary!.id));
  t.notMatch(stored, /QUERYSECRET|HEADERSECRET/, 'the record holds neither secret');
  t.match(stored, /v=1/, 'the rest of the URL stays');

  // Another tool puts new credentials in the live integration.
  const integrationId = ctx.fake.api(ctx.apiId).route('send')!.target!.replace('integrations/', '');
  await apiGatewayClientFor(ctx.fake).send(
    new UpdateIntegrationCommand({
      ApiId: ctx.apiId,
      IntegrationId: integrationId,
      IntegrationUri: 'https://ops:LIVEPASS@backend.example.com/hook?api_key=LIVEQUERY&v=2',
      RequestParameters: { 'integration.request.header.Authorization': "'Bearer LIVEHEADER'" },
    }),
  );
  const drift = await ctx.app.inject({ method: 'GET', url: `/v1/apis/${ctx.apiId}/drift` });
  t.equal(drift.statusCode, 200);
  t.notMatch(drift.body, /LIVEPASS|LIVEQUERY|LIVEHEADER|ops:/, 'the report shows no live credential');
  t.match(drift.json(), { drift: [{ field: 'integrationUri', live: `https://${REDACTED}@backend.example.com/hook?api_key=${REDACTED}&v=2` }] }, 'the URI change itself is drift');
});
