// The AWS guide's CLI examples (/work/shared/seed/websocket-integration-request.md) through
// Gatewire's raw form: POST /v1/apis/{apiId}/integrations with the same parameters gives an
// integration with the fields of the guide's sample output, in the response and in API Gateway.
import t from 'tap';
import { buildTestApp } from '../support/build-test-app.js';

const PROXY_URI =
  'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123412341234:function:simpleproxy-echo-e2e/invocations';

t.test('the mock example: create-integration --cli-input-json file://integration-params.json', async (t) => {
  const { app, fake, apiId } = await buildTestApp(t);
  const response = await app.inject({
    method: 'POST',
    url: `/v1/apis/${apiId}/integrations`,
    payload: {
      integrationType: 'MOCK',
      passthroughBehavior: 'WHEN_NO_MATCH',
      timeoutInMillis: 29000,
      connectionType: 'INTERNET',
      requestTemplates: { 'application/json': '{"statusCode":200}' },
    },
  });
  t.equal(response.statusCode, 201, response.body.slice(0, 500));
  const body = response.json();
  t.equal(body.outcome, 'applied');
  t.ok(body.auditId, 'the change has an audit record');
  // The guide's sample output, in wire names. Its `${response.statuscode}` is the older spelling of
  // what API Gateway returns today.
  const sampleOutput = {
    passthroughBehavior: 'WHEN_NO_MATCH',
    timeoutInMillis: 29000,
    connectionType: 'INTERNET',
    integrationResponseSelectionExpression: '${integration.response.statuscode}',
    requestTemplates: { 'application/json': '{"statusCode":200}' },
    integrationId: String,
    integrationType: 'MOCK',
  };
  t.match(body.integration, sampleOutput);
  t.notOk(body.integration.integrationUri, 'a mock has no backend');

  const stored = fake.api(apiId).integration(body.integration.integrationId);
  t.match(stored, sampleOutput, 'API Gateway holds the integration the guide shows');
  t.same(
    fake.writes().map((call) => call.operation),
    ['CreateIntegration'],
    'one CreateIntegration, nothing else',
  );
  t.same(
    fake.writes()[0]!.body,
    {
      integrationType: 'MOCK',
      passthroughBehavior: 'WHEN_NO_MATCH',
      timeoutInMillis: 29000,
      connectionType: 'INTERNET',
      requestTemplates: { 'application/json': '{"statusCode":200}' },
    },
    'the parameters travel to AWS as given',
  );
  t.same(fake.api(apiId).routes, [], 'the integration is not bound to any route');
});

t.test('the proxy example: --integration-type AWS_PROXY --integration-method POST --integration-uri …', async (t) => {
  const { app, fake, apiId } = await buildTestApp(t);
  const response = await app.inject({
    method: 'POST',
    url: `/v1/apis/${apiId}/integrations`,
    payload: { integrationType: 'AWS_PROXY', integrationMethod: 'POST', integrationUri: PROXY_URI },
  });
  t.equal(response.statusCode, 201, response.body.slice(0, 500));
  const body = response.json();
  t.equal(body.outcome, 'applied');
  const sampleOutput = {
    passthroughBehavior: 'WHEN_NO_MATCH',
    integrationMethod: 'POST',
    timeoutInMillis: 29000,
    connectionType: 'INTERNET',
    integrationUri: PROXY_URI,
    integrationId: String,
    integrationType: 'AWS_PROXY',
  };
  t.match(body.integration, sampleOutput);
  t.notOk(body.integration.integrationResponseSelectionExpression, 'a proxy integration has no response selection');
  t.match(fake.api(apiId).integration(body.integration.integrationId), sampleOutput, 'API Gateway holds it');
  t.same(
    fake.writes().map((call) => call.operation),
    ['CreateIntegration'],
  );
});

t.test('the examples as a dry run: the plan is the guide’s one call, and nothing changes', async (t) => {
  const { app, fake, apiId } = await buildTestApp(t);
  const response = await app.inject({
    method: 'POST',
    url: `/v1/apis/${apiId}/integrations?dryRun=true`,
    payload: { integrationType: 'AWS_PROXY', integrationMethod: 'POST', integrationUri: PROXY_URI },
  });
  t.equal(response.statusCode, 200, response.body.slice(0, 500));
  t.match(response.json(), {
    outcome: 'planned',
    plan: [{ operation: 'CreateIntegration', params: { apiId, integrationType: 'AWS_PROXY', integrationUri: PROXY_URI } }],
  });
  t.notOk(response.json().integration);
  t.same(fake.writes(), []);
  t.same(fake.api(apiId).integrations, []);
});
