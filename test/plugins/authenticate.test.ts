// Authentication and scopes (DESIGN §6): every /v1 endpoint refuses a missing, a wrong and an
// under-scoped credential (401, 401, 403 as problem+json) and changes nothing; an API-id allow list
// is enforced; JWTs signed by the issuer's JWKS (served on 127.0.0.1) are accepted, forged, expired
// or misaddressed ones refused; the open endpoints stay open. One app serves the whole file.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';
import t from 'tap';
import { hashApiKey } from '../../src/auth/credentials.js';
import { createLambdaHandler } from '../../src/lambda-handler.js';
import { loadConfig } from '../../src/config.js';
import { createDependencies } from '../../src/dependencies.js';
import { createInProcessLock } from '../../src/audit/locks.js';
import { createMemoryAuditStore } from '../../src/audit/memory-store.js';
import { buildTestApp, routeIntegrationUrl } from '../support/build-test-app.js';
import { startFakeAws } from '../support/fake-aws/index.js';
import { CALLER_ARN, EVENT_ACCOUNT, httpApiEvent, lambdaContext, restApiEvent } from '../support/lambda-events.js';

const KEYS = {
  reader: 'gw_reader-key-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  writer: 'gw_writer-key-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
  admin: 'gw_admin-key-cccccccccccccccccccccccccccccccccccccccccccc',
  limited: 'gw_limited-key-dddddddddddddddddddddddddddddddddddddddd',
};
const WRONG_KEY = 'gw_wrong-key-eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee';
const ISSUER = 'https://idp.test.example/';
const AUDIENCE = 'gatewire';

