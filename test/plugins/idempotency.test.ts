// Idempotency-Key on the /v1 mutations (plugins/idempotency.ts), driven through the real SDK into
// the fake: the fake's call log says how often the request really ran, the audit store how often
// it was recorded.
import { Writable } from 'node:stream';
import t from 'tap';
import { createInProcessLock } from '../../src/audit/locks.js';
import { createMemoryIdempotencyStore } from '../../src/audit/memory-idempotency-store.js';
import { createMemoryAuditStore } from '../../src/audit/memory-store.js';
import { hashApiKey } from '../../src/auth/credentials.js';
import { loadConfig } from '../../src/config.js';
import { openAuditStore } from '../../src/dependencies.js';
import { buildTestApp, TEST_API_KEY, TEST_API_KEY_NAME, type TestApp } from '../support/build-test-app.js';
import { startFakeAws, type FakeAws } from '../support/fake-aws/index.js';
import { createTestSchema } from '../support/postgres.js';
import { assertProblem } from '../support/problems.js';
import type { TestContext } from '../support/tap.js';

const MOCK = { integrationType: 'MOCK', requestTemplates: { 'application/json': '{"statusCode":200}' } };
const OTHER_KEY = 'gw_test-other-key-0123456789abcdefghijklmnopqrstuvwxyz';
const TWO_CALLERS_ENV = {
  GATEWIRE_API_KEYS: JSON.stringify([
    { name: TEST_API_KEY_NAME, sha256: hashApiKey(TEST_API_KEY), scopes: ['admin'] },
    { name: 'other', sha256: hashApiKey(OTHER_KEY), scopes: ['write'] },
  ]),
};

const integrationsUrl = (apiId: string, query = '') => `/v1/apis/${apiId}/integrations${query}`;

function post(ctx: Pick<TestApp, 'app' | 'apiId'>, key: string | undefined, body: object = MOCK, headers: Record<string, string> = {}) {
  return ctx.app.inject({
    method: 'POST',
    url: integrationsUrl(ctx.apiId),
    payload: body,
    headers: { ...(key === undefined ? {} : { 'idempotency-key': key }), ...headers },
  });
}

/** The AWS calls about this test's API (the shared fake may still answer an earlier test's stragglers). */
const callsFor = (ctx: TestApp) => ctx.fake.calls.filter((call) => call.path.includes(ctx.apiId)).map((call) => call.operation);

const creates = (fake: FakeAws) => fake.calls.filter((call) => call.operation === 'CreateIntegration').length;

/** A clock the test moves by hand. */
function manualClock(start = Date.parse('2025-06-01T12:00:00.000Z')) {
  let now = start;
  return { now: () => new Date(now), advance: (ms: number) => void (now += ms) };
}

