// Validation of the intent form through PUT …/routes/{routeKey}/integration: every rule with a
// case it accepts and a case it refuses. Refusals are 400 application/problem+json naming every
// offending field, and reach AWS not at all (the fake sees zero calls). Accepted cases run as dry
// runs, so they read but never write.
import t from 'tap';
import { buildTestApp, routeIntegrationUrl, type TestApp } from '../support/build-test-app.js';
import type { TestContext } from '../support/tap.js';

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const FUNCTION_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:chat-handler`;
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/apigw-invoke`;
const SQS_URI = `arn:aws:apigateway:${REGION}:sqs:path/${ACCOUNT}/chat-queue`;
const lambdaUri = (functionArn: string) => `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/${functionArn}/invocations`;

const mock = { type: 'mock' };
const http = { type: 'http', url: 'https://backend.example.com/messages', method: 'POST' };
const vpcLink = { type: 'vpcLink', vpcLinkId: 'abc123', url: 'https://nlb.internal.example.com/messages', method: 'POST' };
const lambda = { type: 'lambda', function: FUNCTION_ARN };
const aws = { type: 'aws', uri: SQS_URI, method: 'POST', executionRoleArn: ROLE_ARN };

/** `count` entries `prefix0 … prefixN` mapped to `value`. */
const entries = (count: number, key: (i: number) => string, value: string) =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [key(i), value]));

interface Case {
  name: string;
  body: unknown;
  routeKey?: string;
}

interface Refused extends Case {
  /** Every path the problem must name, and no other. */
  paths: string[];
  /** A pattern the message of the first path must match (the rule it breaks). */
  message?: RegExp;
}

async function put(ctx: TestApp, routeKey: string, body: unknown, query = '') {
  ctx.fake.resetCalls();
  return ctx.app.inject({ method: 'PUT', url: routeIntegrationUrl(ctx.apiId, routeKey, query), payload: body as object });
}

