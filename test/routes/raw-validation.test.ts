// Validation of the raw form (AWS wire names) through POST and PATCH /v1/apis/{apiId}/integrations:
// every WebSocket rule with a case it accepts and one it refuses. Refusals are 400
// application/problem+json naming every offending field and reach AWS not at all. Accepted
// creations run as dry runs: they read, never write.
import t from 'tap';
import { buildTestApp, type TestApp } from '../support/build-test-app.js';
import type { TestContext } from '../support/tap.js';

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/apigw-invoke`;
const SQS_URI = `arn:aws:apigateway:${REGION}:sqs:path/${ACCOUNT}/chat-queue`;
const lambdaUri = (functionArn: string) => `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/${functionArn}/invocations`;
const LAMBDA_URI = lambdaUri(`arn:aws:lambda:${REGION}:${ACCOUNT}:function:chat-handler`);

const mock = { integrationType: 'MOCK' };
const proxy = { integrationType: 'AWS_PROXY', integrationUri: LAMBDA_URI };
const httpProxy = { integrationType: 'HTTP_PROXY', integrationUri: 'https://backend.example.com/x', integrationMethod: 'POST' };

interface Case {
  name: string;
  body: unknown;
}

interface Refused extends Case {
  /** Every path the problem must name, and no other. */
  paths: string[];
  message?: RegExp;
}

type Response = { statusCode: number; headers: Record<string, unknown>; body: string };

function assertValidationProblem(t: TestContext, response: Response, c: Refused) {
  t.equal(response.statusCode, 400, `answers 400: ${response.body.slice(0, 400)}`);
  t.match(String(response.headers['content-type']), /^application\/problem\+json/, 'as application/problem+json');
  const problem = JSON.parse(response.body) as { type: string; errors?: { path: string; message: string }[] };
  t.equal(problem.type, 'https://gatewire.dev/problems/validation');
  const errors = problem.errors ?? [];
  t.same(errors.map((e) => e.path).sort(), [...c.paths].sort(), 'names every offending field, and only those');
  if (c.message) t.match(errors.find((e) => e.path === c.paths[0])?.message, c.message);
}

async function create(ctx: TestApp, body: unknown, query = '') {
  ctx.fake.resetCalls();
  return ctx.app.inject({ method: 'POST', url: `/v1/apis/${ctx.apiId}/integrations${query}`, payload: body as object });
}

async function patch(ctx: TestApp, integrationId: string, body: unknown, query = '') {
  ctx.fake.resetCalls();
  return ctx.app.inject({ method: 'PATCH', url: `/v1/apis/${ctx.apiId}/integrations/${integrationId}${query}`, payload: body as object });
}

const accepted: Case[] = [
  { name: 'MOCK', body: { ...mock, requestTemplates: { 'application/json': '{"statusCode":200}' } } },
  { name: 'AWS_PROXY with a Lambda invocation URI', body: proxy },
  { name: 'AWS_PROXY with POST', body: { ...proxy, integrationMethod: 'POST' } },
  { name: 'AWS_PROXY with a stage-variable alias', body: { ...proxy, integrationUri: lambdaUri(`arn:aws:lambda:${REGION}:${ACCOUNT}:function:chat:\${stageVariables.alias}`) } },
  { name: 'AWS (Lambda custom)', body: { ...proxy, integrationType: 'AWS' } },
  { name: 'AWS service with a role', body: { integrationType: 'AWS', integrationUri: SQS_URI, integrationMethod: 'POST', credentialsArn: ROLE_ARN } },
  { name: 'AWS service with caller credentials', body: { integrationType: 'AWS', integrationUri: SQS_URI, integrationMethod: 'POST', credentialsArn: 'arn:aws:iam::*:user/*' } },
  { name: 'HTTP with a method', body: { ...httpProxy, integrationType: 'HTTP' } },
  { name: 'HTTP_PROXY, INTERNET spelled out', body: { ...httpProxy, connectionType: 'INTERNET' } },
  { name: 'VPC_LINK with a REST API (v1) link id', body: { ...httpProxy, connectionType: 'VPC_LINK', connectionId: 'abc123' } },
  { name: 'VPC_LINK with ${stageVariables.vpcLinkId}', body: { ...httpProxy, connectionType: 'VPC_LINK', connectionId: '${stageVariables.vpcLinkId}' } },
  { name: "payloadFormatVersion '1.0'", body: { ...proxy, payloadFormatVersion: '1.0' } },
  { name: 'timeoutInMillis 50', body: { ...mock, timeoutInMillis: 50 } },
  { name: 'timeoutInMillis 29000', body: { ...mock, timeoutInMillis: 29000 } },
  { name: 'every WebSocket-only field', body: { ...mock, passthroughBehavior: 'NEVER', contentHandlingStrategy: 'CONVERT_TO_TEXT', templateSelectionExpression: '\\$default', description: 'd' } },
];

const refused: Refused[] = [
  { name: 'MOCK with integrationUri', body: { ...mock, integrationUri: 'https://backend.example.com' }, paths: ['/integrationUri'], message: /absent/ },
  { name: 'AWS_PROXY with a non-Lambda URI', body: { ...proxy, integrationUri: SQS_URI }, paths: ['/integrationUri'], message: /Lambda invocation URI/ },
  { name: 'AWS_PROXY with a bare function ARN', body: { ...proxy, integrationUri: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:chat-handler` }, paths: ['/integrationUri'], message: /bare function ARN/ },
  { name: 'AWS_PROXY without a URI', body: { integrationType: 'AWS_PROXY' }, paths: ['/integrationUri'], message: /required/ },
  { name: 'AWS_PROXY with GET', body: { ...proxy, integrationMethod: 'GET' }, paths: ['/integrationMethod'], message: /POST/ },
  { name: 'AWS service without a role', body: { integrationType: 'AWS', integrationUri: SQS_URI, integrationMethod: 'POST' }, paths: ['/credentialsArn'], message: /required/ },
  { name: 'AWS service without a method', body: { integrationType: 'AWS', integrationUri: SQS_URI, credentialsArn: ROLE_ARN }, paths: ['/integrationMethod'] },
  { name: 'AWS with a URI of no kind', body: { integrationType: 'AWS', integrationUri: 'sqs', integrationMethod: 'POST', credentialsArn: ROLE_ARN }, paths: ['/integrationUri'] },
  { name: 'a user ARN as credentials', body: { ...proxy, credentialsArn: `arn:aws:iam::${ACCOUNT}:user/bob` }, paths: ['/credentialsArn'] },
  { name: 'HTTP without integrationMethod', body: { integrationType: 'HTTP', integrationUri: 'https://backend.example.com' }, paths: ['/integrationMethod'], message: /required/ },
  { name: 'HTTP_PROXY without a URI', body: { integrationType: 'HTTP_PROXY', integrationMethod: 'GET' }, paths: ['/integrationUri'] },
  { name: 'HTTP_PROXY with a non-http URI', body: { ...httpProxy, integrationUri: 'ftp://backend.example.com' }, paths: ['/integrationUri'] },
  { name: 'HTTP_PROXY with a lower-case method', body: { ...httpProxy, integrationMethod: 'post' }, paths: ['/integrationMethod'] },
  { name: 'VPC_LINK without connectionId', body: { ...httpProxy, connectionType: 'VPC_LINK' }, paths: ['/connectionId'], message: /required/ },
  { name: 'VPC_LINK with a malformed connectionId', body: { ...httpProxy, connectionType: 'VPC_LINK', connectionId: 'link 1!' }, paths: ['/connectionId'] },
  { name: 'VPC_LINK on an AWS_PROXY integration', body: { ...proxy, connectionType: 'VPC_LINK', connectionId: 'abc123' }, paths: ['/connectionType'], message: /HTTP/ },
  { name: 'INTERNET with connectionId', body: { ...httpProxy, connectionType: 'INTERNET', connectionId: 'abc123' }, paths: ['/connectionId'], message: /VPC_LINK/ },
  { name: 'connectionId without connectionType (INTERNET by default)', body: { ...httpProxy, connectionId: 'abc123' }, paths: ['/connectionId'] },
  { name: 'connectionType PRIVATE', body: { ...httpProxy, connectionType: 'PRIVATE' }, paths: ['/connectionType'], message: /INTERNET, VPC_LINK/ },
  { name: "payloadFormatVersion '2.0' (HTTP APIs only)", body: { ...proxy, payloadFormatVersion: '2.0' }, paths: ['/payloadFormatVersion'], message: /"1\.0"/ },
  { name: 'integrationSubtype (HTTP APIs only)', body: { ...proxy, integrationSubtype: 'SQS-SendMessage' }, paths: ['/integrationSubtype'], message: /not a known field/ },
  { name: 'responseParameters and tlsConfig (HTTP APIs only)', body: { ...httpProxy, responseParameters: { '200': {} }, tlsConfig: { serverNameToVerify: 'x' } }, paths: ['/responseParameters', '/tlsConfig'] },
  { name: 'integrationType FOO', body: { integrationType: 'FOO' }, paths: ['/integrationType'], message: /AWS, AWS_PROXY, HTTP, HTTP_PROXY, MOCK/ },
  { name: 'no integrationType', body: {}, paths: ['/integrationType'], message: /required/ },
  { name: 'the intent form posted to the raw form', body: { backend: { type: 'mock' } }, paths: ['/integrationType', '/backend'] },
  { name: 'timeoutInMillis 49', body: { ...mock, timeoutInMillis: 49 }, paths: ['/timeoutInMillis'] },
  { name: 'timeoutInMillis 29001', body: { ...mock, timeoutInMillis: 29001 }, paths: ['/timeoutInMillis'] },
  { name: 'timeoutInMillis 30000 (HTTP APIs only)', body: { ...mock, timeoutInMillis: 30000 }, paths: ['/timeoutInMillis'] },
  { name: 'timeoutInMillis "50"', body: { ...mock, timeoutInMillis: '50' }, paths: ['/timeoutInMillis'], message: /integer/ },
  { name: 'a request parameter with an HTTP API key', body: { ...httpProxy, requestParameters: { 'append:header.x': 'context.connectionId' } }, paths: ['/requestParameters/append:header.x'] },
  { name: 'an integrationUri over 2048 characters', body: { ...httpProxy, integrationUri: `https://backend.example.com/${'p'.repeat(2048)}` }, paths: ['/integrationUri'] },
  { name: 'an integrationMethod over 64 characters', body: { ...httpProxy, integrationMethod: 'M'.repeat(65) }, paths: ['/integrationMethod'] },
];