/** Resolves once the fake has received `count` CreateIntegration calls (the last still held by a latency fault). */
async function createArrived(fake: FakeAws, count = 1): Promise<void> {
  for (let i = 0; i < 500; i += 1) {
    if (creates(fake) >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`CreateIntegration call ${count} never arrived`);
}

// One app for the tests that need nothing of their own (building one takes about a second); each
// test takes a fresh API, so that its call counts and audit records are its own.
const shared = await buildTestApp(t, { checkValidators: true, env: TWO_CALLERS_ENV });
function freshApi(): TestApp {
  shared.fake.resetCalls();
  shared.fake.clearFaults();
  return { ...shared, apiId: shared.fake.seedApi({ name: 'chat' }) };
}
const recordsOf = (ctx: TestApp) => ctx.auditStore.records().filter((record) => record.apiId === ctx.apiId);

t.test('a repeat with the same key is replayed: one AWS call, one audit record', async (t) => {
  const ctx = freshApi();
  const first = await post(ctx, 'create-mock-1');
  t.equal(first.statusCode, 201, first.body.slice(0, 300));
  t.notOk(first.headers['idempotent-replayed'], 'the first response is not a replay');

  const second = await post(ctx, 'create-mock-1');
  t.equal(second.statusCode, 201);
  t.equal(second.headers['idempotent-replayed'], 'true');
  t.equal(second.body, first.body, 'the same body, byte for byte');
  t.equal(second.headers['content-type'], first.headers['content-type']);
  t.equal(creates(ctx.fake), 1, 'the fake saw one CreateIntegration');
  t.equal(ctx.fake.api(ctx.apiId).integrations.length, 1, 'one integration exists');
  const records = recordsOf(ctx);
  t.equal(records.length, 1, 'one audit record');
  t.equal(records[0]?.idempotencyKey, 'create-mock-1', 'which names the key');

  // Key order and whitespace do not make another request.
  const reordered = await ctx.app.inject({
    method: 'POST',
    url: integrationsUrl(ctx.apiId),
    headers: { 'idempotency-key': 'create-mock-1', 'content-type': 'application/json' },
    payload: `{ "requestTemplates": {"application/json":"{\\"statusCode\\":200}"}, "integrationType": "MOCK" }`,
  });
  t.equal(reordered.headers['idempotent-replayed'], 'true', 'the same JSON in another key order is the same request');

  // Without a key, each request runs.
  await post(ctx, undefined);
  await post(ctx, undefined);
  t.equal(creates(ctx.fake), 3, 'requests without a key are not deduplicated');
});

t.test('the same key with a different request is a 422, and nothing runs', async (t) => {
  const ctx = freshApi();
  t.equal((await post(ctx, 'k-422')).statusCode, 201);
  ctx.fake.resetCalls();
  const records = ctx.auditStore.records().length;

  const otherBody = await post(ctx, 'k-422', { ...MOCK, description: 'another' });
  const problem = assertProblem(t, otherBody, 422);
  t.match(problem.detail, /Idempotency-Key was already used for a different request/);
  t.equal(problem.type, 'https://gatewire.dev/problems/idempotency-key-reused');
  const otherQuery = await ctx.app.inject({
    method: 'POST',
    url: integrationsUrl(ctx.apiId, '?dryRun=true'),
    payload: MOCK,
    headers: { 'idempotency-key': 'k-422' },
  });
  assertProblem(t, otherQuery, 422);
  const otherMethod = await ctx.app.inject({ method: 'PUT', url: `/v1/apis/${ctx.apiId}/routes/r/integration`, payload: { backend: { type: 'mock' } }, headers: { 'idempotency-key': 'k-422' } });
  assertProblem(t, otherMethod, 422);
  t.same(callsFor(ctx), [], 'no AWS call');
  t.equal(ctx.auditStore.records().length, records, 'no audit record');
});

t.test('a repeat while the first is still running is a 409 with Retry-After: 1', async (t) => {
  const ctx = freshApi();
  ctx.fake.inject({ operation: 'CreateIntegration', fault: 'latency', latencyMs: 400, times: 1 });
  const first = post(ctx, 'slow');
  await createArrived(ctx.fake);

  const during = await post(ctx, 'slow');
  const problem = assertProblem(t, during, 409);
  t.match(problem.detail, /still being processed/);
  t.equal(during.headers['retry-after'], '1');

  const done = await first;
  t.equal(done.statusCode, 201, 'the first request finishes normally');
  const after = await post(ctx, 'slow');
  t.equal(after.statusCode, 201);
  t.equal(after.headers['idempotent-replayed'], 'true', 'once finished, the repeat is a replay');
  t.equal(after.body, done.body);
  t.equal(creates(ctx.fake), 1, 'one CreateIntegration in all');
});

t.test('a key expires after GATEWIRE_IDEMPOTENCY_TTL_SECONDS', async (t) => {
  const clock = manualClock();
  const ctx = await buildTestApp(t, { checkValidators: true, clock, env: { GATEWIRE_IDEMPOTENCY_TTL_SECONDS: '60' } });
  ctx.fake.resetCalls();
  const first = await post(ctx, 'k-ttl');
  t.equal(first.statusCode, 201);

  clock.advance(59_000);
  t.equal((await post(ctx, 'k-ttl')).headers['idempotent-replayed'], 'true', 'replayed within the TTL');
  // An expired key is as good as absent, even for a different request.
  clock.advance(1_000);
  const again = await post(ctx, 'k-ttl', { ...MOCK, description: 'after expiry' });
  t.equal(again.statusCode, 201, 'after the TTL the key runs a request again');
  t.notOk(again.headers['idempotent-replayed']);
  t.equal(creates(ctx.fake), 2, 'two CreateIntegration calls');
  t.not(again.json().integration.integrationId, first.json().integration.integrationId, 'a second integration');
});

t.test('GATEWIRE_IDEMPOTENCY_TTL_SECONDS is validated like every variable', async (t) => {
  t.equal(loadConfig({}).idempotencyTtlSeconds, 86_400, 'one day by default');
  t.equal(loadConfig({ GATEWIRE_IDEMPOTENCY_TTL_SECONDS: '3600' }).idempotencyTtlSeconds, 3600);
  for (const bad of ['59', 'soon', String(31 * 86_400)]) {
    t.throws(() => loadConfig({ GATEWIRE_IDEMPOTENCY_TTL_SECONDS: bad }), { name: 'ConfigError', message: /GATEWIRE_IDEMPOTENCY_TTL_SECONDS/ }, `${bad} is refused`);
  }
});

t.test('keys are scoped to the caller', async (t) => {
  const ctx = freshApi();
  const mine = await post(ctx, 'shared-key');
  const theirs = await post(ctx, 'shared-key', MOCK, { 'x-api-key': OTHER_KEY });
  t.equal(mine.statusCode, 201);
  t.equal(theirs.statusCode, 201);
  t.notOk(theirs.headers['idempotent-replayed'], 'the other caller is not served my response');
  t.not(theirs.json().integration.integrationId, mine.json().integration.integrationId);
  // Nor does a different body from the other caller collide with mine.
  t.equal((await post(ctx, 'shared-key', { ...MOCK, description: 'x' }, { 'x-api-key': OTHER_KEY })).statusCode, 422, 'but their own key holds their request');
  t.equal(creates(ctx.fake), 2);
  const actors = recordsOf(ctx).map((record) => record.actor.id).sort();
  t.same(actors, ['other', TEST_API_KEY_NAME].sort(), 'one record per caller');
});

t.test('responses worth retrying release the key; other failures are kept', async (t) => {
  const ctx = freshApi();
  // Twice: a create that answered 5xx is looked up, found missing and sent once more before it fails.
  ctx.fake.inject({ operation: 'CreateIntegration', fault: 'server-error', times: 2 });
  const failed = await post(ctx, 'k-5xx');
  assertProblem(t, failed, 502);
  const retried = await post(ctx, 'k-5xx');
  t.equal(retried.statusCode, 201, 'the retry ran again and succeeded');
  t.notOk(retried.headers['idempotent-replayed']);
  t.equal(creates(ctx.fake), 3, 'three CreateIntegration calls: the failed two and the retry');

  ctx.fake.inject({ operation: 'CreateIntegration', fault: 'throttle', times: 1 });
  assertProblem(t, await post(ctx, 'k-throttled', { ...MOCK, description: 't' }), 503);
  t.equal((await post(ctx, 'k-throttled', { ...MOCK, description: 't' })).statusCode, 201, 'a 503 releases the key too');

  // A 404 is an answer, not a failure to retry: it is kept and replayed.
  const missing = { app: ctx.app, apiId: 'nosuchapi1' };
  const notFound = await post(missing, 'k-404');
  assertProblem(t, notFound, 404);
  const replayed = await post(missing, 'k-404');
  t.equal(replayed.statusCode, 404);
  t.equal(replayed.headers['idempotent-replayed'], 'true');
  t.equal(replayed.body, notFound.body);
  t.match(replayed.headers['content-type'], /^application\/problem\+json/);
});

t.test('with the key store down, a request with a key is refused (503) and nothing runs', async (t) => {
  const idempotency = createMemoryIdempotencyStore();
  const ctx = await buildTestApp(t, { checkValidators: true, audit: { store: createMemoryAuditStore(), lock: createInProcessLock(), idempotency } });
  ctx.fake.resetCalls();
  idempotency.setUnavailable(true);
  const refused = await post(ctx, 'k-down');
  assertProblem(t, refused, 503);
  t.same(callsFor(ctx), [], 'no AWS call: running without the claim could run the change twice');
  t.equal((await post(ctx, undefined)).statusCode, 201, 'a request without a key does not need the store');
  idempotency.setUnavailable(false);
  t.equal((await post(ctx, 'k-down')).statusCode, 201, 'once the store is back, the key runs');
  t.equal(idempotency.size(), 1, 'and is kept');
});

t.test('a malformed key is a 400 naming the header; nothing is claimed', async (t) => {
  const ctx = freshApi();
  for (const [label, key] of [
    ['empty', ''],
    ['256 characters', 'k'.repeat(256)],
  ] as const) {
    const response = await post(ctx, key);
    const problem = assertProblem(t, response, 400);
    t.match(problem.errors, [{ path: '/headers/idempotency-key' }], `${label}: names the header`);
  }
  t.same(callsFor(ctx), [], 'no AWS call');
  t.equal((await post(ctx, 'k'.repeat(255))).statusCode, 201, '255 characters is fine');
  t.equal((await post(ctx, '"quoted key" with spaces ~!')).statusCode, 201, 'any printable ASCII is fine');
});

t.test('unauthenticated requests never touch the key', async (t) => {
  const ctx = freshApi();
  const denied = await post(ctx, 'k-auth', MOCK, { 'x-api-key': 'not-a-key' });
  assertProblem(t, denied, 401);
  // Had the 401 claimed the key, this would be a 409 or a replayed 401.
  const allowed = await post(ctx, 'k-auth');
  t.equal(allowed.statusCode, 201);
  t.notOk(allowed.headers['idempotent-replayed']);
});

t.test('logs never hold the request body', async (t) => {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const ctx = await buildTestApp(t, { checkValidators: true, logger: { level: 'trace', stream } });
  const marker = 'body-marker-4f1c9a';
  const body = { ...MOCK, description: marker };
  t.equal((await post(ctx, 'k-log', body)).statusCode, 201);
  t.equal((await post(ctx, 'k-log', body)).headers['idempotent-replayed'], 'true');
  assertProblem(t, await post(ctx, 'k-log', { ...body, description: `${marker}-2` }), 422);
  t.ok(lines.some((line) => line.includes('idempotent replay')), 'the replay is logged');
  t.notOk(lines.some((line) => line.includes(marker)), 'no log line holds the body');
});

t.test('the OpenAPI document shows the header and the 409/422 problems on every mutation', async (t) => {
  const ctx = freshApi();
  await ctx.app.ready();
  const document = ctx.app.swagger() as unknown as { paths: Record<string, Record<string, { parameters?: { in: string; name: string }[]; responses: Record<string, unknown> }>> };
  let mutations = 0;
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const hasKey = (operation.parameters ?? []).some((parameter) => parameter.in === 'header' && parameter.name === 'idempotency-key');
      if (!path.startsWith('/v1') || method === 'get' || method === 'head') {
        t.notOk(hasKey, `${method} ${path} has no Idempotency-Key`);
        continue;
      }
      mutations += 1;
      t.ok(hasKey, `${method} ${path} documents Idempotency-Key`);
      t.ok(operation.responses['409'] && operation.responses['422'], `${method} ${path} documents 409 and 422`);
    }
  }
  t.ok(mutations >= 8, `found the mutations (${mutations})`);
});