/** The response is a problem document with this status; returns its body. */
function assertProblem(t: TestContext, response: { statusCode: number; headers: Record<string, unknown>; body: string }, status: number) {
  t.equal(response.statusCode, status, `answers ${status}: ${response.body.slice(0, 400)}`);
  t.match(String(response.headers['content-type']), /^application\/problem\+json/, 'as application/problem+json');
  const problem = JSON.parse(response.body) as { type: string; title: string; status: number; instance: string; errors?: { path: string; message: string }[] };
  t.match(problem, { type: /^https:\/\/gatewire\.dev\/problems\//, title: String, status, instance: String });
  return problem;
}

async function expectRefused(t: TestContext, ctx: TestApp, c: Refused) {
  const response = await put(ctx, c.routeKey ?? 'sendmessage', c.body);
  const problem = assertProblem(t, response, 400);
  t.equal(problem.type, 'https://gatewire.dev/problems/validation');
  const errors = problem.errors ?? [];
  t.same(errors.map((e) => e.path).sort(), [...c.paths].sort(), 'names every offending field, and only those');
  for (const error of errors) t.ok(error.message.length > 0, `${error.path} says which rule it breaks`);
  if (c.message) t.match(errors.find((e) => e.path === c.paths[0])?.message, c.message);
  t.equal(ctx.fake.calls.length, 0, 'nothing reaches AWS');
}

async function expectAccepted(t: TestContext, ctx: TestApp, c: Case) {
  const response = await put(ctx, c.routeKey ?? 'sendmessage', c.body, '?dryRun=true');
  t.equal(response.statusCode, 200, `answers 200: ${response.body.slice(0, 400)}`);
  t.equal(response.json().outcome, 'planned');
  t.same(ctx.fake.writes(), [], 'a dry run writes nothing');
}

const accepted: Case[] = [
  { name: 'timeoutInMillis 50 (the minimum)', body: { backend: mock, timeoutInMillis: 50 } },
  { name: 'timeoutInMillis 29000 (the WebSocket maximum)', body: { backend: mock, timeoutInMillis: 29000 } },
  { name: 'every passthroughBehavior and contentHandlingStrategy', body: { backend: mock, passthroughBehavior: 'WHEN_NO_TEMPLATES', contentHandlingStrategy: 'CONVERT_TO_BINARY' } },
  { name: 'http with every method', body: { backend: { ...http, method: 'ANY' } } },
  { name: 'http url with a stage variable host and a port above 1024', body: { backend: { ...http, url: 'https://${stageVariables.host}:8443/x' } } },
  { name: 'http url with an upper-case scheme (schemes are case-insensitive)', body: { backend: { ...http, url: 'HTTPS://backend.example.com/x' } } },
  { name: 'http, not proxy', body: { backend: { ...http, proxy: false }, requestTemplates: { 'application/json': '{}' } } },
  { name: 'vpcLink with a REST API (v1) link id', body: { backend: vpcLink } },
  { name: 'vpcLink with ${stageVariables.vpcLinkId}', body: { backend: { ...vpcLink, vpcLinkId: '${stageVariables.vpcLinkId}' } } },
  { name: 'lambda ARN with an alias', body: { backend: { ...lambda, function: `${FUNCTION_ARN}:live` } } },
  { name: 'lambda partial ARN', body: { backend: { ...lambda, function: `${ACCOUNT}:function:chat-handler` } } },
  { name: 'lambda with caller credentials', body: { backend: { ...lambda, invokeWithCallerCredentials: true } } },
  { name: 'lambda with an execution role', body: { backend: { ...lambda, executionRoleArn: ROLE_ARN } } },
  { name: 'lambda with caller credentials false and a role', body: { backend: { ...lambda, invokeWithCallerCredentials: false, executionRoleArn: ROLE_ARN } } },
  { name: 'aws service with a role', body: { backend: aws } },
  { name: 'aws service with caller credentials', body: { backend: { type: 'aws', uri: SQS_URI, method: 'POST', invokeWithCallerCredentials: true } } },
  {
    name: 'request parameters of every source',
    body: {
      backend: http,
      requestParameters: {
        'integration.request.header.x-connection': 'context.connectionId',
        'integration.request.querystring.room': 'route.request.body.room',
        'integration.request.path.stage': 'stageVariables.stage',
        'integration.request.header.x-static': "'fixed'",
      },
    },
  },
  { name: '$connect may map route.request headers', routeKey: '$connect', body: { backend: http, requestParameters: { 'integration.request.header.auth': 'route.request.header.Authorization' } } },
  { name: 'integration responses $default and a regex key', body: { backend: mock, responses: { $default: {}, '/2\\d\\d/': { contentHandlingStrategy: 'CONVERT_TO_TEXT' } } } },
  { name: 'route key $disconnect', routeKey: '$disconnect', body: { backend: mock } },
  { name: 'route key $default', routeKey: '$default', body: { backend: mock } },
  { name: 'route key of 128 characters', routeKey: 'k'.repeat(128), body: { backend: mock } },
  { name: 'route key with a $ that is not first', routeKey: 'send$', body: { backend: mock } },
  { name: 'description of 1024 characters, and an empty one', body: { backend: mock, description: 'd'.repeat(1024) } },
  { name: 'an empty description', body: { backend: mock, description: '' } },
  { name: '32 request templates', body: { backend: mock, requestTemplates: entries(32, (i) => `application/x-${i}`, '{}') } },
  { name: 'a request template of 32768 characters', body: { backend: mock, requestTemplates: { 'application/json': 't'.repeat(32_768) } } },
  { name: '50 request parameters', body: { backend: http, requestParameters: entries(50, (i) => `integration.request.header.h${i}`, 'context.connectionId') } },
  { name: 'returnResponse true', body: { backend: mock, returnResponse: true } },
];

const refused: Refused[] = [
  // timeouts: 50..29000 on WebSocket APIs, integers, never coerced
  { name: 'timeoutInMillis 49', body: { backend: mock, timeoutInMillis: 49 }, paths: ['/timeoutInMillis'], message: /50/ },
  { name: 'timeoutInMillis 29001', body: { backend: mock, timeoutInMillis: 29001 }, paths: ['/timeoutInMillis'], message: /29000/ },
  { name: 'timeoutInMillis 30000 (HTTP APIs only)', body: { backend: mock, timeoutInMillis: 30000 }, paths: ['/timeoutInMillis'] },
  { name: 'timeoutInMillis "50" (bodies are not coerced)', body: { backend: mock, timeoutInMillis: '50' }, paths: ['/timeoutInMillis'], message: /integer/ },
  { name: 'timeoutInMillis 50.5', body: { backend: mock, timeoutInMillis: 50.5 }, paths: ['/timeoutInMillis'], message: /integer/ },
  { name: 'returnResponse "true"', body: { backend: mock, returnResponse: 'true' }, paths: ['/returnResponse'], message: /boolean/ },
  // unknown fields
  { name: 'an unknown top-level field', body: { backend: mock, timeout: 50 }, paths: ['/timeout'], message: /not a known field/ },
  { name: 'an unknown backend field', body: { backend: { ...mock, url: 'https://x.example.com' } }, paths: ['/backend/url'], message: /not a known field/ },
  { name: "a field of another backend type (lambda's url)", body: { backend: { ...lambda, method: 'POST' } }, paths: ['/backend/method'], message: /not a known field/ },
  { name: 'an unknown integration response field', body: { backend: mock, responses: { $default: { statusCode: 200 } } }, paths: ['/responses/$default/statusCode'] },
  { name: 'an HTTP-API-only field (integrationSubtype)', body: { backend: mock, integrationSubtype: 'SQS-SendMessage' }, paths: ['/integrationSubtype'] },
  // the backend and its type
  { name: 'no backend', body: {}, paths: ['/backend'], message: /required/ },
  { name: 'a backend that is not an object', body: { backend: 'mock' }, paths: ['/backend'] },
  { name: 'a backend without a type', body: { backend: {} }, paths: ['/backend/type'], message: /required/ },
  { name: 'an unknown backend type', body: { backend: { type: 'sqs' } }, paths: ['/backend/type'], message: /lambda, http, mock, aws, vpcLink/ },
  { name: 'a backend type that is not a string', body: { backend: { type: 5 } }, paths: ['/backend/type'] },
  { name: 'a body that is an array', body: [], paths: ['/'] },
  // enums
  { name: 'passthroughBehavior ALWAYS', body: { backend: mock, passthroughBehavior: 'ALWAYS' }, paths: ['/passthroughBehavior'], message: /WHEN_NO_MATCH, NEVER, WHEN_NO_TEMPLATES/ },
  { name: 'contentHandlingStrategy CONVERT_TO_JSON', body: { backend: mock, contentHandlingStrategy: 'CONVERT_TO_JSON' }, paths: ['/contentHandlingStrategy'], message: /CONVERT_TO_BINARY, CONVERT_TO_TEXT/ },
  { name: 'response contentHandlingStrategy', body: { backend: mock, responses: { $default: { contentHandlingStrategy: 'BINARY' } } }, paths: ['/responses/$default/contentHandlingStrategy'] },
  { name: 'method FETCH', body: { backend: { ...http, method: 'FETCH' } }, paths: ['/backend/method'], message: /GET, POST/ },
  { name: 'method in lower case', body: { backend: { ...http, method: 'post' } }, paths: ['/backend/method'] },
  // http
  { name: 'http without method', body: { backend: { type: 'http', url: http.url } }, paths: ['/backend/method'], message: /required/ },
  { name: 'http without url', body: { backend: { type: 'http', method: 'GET' } }, paths: ['/backend/url'], message: /required/ },
  { name: 'http url with ftp://', body: { backend: { ...http, url: 'ftp://backend.example.com/x' } }, paths: ['/backend/url'] },
  { name: 'http url without a scheme', body: { backend: { ...http, url: 'backend.example.com/x' } }, paths: ['/backend/url'] },
  { name: 'http url without a host', body: { backend: { ...http, url: 'https://' } }, paths: ['/backend/url'] },
  { name: 'http url on port 22', body: { backend: { ...http, url: 'https://backend.example.com:22/x' } }, paths: ['/backend/url'], message: /port/ },
  // vpcLink
  { name: 'vpcLink without vpcLinkId', body: { backend: { type: 'vpcLink', url: vpcLink.url, method: 'GET' } }, paths: ['/backend/vpcLinkId'], message: /required/ },
  { name: 'vpcLink with a malformed id', body: { backend: { ...vpcLink, vpcLinkId: 'link 1!' } }, paths: ['/backend/vpcLinkId'] },
  { name: 'vpcLink with an empty id', body: { backend: { ...vpcLink, vpcLinkId: '' } }, paths: ['/backend/vpcLinkId'] },
  // lambda
  { name: 'lambda with both caller credentials and a role', body: { backend: { ...lambda, invokeWithCallerCredentials: true, executionRoleArn: ROLE_ARN } }, paths: ['/backend/executionRoleArn'], message: /invokeWithCallerCredentials/ },
  { name: 'lambda with a function name of bad characters', body: { backend: { ...lambda, function: 'chat handler!' } }, paths: ['/backend/function'] },
  { name: 'lambda with a 65-character function name', body: { backend: { ...lambda, function: 'f'.repeat(65) } }, paths: ['/backend/function'], message: /64/ },
  { name: 'lambda with an ARN of a short account', body: { backend: { ...lambda, function: 'arn:aws:lambda:us-east-1:12345:function:fn' } }, paths: ['/backend/function'], message: /12 digits/ },
  { name: 'lambda with a stage variable', body: { backend: { ...lambda, function: 'chat:${stageVariables.alias}' } }, paths: ['/backend/function'] },
  { name: 'lambda with an empty function', body: { backend: { ...lambda, function: '' } }, paths: ['/backend/function'] },
  { name: 'lambda without a function', body: { backend: { type: 'lambda' } }, paths: ['/backend/function'], message: /required/ },
  { name: 'lambda with a user ARN as role', body: { backend: { ...lambda, executionRoleArn: `arn:aws:iam::${ACCOUNT}:user/bob` } }, paths: ['/backend/executionRoleArn'] },
  { name: 'lambda with the caller-credentials ARN as role', body: { backend: { ...lambda, executionRoleArn: 'arn:aws:iam::*:user/*' } }, paths: ['/backend/executionRoleArn'], message: /invokeWithCallerCredentials/ },
  // aws
  { name: 'aws without credentials', body: { backend: { type: 'aws', uri: SQS_URI, method: 'POST' } }, paths: ['/backend/executionRoleArn'], message: /required/ },
  { name: 'aws with a Lambda URI', body: { backend: { ...aws, uri: lambdaUri(FUNCTION_ARN) } }, paths: ['/backend/uri'], message: /lambda backend/ },
  { name: 'aws with a URI that is not an AWS service URI', body: { backend: { ...aws, uri: 'https://sqs.amazonaws.com' } }, paths: ['/backend/uri'] },
  { name: 'aws without a method', body: { backend: { type: 'aws', uri: SQS_URI, executionRoleArn: ROLE_ARN } }, paths: ['/backend/method'] },
  // request parameters and integration responses
  { name: 'a request parameter key outside integration.request.{header|querystring|path}', body: { backend: http, requestParameters: { 'integration.request.body.x': 'context.connectionId' } }, paths: ['/requestParameters/integration.request.body.x'], message: /key/ },
  { name: 'a request parameter value of no known source', body: { backend: http, requestParameters: { 'integration.request.header.x': 'connectionId' } }, paths: ['/requestParameters/integration.request.header.x'], message: /value/ },
  { name: 'an unquoted static request parameter value', body: { backend: http, requestParameters: { 'integration.request.header.x': "'open" } }, paths: ['/requestParameters/integration.request.header.x'] },
  { name: 'a request parameter value over 512 characters', body: { backend: http, requestParameters: { 'integration.request.header.x': `'${'v'.repeat(511)}'` } }, paths: ['/requestParameters/integration.request.header.x'], message: /512/ },
  { name: 'an integration response key that is neither $default nor /regex/', body: { backend: mock, responses: { '200': {} } }, paths: ['/responses/200'], message: /\$default/ },
  { name: 'an integration response key whose regex does not compile', body: { backend: mock, responses: { '/[/': {} } }, paths: ['/responses/~1[~1'], message: /regular expression/ },
  // route keys
  { name: 'a route key starting with $ that is not reserved', routeKey: '$foo', body: { backend: mock }, paths: ['/routeKey'], message: /\$connect, \$disconnect, \$default/ },
  { name: 'a route key longer than 128 characters', routeKey: 'k'.repeat(129), body: { backend: mock }, paths: ['/params/routeKey'], message: /128/ },
  // sizes
  { name: 'a description over 1024 characters', body: { backend: mock, description: 'd'.repeat(1025) }, paths: ['/description'], message: /1024/ },
  { name: 'an empty templateSelectionExpression', body: { backend: mock, templateSelectionExpression: '' }, paths: ['/templateSelectionExpression'] },
  { name: 'a templateSelectionExpression over 1024 characters', body: { backend: mock, templateSelectionExpression: 'e'.repeat(1025) }, paths: ['/templateSelectionExpression'] },
  { name: 'an http url over 2048 characters', body: { backend: { ...http, url: `https://backend.example.com/${'p'.repeat(2048)}` } }, paths: ['/backend/url'], message: /2048/ },
  { name: 'a function over 256 characters', body: { backend: { ...lambda, function: 'f'.repeat(257) } }, paths: ['/backend/function'] },
  { name: 'a vpcLinkId over 1024 characters', body: { backend: { ...vpcLink, vpcLinkId: 'v'.repeat(1025) } }, paths: ['/backend/vpcLinkId'] },
  { name: '33 request templates', body: { backend: mock, requestTemplates: entries(33, (i) => `application/x-${i}`, '{}') }, paths: ['/requestTemplates'], message: /32/ },
  { name: 'a request template over 32768 characters', body: { backend: mock, requestTemplates: { 'application/json': 't'.repeat(32_769) } }, paths: ['/requestTemplates/application~1json'], message: /32768/ },
  { name: 'a request template key over 256 characters', body: { backend: mock, requestTemplates: { [`application/${'x'.repeat(256)}`]: '{}' } }, paths: [`/requestTemplates/application~1${'x'.repeat(256)}`], message: /256/ },
  { name: 'an empty request template key', body: { backend: mock, requestTemplates: { '': '{}' } }, paths: ['/requestTemplates/'] },
  { name: '51 request parameters', body: { backend: http, requestParameters: entries(51, (i) => `integration.request.header.h${i}`, 'context.connectionId') }, paths: ['/requestParameters'], message: /50/ },
  { name: '33 integration responses', body: { backend: mock, responses: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`/${i}/`, {}])) }, paths: ['/responses'], message: /32/ },
  { name: 'a response template over 32768 characters', body: { backend: mock, responses: { $default: { responseTemplates: { 'application/json': 't'.repeat(32_769) } } } }, paths: ['/responses/$default/responseTemplates/application~1json'] },
];

