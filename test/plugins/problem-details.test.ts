// The problem-details plugin on a tiny Fastify app: each domain error kind maps to one status and
// type, throttling carries Retry-After, unexpected errors leak nothing, unknown paths are 404, and
// schema failures and Fastify's own client errors are problem+json too.
import Fastify, { type FastifyInstance } from 'fastify';
import t from 'tap';
import { DomainError, validationError, type ErrorKind } from '../../src/domain/errors.js';
import { installProblemDetails, problemFrameworkErrors } from '../../src/plugins/problem-details.js';
import { schemaCompilers } from '../../src/validation.js';
import type { TestContext } from '../support/tap.js';

const TYPES = 'https://gatewire.dev/problems/';

const KINDS: [ErrorKind, number][] = [
  ['validation', 400],
  ['unauthenticated', 401],
  ['forbidden', 403],
  ['not-found', 404],
  ['conflict', 409],
  ['precondition-failed', 412],
  ['aws-bad-request', 400],
  ['throttled', 503],
  ['upstream', 502],
  ['audit-unavailable', 503],
];

const SECRET = 'password=hunter2 at db.internal:5432';

async function tinyApp(t: TestContext, options: { frameworkErrors?: boolean } = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    bodyLimit: 1024,
    routerOptions: { maxParamLength: 24 },
    schemaController: schemaCompilers(),
    ...(options.frameworkErrors ? { frameworkErrors: problemFrameworkErrors } : {}),
  });
  installProblemDetails(app);
  app.get<{ Params: { kind: ErrorKind } }>('/kinds/:kind', async (request) => {
    throw new DomainError(request.params.kind, `a ${request.params.kind} failure`);
  });
  app.get('/aws', async () => {
    const error = new DomainError('conflict', 'Route with key x already exists', {
      aws: { error: 'ConflictException', requestId: 'req-aws-1' },
    });
    error.auditId = 'audit-1';
    throw error;
  });
  app.get('/throttled', async () => {
    throw new DomainError('throttled', 'slow down', { retryAfterSeconds: 1.2, aws: { error: 'TooManyRequestsException' } });
  });
  app.get('/invalid', async () => {
    throw validationError([
      { path: '/backend/url', message: 'must be an absolute http:// or https:// URL' },
      { path: '/timeoutInMillis', message: 'must be an integer between 50 and 29000 ms' },
    ]);
  });
  app.get('/boom', async () => {
    throw new Error(SECRET);
  });
  app.get('/boom-string', async () => {
    throw SECRET;
  });
  app.get('/boom-5xx', async () => {
    throw Object.assign(new Error(SECRET), { statusCode: 503 });
  });
  app.get('/params/:id', async () => ({ ok: true }));
  app.post(
    '/schema',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['kind'],
          properties: {
            kind: {
              type: 'object',
              required: ['type'],
              discriminator: { propertyName: 'type' },
              oneOf: [
                { type: 'object', properties: { type: { const: 'a' } } },
                { type: 'object', properties: { type: { const: 'b' } } },
              ],
            },
            version: { const: '1.0' },
            templates: {
              type: 'object',
              additionalProperties: { type: 'string' },
              propertyNames: { minLength: 1, maxLength: 8 },
            },
          },
        },
      },
    },
    async () => ({ ok: true }),
  );
  t.teardown(() => app.close());
  return app;
}

function problemOf(t: TestContext, response: { statusCode: number; headers: Record<string, unknown>; body: string }, status: number) {
  t.equal(response.statusCode, status, response.body.slice(0, 300));
  t.match(String(response.headers['content-type']), /^application\/problem\+json/);
  const problem = JSON.parse(response.body) as Record<string, unknown> & { errors?: { path: string; message: string }[] };
  t.match(problem, { type: String, title: String, status, instance: String });
  return problem;
}

t.test('each domain error kind maps to its status and type', async (t) => {
  const app = await tinyApp(t);
  for (const [kind, status] of KINDS) {
    const problem = problemOf(t, await app.inject({ method: 'GET', url: `/kinds/${kind}` }), status);
    t.equal(problem.type, `${TYPES}${kind}`, `${kind} -> ${status}`);
    t.equal(problem.detail, `a ${kind} failure`, 'the domain message is the detail');
    t.notOk('errors' in problem, 'no errors array without violations');
  }
});

t.test('AWS failures carry aws and auditId', async (t) => {
  const app = await tinyApp(t);
  const problem = problemOf(t, await app.inject({ method: 'GET', url: '/aws' }), 409);
  t.same(problem.aws, { error: 'ConflictException', requestId: 'req-aws-1' });
  t.equal(problem.auditId, 'audit-1');
});

