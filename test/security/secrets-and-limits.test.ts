// No secret leaves Gatewire: API keys and tokens appear in no log line (pino JSON captured from
// buildApp's logger), no stored audit record and no error body. And the limits hold: per-caller
// rate limit (429 problem+json with Retry-After), bounded input schemas, and the start-up rules
// of the first run (loopback only without configured credentials).
import { spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import type { InjectOptions } from 'fastify';
import t from 'tap';
import { hashApiKey } from '../../src/auth/credentials.js';
import { buildTestApp, routeIntegrationUrl } from '../support/build-test-app.js';

const KEY = 'gw_secret-writer-key-Zq8vN3kP0sLw9XyT4bR7mC2dF6hJ1aE5uI';
const READ_KEY = 'gw_secret-reader-key-Hh3kL9pQ2wE7rT5yU1iO8aS4dF6gJ0zX';
const WRONG_KEY = 'gw_wrong-secret-key-Mm1nB2vC3xZ4aS5dF6gH7jK8lP9oI0uY';
const BEARER_TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJtYWxsb3J5In0.c2lnbmF0dXJlLXRoYXQtaXMtc2VjcmV0';
const SECRETS = [KEY, READ_KEY, WRONG_KEY, BEARER_TOKEN, hashApiKey(KEY), hashApiKey(READ_KEY)];

t.test('no key or token in logs, audit records or error bodies', async (t) => {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const ctx = await buildTestApp(t, {
    credential: false,
    logger: { level: 'trace', stream },
    env: {
      GATEWIRE_API_KEYS: JSON.stringify([
        { name: 'writer', sha256: hashApiKey(KEY), scopes: ['write'] },
        { name: 'reader', sha256: hashApiKey(READ_KEY), scopes: ['read'] },
      ]),
    },
  });
  const { app, apiId, auditStore, fake } = ctx;
  // Response headers, and error bodies. (A 200 answer to a change shows the integration as AWS now
  // holds it, header mappings included: that is the caller's own data, not a credential of theirs.)
  const bodies: string[] = [];
  const send = async (options: InjectOptions) => {
    const response = await app.inject(options);
    bodies.push(JSON.stringify(response.headers));
    if (response.statusCode >= 400) bodies.push(response.body);
    return response;
  };

  // A change whose body carries the key as a static header mapping, one by bearer, one refused.
  const withSecret = {
    backend: { type: 'http', url: 'https://backend.example.com/ws', method: 'POST' },
    requestParameters: { 'integration.request.header.Authorization': `'Bearer ${KEY}'`, 'integration.request.header.x-api-key': `'${KEY}'` },
  };
  t.equal((await send({ method: 'PUT', url: routeIntegrationUrl(apiId, 'one'), headers: { 'x-api-key': KEY }, payload: withSecret })).statusCode, 200);
  t.equal((await send({ method: 'PUT', url: routeIntegrationUrl(apiId, 'two'), headers: { authorization: `Bearer ${KEY}` }, payload: { backend: { type: 'mock' } } })).statusCode, 200);
  t.equal((await send({ method: 'PUT', url: routeIntegrationUrl(apiId, 'three'), headers: { 'x-api-key': READ_KEY }, payload: { backend: { type: 'mock' } } })).statusCode, 403);
  t.equal((await send({ method: 'GET', url: '/v1/apis', headers: { 'x-api-key': WRONG_KEY } })).statusCode, 401);
  t.equal((await send({ method: 'GET', url: '/v1/apis', headers: { authorization: `Bearer ${BEARER_TOKEN}` } })).statusCode, 401);
  t.equal((await send({ method: 'GET', url: '/v1/apis', headers: { authorization: `Basic ${KEY}` } })).statusCode, 401);
  // A validation failure and an AWS failure, each with the key in the request.
  t.equal((await send({ method: 'PUT', url: routeIntegrationUrl(apiId, 'bad'), headers: { 'x-api-key': KEY }, payload: { ...withSecret, timeoutInMillis: 1 } })).statusCode, 400);
  fake.inject({ operation: 'CreateIntegration', fault: 'server-error' });
  t.equal((await send({ method: 'PUT', url: routeIntegrationUrl(apiId, 'four'), headers: { 'x-api-key': KEY }, payload: withSecret })).statusCode, 502);
  // Logged explicitly by a handler-level logger call, the redaction paths still apply.
  app.log.info({ headers: { authorization: `Bearer ${KEY}`, 'x-api-key': KEY }, token: BEARER_TOKEN }, 'explicit');

  t.ok(lines.length > 10, `captured ${lines.length} log lines`);
  t.ok(lines.every((line) => typeof JSON.parse(line).reqId === 'string' || !/"req"|"res"/.test(line)), 'request lines are JSON with a request id');
  const records = JSON.stringify(await auditStore.list({ limit: 100 }));
  t.equal(auditStore.records().length, 3, 'records of the applied and the failed changes');
  for (const secret of SECRETS) {
    t.notOk(lines.some((line) => line.includes(secret)), `logs hold no ${secret.slice(0, 12)}…`);
    t.notOk(records.includes(secret), `audit records hold no ${secret.slice(0, 12)}…`);
    t.notOk(bodies.some((body) => body.includes(secret)), `error bodies and response headers hold no ${secret.slice(0, 12)}…`);
  }
  t.ok(lines.some((line) => line.includes('[redacted]')), 'the explicit line was redacted, not dropped');
  t.ok(records.includes('[redacted]'), 'the header mappings were redacted in the records');
  t.match(auditStore.records()[0], { actor: { id: 'writer', kind: 'api-key' } }, 'the actor is the key name, never the key');
});

t.test('the rate limit is per caller: 429 problem+json with Retry-After, others unaffected', async (t) => {
  const ctx = await buildTestApp(t, {
    credential: false,
    env: {
      GATEWIRE_RATE_LIMIT_MAX: '3',
      GATEWIRE_RATE_LIMIT_WINDOW_MS: '60000',
      GATEWIRE_API_KEYS: JSON.stringify([
        { name: 'writer', sha256: hashApiKey(KEY), scopes: ['write'] },
        { name: 'reader', sha256: hashApiKey(READ_KEY), scopes: ['read'] },
      ]),
    },
  });
  const get = (headers: Record<string, string>) => ctx.app.inject({ method: 'GET', url: `/v1/apis/${ctx.apiId}/routes`, headers });
  for (let i = 0; i < 3; i++) t.equal((await get({ 'x-api-key': KEY })).statusCode, 200);
  ctx.fake.resetCalls();
  const limited = await get({ 'x-api-key': KEY });
  t.equal(limited.statusCode, 429);
  t.match(limited.headers['content-type'], /^application\/problem\+json/);
  t.match(limited.json(), { status: 429, type: 'https://gatewire.dev/problems/rate-limited', title: 'Too Many Requests' });
  t.ok(Number(limited.headers['retry-after']) > 0, `Retry-After: ${limited.headers['retry-after']}`);
  t.same(ctx.fake.calls, [], 'a limited request reaches no AWS');
  t.equal((await get({ 'x-api-key': READ_KEY })).statusCode, 200, 'another caller from the same address is not limited');
  // Failed authentications count against the address: guessing keys is limited too.
  const guesses = [];
  for (let i = 0; i < 4; i++) guesses.push((await get({ 'x-api-key': `${WRONG_KEY}${i}` })).statusCode);
  t.same(guesses, [401, 401, 401, 429]);
  t.equal((await ctx.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200, 'probes are never limited');
});

t.test('requests that arrive together are counted one each (the library store handed them one shared counter)', async (t) => {
  const ctx = await buildTestApp(t, {
    credential: false,
    env: {
      GATEWIRE_RATE_LIMIT_MAX: '3',
      GATEWIRE_RATE_LIMIT_WINDOW_MS: '60000',
      GATEWIRE_API_KEYS: JSON.stringify([{ name: 'writer', sha256: hashApiKey(KEY), scopes: ['write'] }]),
    },
  });
  const get = (headers: Record<string, string>) => ctx.app.inject({ method: 'GET', url: `/v1/apis/${ctx.apiId}/routes`, headers });
  const statuses = async (headers: (i: number) => Record<string, string>) =>
    (await Promise.all([0, 1, 2, 3].map((i) => get(headers(i))))).map((reply) => reply.statusCode).sort();
  t.same(await statuses(() => ({ 'x-api-key': KEY })), [200, 200, 200, 429], 'a caller sending four at once gets three through');
  t.same(await statuses((i) => ({ 'x-api-key': `${WRONG_KEY}${i}` })), [401, 401, 401, 429], 'four guesses at once: three are checked');
});

t.test('every input (path, query string, body) is bounded: strings, arrays and maps', async (t) => {
  const { app } = await buildTestApp(t, { checkValidators: true });
  const document = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
  const unbounded: string[] = [];
  const walk = (schema: unknown, path: string): void => {
    if (schema === null || typeof schema !== 'object') return;
    if (Array.isArray(schema)) return schema.forEach((item, i) => walk(item, `${path}/${i}`));
    const s = schema as Record<string, unknown>;
    if (typeof s['$ref'] === 'string') return walk(document.components.schemas[(s['$ref'] as string).split('/').pop()!], path);
    if (s['type'] === 'array' && s['maxItems'] === undefined) unbounded.push(`${path}: array without maxItems`);
    if (s['type'] === 'string' && s['maxLength'] === undefined && !s['enum'] && s['const'] === undefined && !s['pattern'] && !s['format']) unbounded.push(`${path}: string without maxLength`);
    if ((typeof s['additionalProperties'] === 'object' || s['patternProperties']) && s['maxProperties'] === undefined) unbounded.push(`${path}: map without maxProperties`);
    for (const [key, value] of Object.entries(s)) if (key !== 'examples' && key !== 'example') walk(value, `${path}/${key}`);
  };
  let inputs = 0;
  for (const [url, operations] of Object.entries<Record<string, { parameters?: unknown[]; requestBody?: unknown }>>(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      for (const parameter of operation.parameters ?? []) {
        inputs++;
        walk((parameter as { schema: unknown }).schema, `${method} ${url} ${(parameter as { name: string }).name}`);
      }
      if (operation.requestBody) {
        inputs++;
        walk(operation.requestBody, `${method} ${url} body`);
      }
    }
  }
  t.ok(inputs > 30, `${inputs} inputs checked`);
  t.same(unbounded, [], 'no unbounded input');
});

/** src/server.ts in a child process, until it exits or prints its address. */
function runServer(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: new URL('../..', import.meta.url),
    env: { PATH: process.env['PATH'] ?? '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', PORT: '0', LOG_LEVEL: 'info', GATEWIRE_AUDIT_URL: 'sqlite::memory:', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (stdout.includes('Server listening at')) child.kill('SIGTERM');
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

t.test('first run: any address but loopback needs configured credentials; loopback gets a printed admin key', async (t) => {
  const [open, configured, loopback] = await Promise.all([
    runServer({ HOST: '0.0.0.0' }),
    runServer({ HOST: '0.0.0.0', GATEWIRE_API_KEYS: JSON.stringify([{ name: 'ops', sha256: hashApiKey(KEY), scopes: ['admin'] }]) }),
    runServer({ HOST: '127.0.0.1' }),
  ]);
  t.equal(open.code, 1, 'refuses to start');
  t.match(open.stderr, /HOST=0\.0\.0\.0 is not a loopback address and no caller credentials are configured: set GATEWIRE_API_KEYS/);
  t.match(configured.stdout, /Server listening at http:\/\/(?!127\.)[\d.]+:\d+/, 'with credentials it listens on every interface');
  t.notMatch(configured.stdout, /gw_/, 'and prints no key');
  const key = /^\s+(gw_[A-Za-z0-9_-]{43})$/m.exec(loopback.stdout)?.[1];
  t.ok(key, 'on loopback, an admin key is printed');
  t.match(loopback.stdout, /GATEWIRE_API_KEYS/, 'with a note on configuring real keys');
  t.equal(loopback.stdout.split(key!).length, 2, 'exactly once');
  t.match(loopback.stdout, /Server listening at http:\/\/127\.0\.0\.1:\d+/);
});