// The identity provider: a key pair whose public half a JWKS endpoint on 127.0.0.1 serves.
type KeyLike = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
const { privateKey, publicKey } = await generateKeyPair('ES256');
const forger = await generateKeyPair('ES256');
const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'ES256', use: 'sig' };
const jwks = createServer((_request, response) => {
  response.setHeader('content-type', 'application/json');
  response.end(JSON.stringify({ keys: [jwk] }));
});
await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
t.teardown(() => new Promise<void>((resolve) => jwks.close(() => resolve())));
const jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`;

async function jwt(claims: Record<string, unknown>, options: { key?: KeyLike; expiresIn?: string | number; issuer?: string; audience?: string } = {}) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid: 'test-key' })
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setSubject(String(claims['sub'] ?? 'user-42'))
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '5m')
    .sign(options.key ?? privateKey);
}

const fake = await startFakeAws();
t.teardown(() => fake.close());
const apiId = fake.seedApi({ name: 'chat' });
const otherApiId = fake.seedApi({ name: 'other' });
const entry = (name: keyof typeof KEYS, scopes: string[], apiIds?: string[]) => ({ name, sha256: hashApiKey(KEYS[name]), scopes, ...(apiIds ? { apiIds } : {}) });
const ctx = await buildTestApp(t, {
  fake,
  credential: false,
  env: {
    GATEWIRE_API_KEYS: JSON.stringify([
      entry('reader', ['read']),
      entry('writer', ['write']),
      entry('admin', ['admin']),
      entry('limited', ['write'], [apiId]),
    ]),
    GATEWIRE_JWT_JWKS_URL: jwksUrl,
    GATEWIRE_JWT_ISSUER: ISSUER,
    GATEWIRE_JWT_AUDIENCE: AUDIENCE,
    GATEWIRE_JWT_SCOPE_PREFIX: 'gatewire:',
  },
});
const { app, auditStore } = ctx;

// A route, an integration and a response to act on (created as admin, before the matrix runs).
const asAdmin = { 'x-api-key': KEYS.admin };
const seeded = await app.inject({ method: 'PUT', url: routeIntegrationUrl(apiId, 'seeded'), headers: asAdmin, payload: { backend: { type: 'mock' }, responses: { $default: {} } } });
t.equal(seeded.statusCode, 200, seeded.body);
const integrationId = fake.api(apiId).route('seeded')!.target!.replace('integrations/', '');
const auditId = auditStore.records()[0]!.id;

type Method = 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';
interface Endpoint {
  method: Method;
  url: string;
  scope: 'read' | 'write' | 'admin';
  payload?: object;
}

const integrationUrl = `/v1/apis/${apiId}/integrations/${integrationId}`;
const ENDPOINTS: Endpoint[] = [
  { method: 'GET', url: '/v1/apis', scope: 'read' },
  { method: 'GET', url: `/v1/apis/${apiId}/routes`, scope: 'read' },
  { method: 'PUT', url: `/v1/apis/${apiId}/routes`, scope: 'write', payload: { routes: { bulkroute: { backend: { type: 'mock' } } } } },
  { method: 'GET', url: `/v1/apis/${apiId}/drift`, scope: 'read' },
  { method: 'GET', url: routeIntegrationUrl(apiId, 'seeded'), scope: 'read' },
  { method: 'PUT', url: routeIntegrationUrl(apiId, 'newroute'), scope: 'write', payload: { backend: { type: 'mock' } } },
  { method: 'DELETE', url: routeIntegrationUrl(apiId, 'seeded'), scope: 'write' },
  { method: 'GET', url: `/v1/apis/${apiId}/integrations`, scope: 'read' },
  { method: 'POST', url: `/v1/apis/${apiId}/integrations`, scope: 'write', payload: { integrationType: 'MOCK' } },
  { method: 'GET', url: integrationUrl, scope: 'read' },
  { method: 'PATCH', url: integrationUrl, scope: 'write', payload: { timeoutInMillis: 10000 } },
  { method: 'DELETE', url: integrationUrl, scope: 'write' },
  { method: 'GET', url: `${integrationUrl}/responses/%24default`, scope: 'read' },
  { method: 'PUT', url: `${integrationUrl}/responses/%24default`, scope: 'write', payload: { responseTemplates: { 'application/json': '{}' } } },
  { method: 'DELETE', url: `${integrationUrl}/responses/%24default`, scope: 'write' },
  { method: 'GET', url: `/v1/apis/${apiId}/permissions`, scope: 'read' },
  { method: 'POST', url: `/v1/apis/${apiId}/permissions/reconcile`, scope: 'admin' },
  { method: 'GET', url: '/v1/audit', scope: 'admin' },
  { method: 'GET', url: `/v1/audit/${auditId}`, scope: 'admin' },
  { method: 'GET', url: `/v1/changes/${auditId}`, scope: 'read' },
  { method: 'GET', url: '/v1/targets', scope: 'read' },
  { method: 'GET', url: '/v1/drift', scope: 'read' },
];
// Every /v1/apis operation again in a named target (issue 19): guarded the same way.
ENDPOINTS.push(
  ...ENDPOINTS.filter((endpoint) => endpoint.url.startsWith('/v1/apis')).map((endpoint) => ({ ...endpoint, url: endpoint.url.replace('/v1/apis', '/v1/targets/default/apis') })),
);

t.test('every /v1 route of the app is in the matrix below', async (t) => {
  const document = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> };
  const documented = Object.entries(document.paths)
    .filter(([path]) => path.startsWith('/v1/'))
    .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`));
  const normalise = (url: string) =>
    url
      .replace('/v1/targets/default/', '/v1/targets/{target}/')
      .replace(apiId, '{apiId}')
      .replace(integrationId, '{integrationId}')
      .replace(`/v1/changes/${auditId}`, '/v1/changes/{changeId}')
      .replace(auditId, '{id}')
      .replace(/\/routes\/[^/]+\/integration$/, '/routes/{routeKey}/integration')
      .replace(/\/responses\/[^/]+$/, '/responses/{responseKey}');
  t.same([...new Set(ENDPOINTS.map((e) => `${e.method} ${normalise(e.url)}`))].sort(), documented.sort());
});