t.test('the intent form accepts', async (t) => {
  const ctx = await buildTestApp(t, { checkValidators: true });
  for (const c of accepted) await t.test(c.name, (t) => expectAccepted(t, ctx, c));
});

t.test('the intent form refuses with 400 problem+json, naming the field, without calling AWS', async (t) => {
  const ctx = await buildTestApp(t, { checkValidators: true });
  for (const c of refused) await t.test(c.name, (t) => expectRefused(t, ctx, c));
});

t.test('a route key that arrives URL-encoded as %24foo is refused', async (t) => {
  const ctx = await buildTestApp(t, { checkValidators: true });
  ctx.fake.resetCalls();
  for (const method of ['PUT', 'GET', 'DELETE'] as const) {
    const response = await ctx.app.inject({
      method,
      url: `/v1/apis/${ctx.apiId}/routes/%24foo/integration`,
      ...(method === 'PUT' ? { payload: { backend: mock } } : {}),
    });
    const problem = assertProblem(t, response, 400);
    t.same(problem.errors?.map((e) => e.path), ['/routeKey'], `${method} names the route key`);
  }
  t.equal(ctx.fake.calls.length, 0, 'nothing reaches AWS');
});

t.test('several schema faults at once are all reported', async (t) => {
  const ctx = await buildTestApp(t, { checkValidators: true });
  await expectRefused(t, ctx, {
    name: 'schema phase',
    body: {
      backend: { type: 'http', url: 'ftp://backend.example.com', extra: true },
      timeoutInMillis: 49,
      passthroughBehavior: 'ALWAYS',
      description: 'd'.repeat(1025),
      requestTemplates: { 'application/json': 5 },
      unknown: 1,
    },
    paths: [
      '/backend/url',
      '/backend/method',
      '/backend/extra',
      '/timeoutInMillis',
      '/passthroughBehavior',
      '/description',
      '/requestTemplates/application~1json',
      '/unknown',
    ],
  });
});

