// The Lambda handler (src/lambda-handler.ts) with REST API (v1) and HTTP API (v2) proxy events: the
// same status and body as the same request through the server's app (app.inject), API Gateway's
// request id as the request id, and the IAM or JWT caller from the event as the audit actor.
import { spawn } from 'node:child_process';
import type { FastifyInstance } from 'fastify';
import t from 'tap';
import { buildApp } from '../../src/app.js';
import { SERVER_EXTRAS } from '../../src/plugins/server-extras.js';
import { createAuditDatabase } from '../../src/audit/database.js';
import { createInProcessLock } from '../../src/audit/locks.js';
import { migrateToLatest } from '../../src/audit/migrate.js';
import { createKyselyAuditStore } from '../../src/audit/store.js';
import type { AuditStore } from '../../src/services/ports.js';
import { createMemoryAuditStore, type MemoryAuditStore } from '../../src/audit/memory-store.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { createDependencies } from '../../src/dependencies.js';
import { createLambdaHandler, type LambdaHandler, type ProxyEvent } from '../../src/lambda-handler.js';
import { startFakeAws, type FakeAws } from '../support/fake-aws/index.js';
import {
  CALLER_ARN,
  ROLE_SESSION_ARN,
  httpApiEvent,
  lambdaContext,
  newRequestId,
  restApiEvent,
  type EventRequest,
} from '../support/lambda-events.js';

/** Lambda mode: the IAM callers of the fixtures may write; JWT authorizer tokens of the test issuer are trusted. */
const LAMBDA_CREDENTIALS = {
  GATEWIRE_IAM_PRINCIPALS: JSON.stringify([
    { principal: CALLER_ARN, scopes: ['write'] },
    { principal: 'arn:aws:sts::123456789012:assumed-role/ci-deployer/*', scopes: ['write'] },
  ]),
  GATEWIRE_JWT_ISSUER: 'https://idp.example.com/',
  GATEWIRE_JWT_AUDIENCE: 'gatewire',
  // The API of the event fixtures (test/support/lambda-events.ts).
  GATEWIRE_LAMBDA_TRUSTED_APIS: '123456789012:abcdef1234',
  GATEWIRE_JWT_SCOPE_PREFIX: 'gatewire/',
};
import { TEST_API_KEY, TEST_API_KEY_NAME, TEST_API_KEYS_ENV } from '../support/build-test-app.js';
import { checkedValidators } from '../support/checked-validators.js';
import { pendingRecord } from '../support/pending-record.js';
import { createTestSchema } from '../support/postgres.js';
import type { TestContext } from '../support/tap.js';

interface Stack {
  fake: FakeAws;
  apiId: string;
  auditStore: MemoryAuditStore;
  app: FastifyInstance;
  /** Only in Lambda mode. */
  handler?: LambdaHandler;
}

/**
 * A fake AWS with the function chat-handler, and the app over it as the server or the Lambda
 * function builds it. One of each serves the whole file (building an app is the slow part); each
 * test works on an API of its own (freshApi).
 */
async function startStack(t: Pick<TestContext, 'teardown'>, runtime: 'server' | 'lambda'): Promise<Omit<Stack, 'apiId'>> {
  const fake = await startFakeAws();
  t.teardown(() => fake.close());
  const config = loadConfig(
    {
      AWS_REGION: fake.region,
      AWS_ENDPOINT_URL: fake.url,
      GATEWIRE_ACCOUNT_ID: fake.accountId,
      GATEWIRE_AWS_MAX_ATTEMPTS: '1',
      LOG_LEVEL: 'silent',
      ...(runtime === 'lambda'
        ? { GATEWIRE_AUDIT_URL: 'postgres://unused@127.0.0.1:5432/test', ...LAMBDA_CREDENTIALS }
        : { GATEWIRE_API_KEYS: TEST_API_KEYS_ENV }),
    },
    { runtime },
  );
  const auditStore = createMemoryAuditStore();
  const deps = await createDependencies(config, {
    awsCredentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
    audit: { store: auditStore, lock: createInProcessLock() },
  });
  const appDeps = { config, services: deps.services, auditStore, logger: false as const, recovery: deps.recovery };
  let app: FastifyInstance;
  let handler: LambdaHandler | undefined;
  // Lambda mode validates as the bundle does, checked against Ajv at run time (checked-validators.ts).
  if (runtime === 'lambda') ({ app, handler } = await createLambdaHandler({ ...appDeps, validators: await checkedValidators() }));
  else app = await buildApp({ ...appDeps, extras: SERVER_EXTRAS });
  t.teardown(async () => {
    await app.close();
    await deps.close();
  });
  fake.seedFunction({ name: 'chat-handler' });
  return { fake, auditStore, app, ...(handler ? { handler } : {}) };
}