/** A credential just below the endpoint's scope (read has none below it: a JWT with no Gatewire scope). */
async function underScoped(scope: Endpoint['scope']): Promise<Record<string, string>> {
  if (scope === 'admin') return { 'x-api-key': KEYS.writer };
  if (scope === 'write') return { authorization: `Bearer ${KEYS.reader}` };
  return { authorization: `Bearer ${await jwt({ scope: 'openid profile' })}` };
}

for (const endpoint of ENDPOINTS) {
  t.test(`${endpoint.method} ${endpoint.url} (${endpoint.scope}): missing, wrong and under-scoped credentials change nothing`, async (t) => {
    fake.resetCalls();
    const recordsBefore = auditStore.records().length;
    const snapshot = JSON.stringify(fake.snapshot());
    const cases: [string, Record<string, string>, number][] = [
      ['no credential', {}, 401],
      ['a wrong API key', { 'x-api-key': WRONG_KEY }, 401],
      ['a wrong bearer key', { authorization: `Bearer ${WRONG_KEY}` }, 401],
      ['a forged JWT', { authorization: `Bearer ${await jwt({ scope: 'gatewire:admin' }, { key: forger.privateKey })}` }, 401],
      ['an under-scoped credential', await underScoped(endpoint.scope), 403],
    ];
    for (const [name, headers, status] of cases) {
      const response = await app.inject({ method: endpoint.method, url: endpoint.url, headers, ...(endpoint.payload ? { payload: endpoint.payload } : {}) });
      t.equal(response.statusCode, status, `${name} → ${status}`);
      t.match(response.headers['content-type'], /^application\/problem\+json/, `${name}: problem+json`);
      t.match(response.json(), { status, type: `https://gatewire.dev/problems/${status === 401 ? 'unauthenticated' : 'forbidden'}` });
      if (status === 401) t.equal(response.headers['www-authenticate'], 'Bearer realm="gatewire"');
    }
    t.same(fake.calls, [], 'no AWS call at all, reads included');
    t.equal(JSON.stringify(fake.snapshot()), snapshot, 'AWS state unchanged');
    t.equal(auditStore.records().length, recordsBefore, 'no audit record');
  });
}

t.test('the right scope is let through (admin includes write includes read)', async (t) => {
  const reads = await app.inject({ method: 'GET', url: `/v1/apis/${apiId}/routes`, headers: { 'x-api-key': KEYS.reader } });
  t.equal(reads.statusCode, 200);
  const write = await app.inject({ method: 'PUT', url: routeIntegrationUrl(apiId, 'bywriter'), headers: { authorization: `Bearer ${KEYS.writer}` }, payload: { backend: { type: 'mock' } } });
  t.equal(write.statusCode, 200, write.body);
  t.match(auditStore.records().at(-1), { routeKey: 'bywriter', actor: { id: 'writer', kind: 'api-key' } }, 'the actor is the key name');
  t.equal((await app.inject({ method: 'GET', url: '/v1/apis', headers: { 'x-api-key': KEYS.writer } })).statusCode, 200, 'write includes read');
  t.equal((await app.inject({ method: 'GET', url: '/v1/audit', headers: asAdmin })).statusCode, 200);
  t.equal((await app.inject({ method: 'PUT', url: routeIntegrationUrl(apiId, 'byadmin'), headers: asAdmin, payload: { backend: { type: 'mock' } } })).statusCode, 200, 'admin includes write');
});