t.test('several cross-field faults at once are all reported', async (t) => {
  const ctx = await buildTestApp(t, { checkValidators: true });
  await expectRefused(t, ctx, {
    name: 'domain phase',
    routeKey: '$foo',
    body: {
      backend: { ...lambda, function: 'bad name!', invokeWithCallerCredentials: true, executionRoleArn: ROLE_ARN },
      requestParameters: {
        'integration.request.body.x': 'context.connectionId',
        'integration.request.header.y': 'nowhere',
      },
      responses: { '200': {}, '/(/': {}, $default: {} },
    },
    paths: [
      '/routeKey',
      '/backend/function',
      '/backend/executionRoleArn',
      '/requestParameters/integration.request.body.x',
      '/requestParameters/integration.request.header.y',
      '/responses/200',
      '/responses/~1(~1',
    ],
  });
  await expectRefused(t, ctx, {
    name: 'domain phase, http',
    body: { backend: { ...http, url: 'https://backend.example.com:25/x' }, requestParameters: { 'integration.request.header.x': "'open" } },
    paths: ['/backend/url', '/requestParameters/integration.request.header.x'],
  });
});

t.test('a valid lambda function name is looked up, an unknown one is a 400 naming the field', async (t) => {
  const ctx = await buildTestApp(t, { checkValidators: true });
  const response = await put(ctx, 'sendmessage', { backend: { type: 'lambda', function: 'no-such-function' } });
  const problem = assertProblem(t, response, 400);
  t.same(problem.errors?.map((e) => e.path), ['/backend/function']);
  t.match(problem.errors?.[0]?.message, /does not exist/);
  t.same(ctx.fake.writes(), [], 'only the Lambda look-up, no write');
  t.ok(ctx.fake.calls.every((call) => call.service === 'lambda'), 'the look-up is the only call');
});