t.test('throttled sets Retry-After, rounded up to whole seconds', async (t) => {
  const app = await tinyApp(t);
  const response = await app.inject({ method: 'GET', url: '/throttled' });
  const problem = problemOf(t, response, 503);
  t.equal(problem.type, `${TYPES}throttled`);
  t.equal(response.headers['retry-after'], '2');
  const plain = await app.inject({ method: 'GET', url: '/kinds/upstream' });
  t.notOk(plain.headers['retry-after'], 'no Retry-After when the error names no delay');
});

t.test('a validation error lists every violation', async (t) => {
  const app = await tinyApp(t);
  const problem = problemOf(t, await app.inject({ method: 'GET', url: '/invalid' }), 400);
  t.equal(problem.type, `${TYPES}validation`);
  t.same(problem.errors?.map((e) => e.path), ['/backend/url', '/timeoutInMillis']);
  t.match(problem.detail, /2 fields are invalid/);
});

t.test('an unexpected error is a 500 that does not leak its message', async (t) => {
  const app = await tinyApp(t);
  for (const url of ['/boom', '/boom-string', '/boom-5xx']) {
    const response = await app.inject({ method: 'GET', url });
    const problem = problemOf(t, response, 500);
    t.equal(problem.type, `${TYPES}internal`, url);
    t.notMatch(response.body, /hunter2|db\.internal/, `${url}: the error's message stays in the logs`);
    t.match(problem.detail, /request id/);
  }
});

t.test('an unknown path is a 404 problem', async (t) => {
  const app = await tinyApp(t);
  const problem = problemOf(t, await app.inject({ method: 'GET', url: '/v1/nowhere' }), 404);
  t.equal(problem.type, `${TYPES}route-not-found`);
  t.match(problem.detail, /GET \/v1\/nowhere/);
});

t.test("Fastify's own client errors keep their status, with a human title", async (t) => {
  const app = await tinyApp(t);
  const badJson = problemOf(t, await app.inject({ method: 'POST', url: '/schema', headers: { 'content-type': 'application/json' }, payload: '{' }), 400);
  t.equal(badJson.type, `${TYPES}FST_ERR_CTP_INVALID_JSON_BODY`);
  t.equal(badJson.title, 'Bad Request');
  const tooLarge = problemOf(
    t,
    await app.inject({ method: 'POST', url: '/schema', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ x: 'x'.repeat(2000) }) }),
    413,
  );
  t.equal(tooLarge.type, `${TYPES}FST_ERR_CTP_BODY_TOO_LARGE`);
  t.equal(tooLarge.title, 'Payload Too Large');
  const mediaType = problemOf(t, await app.inject({ method: 'POST', url: '/schema', headers: { 'content-type': 'application/xml' }, payload: '<a/>' }), 415);
  t.equal(mediaType.type, `${TYPES}FST_ERR_CTP_INVALID_MEDIA_TYPE`);
});

t.test('schema failures name the field and the rule', async (t) => {
  const app = await tinyApp(t);
  const post = async (payload: object) =>
    problemOf(t, await app.inject({ method: 'POST', url: '/schema', payload }), 400).errors ?? [];

  t.same(await post({ kind: {} }), [{ path: '/kind/type', message: "must have required property 'type'" }], 'a missing tag is reported once');
  t.same(await post({ kind: { type: 'z' } }), [{ path: '/kind/type', message: 'must be one of a, b (got "z")' }], 'an unknown tag names the known ones');
  t.same(await post({ kind: { type: 'a' }, version: '2.0' }), [{ path: '/version', message: 'must be "1.0"' }], 'const names its value');
  t.same(
    await post({ kind: { type: 'a' }, templates: { '': 'x', 'a/very/long': 'y' } }),
    [
      { path: '/templates/', message: 'key must NOT have fewer than 1 characters' },
      { path: '/templates/a~1very~1long', message: 'key must NOT have more than 8 characters' },
    ],
    'a bad key is named by its own path, once',
  );
  t.same(
    await post({ kind: { type: 'a' }, 'x/y~z': 1 }),
    [{ path: '/x~1y~0z', message: 'is not a known field' }],
    'an unknown field is named as a JSON pointer segment',
  );
});

t.test('router errors with frameworkErrors: problemFrameworkErrors', async (t) => {
  const app = await tinyApp(t, { frameworkErrors: true });
  const badUrl = problemOf(t, await app.inject({ method: 'GET', url: '/params/%E0%A4%A' }), 400);
  t.equal(badUrl.type, `${TYPES}FST_ERR_BAD_URL`);
  const tooLong = problemOf(t, await app.inject({ method: 'GET', url: `/params/${'p'.repeat(25)}` }), 414);
  t.equal(tooLong.type, `${TYPES}FST_ERR_MAX_PARAM_LENGTH`);
  const fine = await app.inject({ method: 'GET', url: '/params/ok' });
  t.equal(fine.statusCode, 200);
});