t.test('an API-id allow list is enforced', async (t) => {
  const headers = { 'x-api-key': KEYS.limited };
  const allowed = await app.inject({ method: 'PUT', url: routeIntegrationUrl(apiId, 'limited'), headers, payload: { backend: { type: 'mock' } } });
  t.equal(allowed.statusCode, 200, allowed.body);
  fake.resetCalls();
  const other = await app.inject({ method: 'PUT', url: routeIntegrationUrl(otherApiId, 'limited'), headers, payload: { backend: { type: 'mock' } } });
  t.equal(other.statusCode, 403);
  t.match(other.json().detail, new RegExp(`may not act on API ${otherApiId}`));
  const otherRead = await app.inject({ method: 'GET', url: `/v1/apis/${otherApiId}/routes`, headers });
  t.equal(otherRead.statusCode, 403, 'reads of another API too');
  const list = await app.inject({ method: 'GET', url: '/v1/apis', headers });
  t.equal(list.statusCode, 403, 'listing every API is not about one API');
  const inTarget = await app.inject({ method: 'GET', url: `/v1/targets/default/apis/${otherApiId}/routes`, headers });
  t.equal(inTarget.statusCode, 403, 'nor through a target');
  t.same(fake.calls, [], 'nothing reached AWS');
  t.notOk(fake.api(otherApiId).route('limited'), 'the other API is untouched');
});

t.test('JWTs: signed by the JWKS accepted with their scopes; expired, misaddressed, unsigned or malformed refused', async (t) => {
  const good = await jwt({ sub: 'alice', scope: 'openid gatewire:write' });
  const put = await app.inject({ method: 'PUT', url: routeIntegrationUrl(apiId, 'byjwt'), headers: { authorization: `Bearer ${good}` }, payload: { backend: { type: 'mock' } } });
  t.equal(put.statusCode, 200, put.body);
  t.match(auditStore.records().at(-1), { routeKey: 'byjwt', actor: { id: 'alice', kind: 'jwt' } });
  const scpArray = await jwt({ sub: 'bob', scope: ['gatewire:read'] });
  t.equal((await app.inject({ method: 'GET', url: '/v1/apis', headers: { authorization: `Bearer ${scpArray}` } })).statusCode, 200, 'a scope array works too');

  fake.resetCalls();
  const refused: [string, string, RegExp][] = [
    ['expired', await jwt({ scope: 'gatewire:admin' }, { expiresIn: Math.floor(Date.now() / 1000) - 3600 }), /expired/],
    ['another issuer', await jwt({ scope: 'gatewire:admin' }, { issuer: 'https://evil.example/' }), /"iss" claim/],
    ['another audience', await jwt({ scope: 'gatewire:admin' }, { audience: 'someone-else' }), /"aud" claim/],
    ['signed by another key', await jwt({ scope: 'gatewire:admin' }, { key: forger.privateKey }), /signature/],
    ['alg none', `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'x', iss: ISSUER, aud: AUDIENCE, exp: 9999999999, scope: 'gatewire:admin' })).toString('base64url')}.`, /not accepted/],
  ];
  for (const [name, token, detail] of refused) {
    const response = await app.inject({ method: 'PUT', url: routeIntegrationUrl(apiId, 'byjwt2'), headers: { authorization: `Bearer ${token}` }, payload: { backend: { type: 'mock' } } });
    t.equal(response.statusCode, 401, name);
    t.match(response.json().detail, detail, `${name}: ${response.json().detail}`);
    t.notOk(response.body.includes(token), `${name}: the token is not echoed`);
  }
  t.same(fake.writes(), [], 'nothing was written');
  t.notOk(fake.api(apiId).route('byjwt2'));
});

t.test('malformed credentials are 401 and name the expected form', async (t) => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }, /Bearer/],
    [{ authorization: 'Bearer' }, /Bearer/],
    [{ 'x-api-key': KEYS.admin, authorization: `Bearer ${KEYS.admin}` }, /either x-api-key or Authorization/],
    [{ 'x-api-key': 'x'.repeat(9000) }, /not valid/],
  ];
  for (const [headers, detail] of cases) {
    const response = await app.inject({ method: 'GET', url: '/v1/apis', headers });
    t.equal(response.statusCode, 401);
    t.match(response.json().detail, detail);
  }
});