t.test('bodies that are not a JSON object', async (t) => {
  const ctx = await buildTestApp(t, { checkValidators: true, env: { GATEWIRE_BODY_LIMIT_BYTES: '4096' } });
  const url = routeIntegrationUrl(ctx.apiId, 'sendmessage');
  const send = (headers: Record<string, string>, payload: string) => {
    ctx.fake.resetCalls();
    return ctx.app.inject({ method: 'PUT', url, headers, payload });
  };

  t.test('not JSON: 400', async (t) => {
    const problem = assertProblem(t, await send({ 'content-type': 'application/json' }, '{"backend":'), 400);
    t.match(problem.type, /INVALID_JSON/);
    t.equal(ctx.fake.calls.length, 0);
  });
  t.test('an empty JSON body: 400', async (t) => {
    assertProblem(t, await send({ 'content-type': 'application/json' }, ''), 400);
    t.equal(ctx.fake.calls.length, 0);
  });
  t.test('JSON null: 400', async (t) => {
    const problem = assertProblem(t, await send({ 'content-type': 'application/json' }, 'null'), 400);
    t.same(problem.errors?.map((e) => e.path), ['/']);
    t.equal(ctx.fake.calls.length, 0);
  });
  t.test('a __proto__ key: 400, never merged into objects', async (t) => {
    assertProblem(t, await send({ 'content-type': 'application/json' }, '{"backend":{"type":"mock"},"__proto__":{"x":1}}'), 400);
    t.equal(ctx.fake.calls.length, 0);
  });
  t.test('over the body limit: 413', async (t) => {
    const body = JSON.stringify({ backend: mock, description: 'd'.repeat(5000) });
    const problem = assertProblem(t, await send({ 'content-type': 'application/json' }, body), 413);
    t.match(problem.type, /BODY_TOO_LARGE/);
    t.equal(ctx.fake.calls.length, 0);
  });
  t.test('an unsupported content type: 415', async (t) => {
    const problem = assertProblem(t, await send({ 'content-type': 'application/xml' }, '<backend type="mock"/>'), 415);
    t.match(problem.type, /MEDIA_TYPE/);
    t.equal(ctx.fake.calls.length, 0);
  });
  t.test('JSON sent as text/plain: a client error, not a 500', async (t) => {
    const response = await send({ 'content-type': 'text/plain' }, JSON.stringify({ backend: mock }));
    t.ok(response.statusCode === 400 || response.statusCode === 415, `a 4xx: ${response.statusCode}`);
    assertProblem(t, response, response.statusCode);
    t.equal(ctx.fake.calls.length, 0);
  });
  t.test('JSON with a charset parameter is fine', async (t) => {
    ctx.fake.resetCalls();
    const response = await ctx.app.inject({
      method: 'PUT',
      url: `${url}?dryRun=true`,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      payload: JSON.stringify({ backend: mock }),
    });
    t.equal(response.statusCode, 200);
  });
});

// Fastify's router raises these before any route, so only its `frameworkErrors` option reaches them:
// buildApp passes problemFrameworkErrors (src/plugins/problem-details.ts).
t.test('path parameters the router refuses still answer problem+json', async (t) => {
  const ctx = await buildTestApp(t, { checkValidators: true });
  t.test('a malformed percent-encoding', async (t) => {
    ctx.fake.resetCalls();
    const response = await ctx.app.inject({ method: 'PUT', url: `/v1/apis/${ctx.apiId}/routes/%E0%A4%A/integration`, payload: { backend: mock } });
    assertProblem(t, response, 400);
    t.equal(ctx.fake.calls.length, 0);
  });
  t.test('a route key over the router parameter limit', async (t) => {
    ctx.fake.resetCalls();
    const response = await ctx.app.inject({ method: 'PUT', url: routeIntegrationUrl(ctx.apiId, 'k'.repeat(600)), payload: { backend: mock } });
    t.ok(response.statusCode === 400 || response.statusCode === 414, `a 4xx: ${response.statusCode}`);
    assertProblem(t, response, response.statusCode);
    t.equal(ctx.fake.calls.length, 0);
  });
});