// Started first, so that the two processes compile the sources (tsx) while the tests below run;
// the last test awaits them.
const entrySchema = await createTestSchema(t, 'lambda_entry');
// A change cut off 20 minutes ago (longer than any invocation lasts) and one still running.
const crashedChange = pendingRecord(new Date(Date.now() - 20 * 60_000));
const runningChange = pendingRecord(new Date(Date.now() - 1_000));
const entryRuns = withEntryStore(async (store) => {
  await store.appendPending(crashedChange);
  await store.appendPending(runningChange);
}).then(() =>
  Promise.all([
    runEntry({ GATEWIRE_AUDIT_URL: 'sqlite:./data/audit.db' }, httpApiEvent({ method: 'GET', url: '/healthz' })),
    runEntry(
      { GATEWIRE_AUDIT_URL: entrySchema.url, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', ...LAMBDA_CREDENTIALS },
      restApiEvent({ method: 'GET', url: '/readyz' }),
      // The scheduled sweep (README: an EventBridge rule) takes over what dead invocations left.
      { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} },
    ),
  ]),
);

async function withEntryStore<T>(work: (store: AuditStore) => Promise<T>): Promise<T> {
  const handle = await createAuditDatabase(entrySchema.url);
  await migrateToLatest(handle.db, handle.dialect);
  const store = createKyselyAuditStore(handle.db);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

const lambdaStack = await startStack(t, 'lambda');
const serverStack = await startStack(t, 'server');

/** The shared stack with a new WebSocket API of this test's own. */
function freshApi(stack: Omit<Stack, 'apiId'>): Stack {
  stack.fake.resetCalls();
  return { ...stack, apiId: stack.fake.seedApi({ name: 'chat' }) };
}

/** The audit records of this test's API. */
const recordsOf = (stack: Stack) => stack.auditStore.records().filter((record) => record.apiId === stack.apiId);

/** What AWS holds for this test's API, and the statements of chat-handler's policy that name it. */
function awsStateOf(stack: Stack) {
  const api = stack.fake.api(stack.apiId);
  return {
    routes: api.routes,
    integrations: api.integrations,
    integrationResponses: api.integrations.map((integration) => api.integrationResponses(integration.integrationId)),
    routeResponses: api.routes.map((route) => api.routeResponses(route.routeId)),
    policy: stack.fake.policy('chat-handler').filter((statement) => JSON.stringify(statement).includes(stack.apiId)),
  };
}

async function invoke(stack: Stack, event: object) {
  const response = await stack.handler!(event as ProxyEvent, lambdaContext());
  return { ...response, json: () => JSON.parse(response.body) as Record<string, unknown> };
}

/** The same request through the server's app, with the test API key. */
function inject(stack: Stack, request: EventRequest) {
  return stack.app.inject({
    method: request.method as 'GET',
    url: request.url,
    headers: { 'x-api-key': TEST_API_KEY, ...request.headers },
    ...(request.body === undefined ? {} : { payload: request.body as object }),
  });
}

/** The body with the ids that differ between two stacks (the fake's, the audit record's) named instead. */
function withIdsNamed(stack: Stack, body: string): unknown {
  const names = new Map<string, string>([[stack.apiId, '<apiId>']]);
  for (const integration of stack.fake.api(stack.apiId).integrations) names.set(integration.integrationId, '<integrationId>');
  for (const route of stack.fake.api(stack.apiId).routes) {
    names.set(route.routeId, '<routeId>');
    for (const response of stack.fake.api(stack.apiId).routeResponses(route.routeId)) names.set(response.routeResponseId, '<routeResponseId>');
  }
  for (const record of recordsOf(stack)) names.set(record.id, '<auditId>');
  let text = body.replaceAll(/"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)"/g, '"<time>"');
  for (const [id, name] of names) text = text.replaceAll(id, name);
  return JSON.parse(text);
}

const putUrl = (apiId: string, routeKey = 'sendmessage') => `/v1/apis/${apiId}/routes/${routeKey}/integration`;
const lambdaIntent = { backend: { type: 'lambda', function: 'chat-handler' }, timeoutInMillis: 10_000, returnResponse: true };
const badIntent = { backend: { type: 'http', url: 'not a url' }, timeoutInMillis: 30_000, extra: true };

const EVENT_KINDS = [
  { name: 'REST API (v1)', event: (request: EventRequest) => restApiEvent(request, { userArn: CALLER_ARN, caller: 'AIDAEXAMPLE', user: 'AIDAEXAMPLE' }) },
  { name: 'HTTP API (v2)', event: (request: EventRequest) => httpApiEvent(request, { iam: { userArn: CALLER_ARN } }) },
] as const;

for (const kind of EVENT_KINDS) {
  t.test(`${kind.name}: GET /healthz answers as the server does`, async (t) => {
    const lambda = freshApi(lambdaStack);
    const server = freshApi(serverStack);
    const viaLambda = await invoke(lambda, kind.event({ method: 'GET', url: '/healthz' }));
    const viaServer = await inject(server, { method: 'GET', url: '/healthz' });
    t.equal(viaLambda.statusCode, 200);
    t.equal(viaLambda.statusCode, viaServer.statusCode);
    t.same(viaLambda.json(), viaServer.json());
    t.same(viaLambda.json(), { status: 'ok' });
    t.equal(viaLambda.headers['content-type'], viaServer.headers['content-type']);
    t.equal(viaLambda.isBase64Encoded, false);
  });

  t.test(`${kind.name}: a validation failure is the same 400 problem, with API Gateway's request id as its instance`, async (t) => {
    const lambda = freshApi(lambdaStack);
    const server = freshApi(serverStack);
    const requestId = newRequestId();
    const viaLambda = await invoke(lambda, kind.event({ method: 'PUT', url: putUrl(lambda.apiId), body: badIntent, requestId }));
    const viaServer = await inject(server, { method: 'PUT', url: putUrl(server.apiId), body: badIntent });
    t.equal(viaLambda.statusCode, 400);
    t.equal(viaLambda.statusCode, viaServer.statusCode);
    t.match(viaLambda.headers['content-type'], /^application\/problem\+json/);
    t.equal(viaLambda.headers['content-type'], viaServer.headers['content-type']);
    const lambdaBody = withIdsNamed(lambda, viaLambda.body) as Record<string, unknown>;
    const serverBody = withIdsNamed(server, viaServer.body) as Record<string, unknown>;
    t.equal(lambdaBody['instance'], requestId, "the problem's instance is API Gateway's request id");
    t.same({ ...lambdaBody, instance: '<request id>' }, { ...serverBody, instance: '<request id>' });
    t.ok((lambdaBody['errors'] as unknown[]).length >= 3, 'every offending field is named');
    t.same(lambda.fake.writes(), [], 'nothing reached AWS');
    t.same(recordsOf(lambda), []);
  });

  t.test(`${kind.name}: a full PUT …/integration answers as the server does; the IAM caller is the audit actor`, async (t) => {
    const lambda = freshApi(lambdaStack);
    const server = freshApi(serverStack);
    const requestId = newRequestId();
    const viaLambda = await invoke(lambda, kind.event({ method: 'PUT', url: putUrl(lambda.apiId), body: lambdaIntent, requestId }));
    const viaServer = await inject(server, { method: 'PUT', url: putUrl(server.apiId), body: lambdaIntent });
    t.equal(viaLambda.statusCode, 200, viaLambda.body.slice(0, 500));
    t.equal(viaLambda.statusCode, viaServer.statusCode);
    t.equal(viaLambda.headers['content-type'], viaServer.headers['content-type']);
    t.match(viaLambda.json(), { outcome: 'applied', auditComplete: true });
    t.same(withIdsNamed(lambda, viaLambda.body), withIdsNamed(server, viaServer.body));
    t.same(withIdsNamed(lambda, JSON.stringify(awsStateOf(lambda))), withIdsNamed(server, JSON.stringify(awsStateOf(server))), 'AWS ends in the same state');

    const [record] = recordsOf(lambda);
    t.equal(recordsOf(lambda).length, 1);
    t.match(record, { status: 'succeeded', actor: { id: CALLER_ARN, kind: 'iam' }, requestId, apiId: lambda.apiId, routeKey: 'sendmessage' });
    t.equal(record?.id, viaLambda.json()['auditId']);
    t.match(recordsOf(server)[0], { status: 'succeeded', actor: { id: TEST_API_KEY_NAME, kind: 'api-key' } }, "the server's caller is its API key");
  });
}

t.test('HTTP API (v2): a JWT authorizer subject is the actor, and a base64 body is decoded', async (t) => {
  const lambda = freshApi(lambdaStack);
  const response = await invoke(
    lambda,
    httpApiEvent(
      { method: 'PUT', url: putUrl(lambda.apiId, 'echo'), body: { backend: { type: 'mock' } }, base64: true },
      { jwt: { claims: { sub: 'user-7f3a', iss: 'https://idp.example.com/', aud: 'gatewire' }, scopes: ['gatewire/write'] } },
    ),
  );
  t.equal(response.statusCode, 200, response.body.slice(0, 300));
  t.match(recordsOf(lambda)[0], { status: 'succeeded', actor: { id: 'user-7f3a', kind: 'jwt' } });
});

t.test('identities are believed only from the trusted API, and API Gateway JWTs only for our audience', async (t) => {
  const lambda = freshApi(lambdaStack);
  const put = (routeKey: string) => ({ method: 'PUT' as const, url: putUrl(lambda.apiId, routeKey), body: { backend: { type: 'mock' } } });
  const elsewhere = <E extends { requestContext: { apiId: string; accountId: string } }>(event: E, apiId: string, accountId = '123456789012') => {
    event.requestContext.apiId = apiId;
    event.requestContext.accountId = accountId;
    return event;
  };
  // A granted IAM caller, but through another API of the account, or an API of another account.
  for (const [apiId, accountId] of [['zzzzzz9999', '123456789012'], ['abcdef1234', '999999999999']] as const) {
    const rest = await invoke(lambda, elsewhere(restApiEvent(put(`rest-${accountId}`), { userArn: CALLER_ARN }), apiId, accountId));
    t.equal(rest.statusCode, 401, `REST API ${accountId}:${apiId}: its caller is not believed`);
    const http = await invoke(lambda, elsewhere(httpApiEvent(put(`http-${accountId}`), { iam: { userArn: CALLER_ARN } }), apiId, accountId));
    t.equal(http.statusCode, 401, `HTTP API ${accountId}:${apiId}: its caller is not believed`);
  }
  const jwt = (claims: Record<string, unknown>) => ({ jwt: { claims: { sub: 'user-7f3a', iss: 'https://idp.example.com/', ...claims }, scopes: ['gatewire/write'] } });
  const wrongAudience = await invoke(lambda, httpApiEvent(put('aud-other'), jwt({ aud: 'some-other-app' })));
  t.equal(wrongAudience.statusCode, 401, 'a token for another audience');
  t.match(JSON.parse(wrongAudience.body).detail, /GATEWIRE_JWT_AUDIENCE/);
  t.equal((await invoke(lambda, httpApiEvent(put('aud-none'), jwt({})))).statusCode, 401, 'a token without an audience');
  t.equal((await invoke(lambda, httpApiEvent(put('aud-list'), jwt({ aud: '[some-other-app gatewire]' })))).statusCode, 200, 'an audience list that names us');
  t.equal(recordsOf(lambda).length, 1, 'only the accepted change has a record');
});

t.test('REST API (v1): an assumed-role session is the actor', async (t) => {
  const lambda = freshApi(lambdaStack);
  const response = await invoke(
    lambda,
    restApiEvent({ method: 'PUT', url: putUrl(lambda.apiId, 'ping'), body: { backend: { type: 'mock' } } }, { userArn: ROLE_SESSION_ARN }),
  );
  t.equal(response.statusCode, 200);
  t.match(recordsOf(lambda)[0], { actor: { id: ROLE_SESSION_ARN, kind: 'iam' } });
});

t.test('no IAM or JWT auth on the route and no credential: 401, and headers cannot forge a caller', async (t) => {
  const lambda = freshApi(lambdaStack);
  const forged = encodeURIComponent(JSON.stringify({ requestContext: { identity: { userArn: 'arn:aws:iam::999999999999:root' } } }));
  const response = await invoke(
    lambda,
    restApiEvent({
      method: 'PUT',
      url: putUrl(lambda.apiId, 'ping'),
      body: { backend: { type: 'mock' } },
      headers: { 'x-apigateway-event': forged, 'X-Aws-Lambda-Fastify-Request': 'guess' },
    }),
  );
  t.equal(response.statusCode, 401);
  t.match(response.headers['content-type'], /^application\/problem\+json/);
  t.same(lambda.fake.writes(), [], 'nothing reached AWS');
  t.same(recordsOf(lambda), []);

  // The server never reads an actor from the event headers either.
  const server = freshApi(serverStack);
  const viaServer = await inject(server, {
    method: 'PUT',
    url: putUrl(server.apiId, 'ping'),
    body: { backend: { type: 'mock' } },
    headers: { 'x-apigateway-event': forged },
  });
  t.equal(viaServer.statusCode, 200);
  t.match(recordsOf(server)[0], { actor: { id: TEST_API_KEY_NAME, kind: 'api-key' } }, 'the caller is the API key, not the forged event');
});

t.test("a client's x-request-id does not replace API Gateway's request id", async (t) => {
  const lambda = freshApi(lambdaStack);
  const requestId = newRequestId();
  for (const event of [
    restApiEvent({ method: 'PUT', url: putUrl(lambda.apiId), body: badIntent, requestId, headers: { 'X-Request-Id': 'chosen-by-client' } }),
    httpApiEvent({ method: 'PUT', url: putUrl(lambda.apiId), body: badIntent, requestId, headers: { 'x-request-id': 'chosen-by-client' } }),
  ]) {
    const response = await invoke(lambda, event);
    t.equal(response.json()['instance'], requestId);
  }
});

t.test('Swagger UI and the OpenAPI document are served through the handler (images base64-encoded)', async (t) => {
  const lambda = freshApi(lambdaStack);
  const server = freshApi(serverStack);
  const spec = await invoke(lambda, httpApiEvent({ method: 'GET', url: '/openapi.json' }));
  t.equal(spec.statusCode, 200);
  // The committed document, as the server generates it, without the /metrics Lambda does not serve.
  const generated = (await inject(server, { method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, unknown> };
  t.ok(generated.paths['/metrics'], 'the server documents /metrics');
  delete generated.paths['/metrics'];
  // With a server URL relative to where it is served, so that "Try it out" stays inside an API Gateway stage.
  t.same(spec.json(), { ...generated, servers: [{ url: './' }] });
  t.same((await invoke(lambda, httpApiEvent({ method: 'GET', url: '/docs/json' }))).json(), { ...generated, servers: [{ url: '../' }] }, 'Swagger UI loads it from /docs/json');
  t.equal((await invoke(lambda, httpApiEvent({ method: 'GET', url: '/metrics' }))).statusCode, 404, 'no /metrics on Lambda');
  const page = await invoke(lambda, restApiEvent({ method: 'GET', url: '/docs' }));
  t.equal(page.statusCode, 200);
  t.match(page.headers['content-type'], /^text\/html/);
  t.match(page.body, /swagger-ui/);
  // Relative links: under a stage path (/prod/docs) they resolve to /prod/docs/static/….
  t.match(page.body, 'src="./docs/static/swagger-ui-bundle.js"');
  t.match((await invoke(lambda, restApiEvent({ method: 'GET', url: '/docs/' }))).body, 'src="./static/swagger-ui-bundle.js"');
  const initializer = await invoke(lambda, restApiEvent({ method: 'GET', url: '/docs/static/swagger-initializer.js' }));
  t.equal(initializer.statusCode, 200);
  t.match(initializer.body, '"tryItOutEnabled":true');
  for (const url of ['/docs/static/csp.json', '/docs/static/..%2Fpackage.json', '/docs/static/%2Fetc%2Fpasswd']) {
    t.equal((await invoke(lambda, restApiEvent({ method: 'GET', url }))).statusCode, 404, `${url} is not served`);
  }
  const script = await invoke(lambda, restApiEvent({ method: 'GET', url: '/docs/static/swagger-ui-bundle.js' }));
  t.equal(script.statusCode, 200);
  t.equal(script.isBase64Encoded, false);
  t.equal(script.headers['cache-control'], 'public, max-age=3600', 'browsers keep it for an hour');
  const icon = await invoke(lambda, httpApiEvent({ method: 'GET', url: '/docs/static/favicon-32x32.png' }));
  t.equal(icon.statusCode, 200);
  t.equal(icon.isBase64Encoded, true);
  t.equal(Buffer.from(icon.body, 'base64').subarray(1, 4).toString(), 'PNG');
});

t.test('Lambda mode requires a PostgreSQL or DynamoDB audit URL and says so', async (t) => {
  const message = (env: Record<string, string>, runtime?: 'lambda') => {
    try {
      loadConfig(env, runtime ? { runtime } : {});
      return 'no error';
    } catch (error) {
      t.ok(error instanceof ConfigError);
      return (error as Error).message;
    }
  };
  t.match(message({}, 'lambda'), /GATEWIRE_AUDIT_URL must be a postgres:\/\/ or dynamodb:\/\/ URL on Lambda \(it is not set\)/);
  t.match(message({ GATEWIRE_AUDIT_URL: 'sqlite:/tmp/audit.db' }, 'lambda'), /GATEWIRE_AUDIT_URL must be a postgres:\/\/ or dynamodb:\/\/ URL on Lambda \(it is neither/);
  t.match(message({ AWS_LAMBDA_FUNCTION_NAME: 'gatewire' }), /GATEWIRE_AUDIT_URL must be a postgres/, 'the Lambda runtime is detected');
  t.match(message({ PORT: 'x' }, 'lambda'), /PORT .*; GATEWIRE_AUDIT_URL must be/, 'one message names every bad variable');
  t.match(
    message({ GATEWIRE_AUDIT_URL: 'postgres://gatewire@db:5432/gatewire' }, 'lambda'),
    /caller credentials are required on Lambda: set GATEWIRE_IAM_PRINCIPALS, GATEWIRE_API_KEYS/,
    'no first-run key on Lambda',
  );
  t.equal(message({ GATEWIRE_AUDIT_URL: 'postgres://gatewire@db:5432/gatewire', ...LAMBDA_CREDENTIALS }, 'lambda'), 'no error');
  t.equal(loadConfig({ GATEWIRE_AUDIT_URL: 'postgresql://db/gatewire', AWS_LAMBDA_FUNCTION_NAME: 'gw', ...LAMBDA_CREDENTIALS }).runtime, 'lambda');
  t.equal(message({ GATEWIRE_AUDIT_URL: 'dynamodb://gatewire?region=eu-west-1', ...LAMBDA_CREDENTIALS }, 'lambda'), 'no error', 'DynamoDB is a shared store too');
  t.equal(loadConfig({}).runtime, 'server');
});

/** Runs src/lambda.ts (the runtime entry, top-level await) in a fresh process and invokes it with each event in turn. */
function runEntry(env: Record<string, string>, ...events: object[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const script = `const { handler } = await import('./src/lambda.ts');
const answers = [];
for (const event of ${JSON.stringify(events)}) answers.push(await handler(event, {}));
process.stdout.write(JSON.stringify(answers.length === 1 ? answers[0] : answers));
process.exit(0);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: new URL('../..', import.meta.url),
    env: { PATH: process.env['PATH'] ?? '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', AWS_REGION: 'us-east-1', LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

t.test('src/lambda.ts (the runtime entry) in a fresh process', async (t) => {
  const [withoutPostgres, withPostgres] = await entryRuns;
  t.not(withoutPostgres.code, 0, 'without a PostgreSQL audit URL, init fails');
  t.match(withoutPostgres.stderr, /Invalid configuration: GATEWIRE_AUDIT_URL must be a postgres:\/\/ or dynamodb:\/\/ URL on Lambda/, 'and says why');
  t.equal(withPostgres.code, 0, withPostgres.stderr);
  const [ready, sweep] = JSON.parse(withPostgres.stdout);
  t.match(ready, { statusCode: 200, body: '{"status":"ready"}' }, 'against PostgreSQL (migrated at init) it answers /readyz');
  t.match(sweep, { statusCode: 200, body: '{"recovered":1}' }, 'a scheduled event sweeps');
  await withEntryStore(async (store) => {
    t.match(await store.get(crashedChange.id), { status: 'interrupted' }, 'the sweep took over the change cut off 20 minutes ago (from before the journal)');
    t.match(await store.get(runningChange.id), { status: 'pending' }, 'and left the recent one alone');
  });
});