t.test('health, docs, the OpenAPI document and metrics stay open', async (t) => {
  for (const url of ['/healthz', '/readyz', '/docs', '/docs/static/swagger-ui-bundle.js', '/openapi.json', '/metrics']) {
    const response = await app.inject({ method: 'GET', url });
    t.equal(response.statusCode, 200, url);
  }
  const document = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
  t.same(Object.keys(document.components.securitySchemes).sort(), ['apiKey', 'bearer']);
  const put = document.paths['/v1/apis/{apiId}/routes/{routeKey}/integration'].put;
  t.same(put.security, [{ apiKey: [] }, { bearer: [] }]);
  t.match(put.description, /Requires the `write` scope/);
  t.ok(put.responses['401'] && put.responses['403'] && put.responses['429']);
  t.match(document.paths['/v1/audit'].get.description, /Requires the `admin` scope/);
  for (const [path, operations] of Object.entries(document.paths as Record<string, Record<string, { description: string }>>)) {
    if (!path.startsWith('/v1/')) continue;
    for (const [method, operation] of Object.entries(operations)) {
      // A GET shares its schema with the HEAD route Fastify adds: the note was once written twice.
      t.equal(operation.description.match(/Requires the/g)?.length, 1, `${method} ${path} names its scope once`);
    }
  }
  t.notOk(document.paths['/healthz'].get.security, 'open endpoints name no security');
});

t.test('Lambda mode: a granted IAM principal may write, an unknown one is 403, and API keys still work', async (t) => {
  const config = loadConfig(
    {
      AWS_REGION: fake.region,
      AWS_ENDPOINT_URL: fake.url,
      GATEWIRE_AWS_MAX_ATTEMPTS: '1',
      LOG_LEVEL: 'silent',
      GATEWIRE_AUDIT_URL: 'postgres://unused@127.0.0.1:5432/test',
      GATEWIRE_IAM_PRINCIPALS: JSON.stringify([{ principal: CALLER_ARN, scopes: ['write'], apiIds: [apiId] }]),
      GATEWIRE_LAMBDA_TRUSTED_APIS: '123456789012:abcdef1234',
      GATEWIRE_API_KEYS: JSON.stringify([entry('reader', ['read'])]),
    },
    { runtime: 'lambda' },
  );
  const store = createMemoryAuditStore();
  const deps = await createDependencies(config, {
    awsCredentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
    audit: { store, lock: createInProcessLock() },
  });
  const { app: lambdaApp, handler } = await createLambdaHandler({ config, services: deps.services, auditStore: store, logger: false, recovery: deps.recovery });
  t.teardown(async () => {
    await lambdaApp.close();
    await deps.close();
  });
  const put = (url: string, userArn?: string, headers?: Record<string, string>) =>
    handler(restApiEvent({ method: 'PUT', url, body: { backend: { type: 'mock' } }, ...(headers ? { headers } : {}) }, userArn ? { userArn } : {}), lambdaContext());
  t.equal((await put(routeIntegrationUrl(apiId, 'iam'), CALLER_ARN)).statusCode, 200);
  t.match(store.records()[0], { actor: { id: CALLER_ARN, kind: 'iam' } });
  t.equal((await put(routeIntegrationUrl(otherApiId, 'iam'), CALLER_ARN)).statusCode, 403, 'its allow list applies');
  const stranger = await put(routeIntegrationUrl(apiId, 'iam2'), 'arn:aws:iam::123456789012:user/stranger');
  t.equal(stranger.statusCode, 403);
  t.match(JSON.parse(stranger.body).detail, /has none/);
  t.equal((await put(routeIntegrationUrl(apiId, 'iam3'), undefined, { 'x-api-key': KEYS.reader })).statusCode, 403, 'a read key may not write');
  t.equal((await put(routeIntegrationUrl(apiId, 'iam3'))).statusCode, 401, 'no identity at all');
  t.equal(store.records().length, 1);
});