/** Two app instances sharing one PostgreSQL schema (as production with several containers). */
async function twoInstances(t: TestContext) {
  const fake = await startFakeAws();
  t.teardown(() => fake.close());
  const { url } = await createTestSchema(t, 'idempotency');
  const [auditA, auditB] = await Promise.all([openAuditStore({ auditUrl: url }), openAuditStore({ auditUrl: url })]);
  const a = await buildTestApp(t, { checkValidators: true, fake, audit: auditA });
  const b = await buildTestApp(t, { checkValidators: true, fake, audit: auditB });
  return { fake, a, b: { ...b, apiId: a.apiId }, auditA };
}

t.test('two instances on one PostgreSQL database share the keys', async (t) => {
  const { fake, a, b, auditA } = await twoInstances(t);
  fake.resetCalls();

  const first = await post(a, 'pg-replay');
  t.equal(first.statusCode, 201, first.body.slice(0, 300));
  const replayed = await post(b, 'pg-replay');
  t.equal(replayed.statusCode, 201);
  t.equal(replayed.headers['idempotent-replayed'], 'true', 'the other instance replays it');
  t.equal(replayed.body, first.body);
  t.equal(creates(fake), 1, 'one CreateIntegration');

  fake.inject({ operation: 'CreateIntegration', fault: 'latency', latencyMs: 400, times: 1 });
  const slow = post(a, 'pg-slow');
  await createArrived(fake, 2);
  const during = await post(b, 'pg-slow');
  assertProblem(t, during, 409);
  t.equal(during.headers['retry-after'], '1');
  t.equal((await slow).statusCode, 201);
  t.equal((await post(b, 'pg-slow')).headers['idempotent-replayed'], 'true', 'replayed by the other instance once done');
  t.equal(creates(fake), 2, 'each key ran once');
  const records = (await auditA.store.list({ apiId: a.apiId, limit: 50 })).items;
  t.equal(records.length, 2, 'one audit record per key');

  // Both instances race for one key: exactly one runs.
  fake.inject({ operation: 'CreateIntegration', fault: 'latency', latencyMs: 200, times: 1 });
  const race = await Promise.all([post(a, 'pg-race'), post(b, 'pg-race'), post(a, 'pg-race'), post(b, 'pg-race')]);
  const ran = race.filter((response) => response.statusCode === 201 && response.headers['idempotent-replayed'] !== 'true');
  const summary = race.map((response) => `${response.statusCode}${response.headers['idempotent-replayed'] ? ' replayed' : ''}`).join(', ');
  t.equal(ran.length, 1, `one request ran (${summary})`);
  t.ok(
    race.every((response) => response === ran[0] || response.statusCode === 409 || response.headers['idempotent-replayed'] === 'true'),
    'the others were refused (409) or replayed',
  );
  t.equal(creates(fake), 3, 'one more CreateIntegration');
});