t.test('the raw form accepts', async (t) => {
  const ctx = await buildTestApp(t, { checkValidators: true });
  for (const c of accepted) {
    await t.test(c.name, async (t) => {
      const response = await create(ctx, c.body, '?dryRun=true');
      t.equal(response.statusCode, 200, `answers 200: ${response.body.slice(0, 400)}`);
      t.equal(response.json().outcome, 'planned');
      t.same(ctx.fake.writes(), [], 'a dry run writes nothing');
    });
  }
});

t.test('the raw form refuses with 400 problem+json, naming the field, without calling AWS', async (t) => {
  const ctx = await buildTestApp(t, { checkValidators: true });
  for (const c of refused) {
    await t.test(c.name, async (t) => {
      assertValidationProblem(t, await create(ctx, c.body), c);
      t.equal(ctx.fake.calls.length, 0, 'nothing reaches AWS');
    });
  }
});

t.test('several faults at once are all reported', async (t) => {
  const ctx = await buildTestApp(t, { checkValidators: true });
  await t.test('schema phase', async (t) => {
    const body = { integrationType: 'HTTP', timeoutInMillis: 0, payloadFormatVersion: '2.0', integrationSubtype: 'x', passthroughBehavior: 'ALWAYS' };
    assertValidationProblem(t, await create(ctx, body), {
      name: 'schema',
      body,
      paths: ['/timeoutInMillis', '/payloadFormatVersion', '/integrationSubtype', '/passthroughBehavior'],
    });
    t.equal(ctx.fake.calls.length, 0);
  });
  await t.test('domain phase', async (t) => {
    const body = {
      integrationType: 'AWS_PROXY',
      integrationUri: SQS_URI,
      integrationMethod: 'GET',
      connectionType: 'VPC_LINK',
      credentialsArn: `arn:aws:iam::${ACCOUNT}:user/bob`,
      requestParameters: { 'integration.request.body.x': 'context.connectionId' },
    };
    assertValidationProblem(t, await create(ctx, body), {
      name: 'domain',
      body,
      paths: [
        '/integrationUri',
        '/integrationMethod',
        '/connectionType',
        '/connectionId',
        '/credentialsArn',
        '/requestParameters/integration.request.body.x',
      ],
    });
    t.equal(ctx.fake.calls.length, 0);
  });
});