t.test("guardrail policies select JWT callers by their token's scope claim", async (t) => {
  const guarded = await buildTestApp(t, {
    fake,
    credential: false,
    env: {
      GATEWIRE_API_KEYS: JSON.stringify([entry('admin', ['admin'])]),
      GATEWIRE_JWT_JWKS_URL: jwksUrl,
      GATEWIRE_JWT_ISSUER: ISSUER,
      GATEWIRE_JWT_AUDIENCE: AUDIENCE,
      GATEWIRE_JWT_SCOPE_PREFIX: 'gatewire:',
      GATEWIRE_GUARDRAILS: JSON.stringify({ policies: [{ name: 'mock-only', callers: [{ jwtScope: 'team:sandbox' }], rules: { integrationTypes: ['MOCK'] } }] }),
    },
  });
  const put = async (scope: string, routeKey: string) =>
    guarded.app.inject({
      method: 'PUT',
      url: routeIntegrationUrl(apiId, routeKey),
      headers: { authorization: `Bearer ${await jwt({ sub: 'dev-1', scope })}` },
      payload: { backend: { type: 'http', url: 'https://a.example.com', method: 'POST' } },
    });
  const sandboxed = await put('gatewire:write team:sandbox', 'jwt-guarded');
  t.equal(sandboxed.statusCode, 403);
  t.match(sandboxed.json().errors, [{ rule: 'integrationTypes', policy: 'mock-only', path: '/backend/type' }]);
  const other = await put('gatewire:write', 'jwt-free');
  t.equal(other.statusCode, 200, 'without that scope value the default policy applies');
  t.equal(guarded.auditStore.records().at(-1)?.guardrailPolicy, 'default');
});

t.test("Lambda: an API Gateway JWT authorizer's scopes select the guardrail policy too", async (t) => {
  const config = loadConfig(
    {
      AWS_REGION: fake.region,
      AWS_ENDPOINT_URL: fake.url,
      GATEWIRE_ACCOUNT_ID: fake.accountId,
      GATEWIRE_AWS_MAX_ATTEMPTS: '1',
      LOG_LEVEL: 'silent',
      GATEWIRE_AUDIT_URL: 'postgres://unused@127.0.0.1:5432/test',
      GATEWIRE_JWT_ISSUER: ISSUER,
      GATEWIRE_JWT_AUDIENCE: AUDIENCE,
      // The API Gateway the synthetic events come from (test/support/lambda-events.ts).
      GATEWIRE_LAMBDA_TRUSTED_APIS: `${EVENT_ACCOUNT}:abcdef1234`,
      GATEWIRE_GUARDRAILS: JSON.stringify({ policies: [{ name: 'no-mock', callers: [{ jwtScope: 'team:sandbox' }], rules: { integrationTypes: ['HTTP_PROXY'] } }] }),
    },
    { runtime: 'lambda' },
  );
  const store = createMemoryAuditStore();
  const deps = await createDependencies(config, {
    awsCredentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
    audit: { store, lock: createInProcessLock() },
  });
  const { app: lambdaApp, handler } = await createLambdaHandler({ config, services: deps.services, auditStore: store, logger: false, recovery: deps.recovery });
  t.teardown(async () => {
    await lambdaApp.close();
    await deps.close();
  });
  const put = (routeKey: string, scopes: string[]) =>
    handler(
      httpApiEvent(
        { method: 'PUT', url: routeIntegrationUrl(apiId, routeKey), body: { backend: { type: 'mock' } } },
        { jwt: { claims: { sub: 'dev-2', iss: ISSUER, aud: AUDIENCE }, scopes } },
      ),
      lambdaContext(),
    );
  const denied = await put('gw-jwt-a', ['write', 'team:sandbox']);
  t.equal(denied.statusCode, 403, denied.body);
  t.match(JSON.parse(denied.body).errors, [{ rule: 'integrationTypes', policy: 'no-mock' }]);
  const allowed = await put('gw-jwt-b', ['write']);
  t.equal(allowed.statusCode, 200, allowed.body);
  t.equal(store.records()[0]?.guardrailPolicy, 'default');
});