t.test('PATCH', async (t) => {
  const ctx = await buildTestApp(t, { checkValidators: true });
  const created = await create(ctx, httpProxy);
  t.equal(created.statusCode, 201, created.body.slice(0, 300));
  const integrationId = created.json().integration.integrationId as string;

  await t.test('an empty body is refused (minProperties 1)', async (t) => {
    const response = await patch(ctx, integrationId, {});
    assertValidationProblem(t, response, { name: 'empty', body: {}, paths: ['/'], message: /fewer than 1/ });
    t.equal(ctx.fake.calls.length, 0);
  });
  await t.test('single-field rules apply to the patch', async (t) => {
    const body = { timeoutInMillis: 29001, integrationSubtype: 'SQS-SendMessage', payloadFormatVersion: '2.0' };
    assertValidationProblem(t, await patch(ctx, integrationId, body), {
      name: 'fields',
      body,
      paths: ['/timeoutInMillis', '/integrationSubtype', '/payloadFormatVersion'],
    });
    t.equal(ctx.fake.calls.length, 0);
  });
  await t.test('cross-field rules apply to the integration as it will be', async (t) => {
    const body = { connectionType: 'VPC_LINK' };
    assertValidationProblem(t, await patch(ctx, integrationId, body), { name: 'cross', body, paths: ['/connectionId'] });
    t.same(ctx.fake.writes(), [], 'only reads: the current integration is needed to judge the patch');
  });
  await t.test('a valid patch passes', async (t) => {
    const response = await patch(ctx, integrationId, { timeoutInMillis: 50, connectionType: 'VPC_LINK', connectionId: 'abc123' }, '?dryRun=true');
    t.equal(response.statusCode, 200, response.body.slice(0, 300));
    t.equal(response.json().outcome, 'planned');
    t.same(ctx.fake.writes(), []);
  });
});
