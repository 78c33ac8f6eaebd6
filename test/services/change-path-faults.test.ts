// The change path's fault handling (DESIGN §3 steps 5–8, the audit issue's "done when"): the real
// SDK against the wire-level fake, failing the Nth AWS write of a change. Afterwards the fake's
// state equals the state before (compensations ran in reverse) and the audit record says how the
// change ended, with every AWS call it made.
import t from 'tap';
import type { AuditRecord } from '../../src/domain/audit.js';
import { buildTestApp, routeIntegrationUrl, type TestApp } from '../support/build-test-app.js';
import type { FaultRule } from '../support/fake-aws/index.js';
import type { TestContext } from '../support/tap.js';

// A NEW two-way mock route with a $default integration response: four writes, in this order.
const TWO_WAY_MOCK = {
  backend: { type: 'mock' },
  requestTemplates: { 'application/json': '{"statusCode":200}' },
  responses: { $default: { responseTemplates: { 'application/json': '{"pong":true}' } } },
  returnResponse: true,
};
const WRITES = ['CreateIntegration', 'CreateIntegrationResponse', 'CreateRoute', 'CreateRouteResponse'] as const;
const WRITE_OPERATION = /^(Create|Update|Delete)/;

async function getRecord(t: TestContext, ctx: TestApp, auditId: string): Promise<AuditRecord> {
  const response = await ctx.app.inject({ method: 'GET', url: `/v1/audit/${auditId}` });
  t.equal(response.statusCode, 200, `GET /v1/audit/${auditId}`);
  return response.json() as AuditRecord;
}

/** PUTs `body` to `routeKey` with `faults` injected; checks the problem and returns it with the record. */
async function failingPut(t: TestContext, ctx: TestApp, routeKey: string, body: object, faults: FaultRule[]) {
  for (const fault of faults) ctx.fake.inject(fault);
  ctx.fake.resetCalls();
  const response = await ctx.app.inject({ method: 'PUT', url: routeIntegrationUrl(ctx.apiId, routeKey), payload: body });
  t.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8', 'a problem+json answer');
  const problem = response.json();
  t.ok(problem.auditId, 'the problem names the audit record');
  const record = await getRecord(t, ctx, problem.auditId);
  return { response, problem, record };
}

/** The audit record's write calls must be exactly the fake's, with its request ids and outcomes. */
function checkAwsCalls(t: TestContext, ctx: TestApp, record: AuditRecord) {
  const fakeWrites = ctx.fake.writes().map((call) => ({
    operation: call.operation,
    requestId: call.requestId,
    outcome: call.status >= 200 && call.status < 300 ? 'ok' : 'error',
  }));
  const recordWrites = record.awsCalls
    .filter((call) => WRITE_OPERATION.test(call.operation))
    .map((call) => ({ operation: call.operation, requestId: call.requestId, outcome: call.outcome }));
  t.same(recordWrites, fakeWrites, 'awsCalls lists every write with its operation, request id and outcome');
  const fakeIds = new Set(ctx.fake.calls.map((call) => call.requestId));
  t.ok(
    record.awsCalls.every((call) => call.requestId !== undefined && fakeIds.has(call.requestId)),
    'every recorded call (reads too) carries the request id AWS sent',
  );
  t.equal(record.awsCalls.length, ctx.fake.calls.length, 'one entry per call the fake saw');
}

t.test('failing the Nth write of a four-step PUT rolls back to the state before', async (t) => {
  for (const nth of [2, 3, 4]) {
    await t.test(`write ${nth} (${WRITES[nth - 1]}) fails`, async (t) => {
      const ctx = await buildTestApp(t);
      const before = ctx.fake.snapshot();
      const { response, problem, record } = await failingPut(t, ctx, 'ping', TWO_WAY_MOCK, [
        { operation: WRITES[nth - 1], fault: 'server-error' },
      ]);
      t.equal(response.statusCode, 502, 'an AWS 500 is a 502');
      t.match(problem, { status: 502, type: /upstream$/, aws: { error: 'InternalServerError' } });
      // A 5xx on a create is ambiguous: Gatewire looks for what it may have created, finds
      // nothing, and sends the create once more (DESIGN §3); the answer names the last attempt.
      const failedCall = ctx.fake.writes().findLast((call) => call.status === 500);
      t.equal(problem.aws.requestId, failedCall?.requestId, "the problem carries AWS's request id of the last attempt");

      t.same(ctx.fake.snapshot(), before, 'AWS is as it was before the change');
      t.equal(record.status, 'rolled_back');
      t.notOk(record.leftovers, 'nothing is left over');
      t.match(record.error, { kind: 'upstream', aws: { error: 'InternalServerError', requestId: failedCall?.requestId } });

      const writes = ctx.fake.writes().map((call) => `${call.operation}:${call.status}`);
      const undo: Record<string, string> = {
        CreateIntegration: 'DeleteIntegration:204',
        CreateIntegrationResponse: 'DeleteIntegrationResponse:204',
        CreateRoute: 'DeleteRoute:204',
      };
      const done = WRITES.slice(0, nth - 1);
      t.same(
        writes,
        [
          ...done.map((op) => `${op}:201`),
          `${WRITES[nth - 1]}:500`,
          `${WRITES[nth - 1]}:500`,
          ...[...done].reverse().map((op) => undo[op]),
        ],
        'the completed writes, the failed one sent twice, then their undoing in reverse',
      );
      checkAwsCalls(t, ctx, record);
    });
  }
});

t.test('a compensation that fails too leaves a partial record naming the leftover', async (t) => {
  const ctx = await buildTestApp(t);
  const before = ctx.fake.snapshot();
  const { response, record } = await failingPut(t, ctx, 'ping', TWO_WAY_MOCK, [
    { operation: 'CreateRoute', fault: 'server-error' },
    { operation: 'DeleteIntegration', fault: 'server-error' },
  ]);
  t.equal(response.statusCode, 502, 'the error is the step that failed, not the undo');
  t.equal(record.status, 'partial');
  t.equal(record.leftovers?.length, 1, 'one thing is left');
  t.match(record.leftovers?.[0], /^create-integration: .*undo failed: InternalServerError/, 'the leftover names the step and why');

  const left = ctx.fake.api(ctx.apiId).integrations;
  t.equal(left.length, 1, 'the integration is still in AWS');
  t.same(ctx.fake.api(ctx.apiId).integrationResponses(left[0]!.integrationId), [], 'its response was undone');
  t.same(ctx.fake.api(ctx.apiId).routes, [], 'no route was left');
  t.notSame(ctx.fake.snapshot(), before);
  checkAwsCalls(t, ctx, record);
});

t.test('a failure on the first write: failed, nothing changed', async (t) => {
  const ctx = await buildTestApp(t);
  const before = ctx.fake.snapshot();
  const { response, record } = await failingPut(t, ctx, 'ping', TWO_WAY_MOCK, [
    { operation: 'CreateIntegration', fault: 'server-error' },
  ]);
  t.equal(response.statusCode, 502);
  t.equal(record.status, 'failed');
  t.same(ctx.fake.snapshot(), before);
  t.same(
    ctx.fake.writes().map((call) => `${call.operation}:${call.status}`),
    ['CreateIntegration:500', 'CreateIntegration:500'],
    'sent once more after the ambiguous 500, and no compensation was needed',
  );
  checkAwsCalls(t, ctx, record);
});

t.test('rolling back a change to an EXISTING route restores it exactly', async (t) => {
  const ctx = await buildTestApp(t);
  // A route that exists but has no backend: bind it, then unbind (DELETE keeps the route).
  const bind = await ctx.app.inject({ method: 'PUT', url: routeIntegrationUrl(ctx.apiId, 'ping'), payload: { backend: { type: 'mock' } } });
  t.equal(bind.statusCode, 200);
  const unbind = await ctx.app.inject({ method: 'DELETE', url: routeIntegrationUrl(ctx.apiId, 'ping') });
  t.equal(unbind.statusCode, 200);
  t.notOk(ctx.fake.api(ctx.apiId).route('ping')?.target, 'the route exists, unbound');

  const before = ctx.fake.snapshot();
  const { response, record } = await failingPut(t, ctx, 'ping', TWO_WAY_MOCK, [
    { operation: 'CreateRouteResponse', fault: 'server-error' },
  ]);
  t.equal(response.statusCode, 502);
  t.equal(record.status, 'rolled_back');
  t.notOk(ctx.fake.api(ctx.apiId).route('ping')?.target, 'unbound again');
  t.same(ctx.fake.api(ctx.apiId).integrations, [], 'no integration left');
  // The undo writes '' where the route had no expression: API Gateway clears a field set to ''
  // (as it does for target), so the route is back exactly as it was.
  t.same(ctx.fake.snapshot(), before, 'the route is back exactly as it was');
});

t.test('rolling back an update of a bound route restores its integration', async (t) => {
  const ctx = await buildTestApp(t);
  const first = await ctx.app.inject({
    method: 'PUT',
    url: routeIntegrationUrl(ctx.apiId, 'ping'),
    payload: { backend: { type: 'http', url: 'https://a.example.com/', method: 'POST' }, timeoutInMillis: 5000 },
  });
  t.equal(first.statusCode, 200);
  const before = ctx.fake.snapshot();
  const { response, record } = await failingPut(
    t,
    ctx,
    'ping',
    { backend: { type: 'http', url: 'https://b.example.com/', method: 'POST' }, timeoutInMillis: 6000, returnResponse: true },
    // Once: a 5xx leaves the update's outcome unknown, so the undo writes the route's old
    // values back (a second UpdateRoute), which must be allowed to succeed here.
    [{ operation: 'UpdateRoute', fault: 'server-error', nth: 1 }],
  );
  t.equal(response.statusCode, 502);
  t.equal(record.status, 'rolled_back');
  t.same(
    ctx.fake.writes().map((call) => `${call.operation}:${call.status}`),
    ['UpdateIntegration:200', 'UpdateRoute:500', 'UpdateRoute:200', 'UpdateIntegration:200'],
    'the route whose update may have landed is written back, then the integration',
  );
  t.same(ctx.fake.snapshot(), before, 'the integration has its old URL and timeout again');
});

t.test('throttling that outlasts the SDK retries is a 503 with Retry-After', async (t) => {
  // Two attempts keep the SDK's adaptive back-off short.
  const ctx = await buildTestApp(t, { env: { GATEWIRE_AWS_MAX_ATTEMPTS: '2' } });
  const before = ctx.fake.snapshot();
  const { response, problem, record } = await failingPut(t, ctx, 'ping', TWO_WAY_MOCK, [
    { operation: 'CreateIntegration', fault: 'throttle' },
  ]);
  t.equal(response.statusCode, 503);
  t.ok(Number(response.headers['retry-after']) > 0, `Retry-After: ${response.headers['retry-after']}`);
  t.match(problem, { status: 503, type: /throttled$/, aws: { error: 'TooManyRequestsException' } });
  t.equal(
    ctx.fake.writes().filter((call) => call.operation === 'CreateIntegration').length,
    2,
    'the SDK tried twice',
  );
  const call = record.awsCalls.find((entry) => entry.operation === 'CreateIntegration');
  t.match(call, { outcome: 'error', error: 'TooManyRequestsException', attempts: 2 }, 'one logical call, two attempts');
  t.equal(record.status, 'failed');
  t.same(ctx.fake.snapshot(), before);
});

t.test('throttling within the SDK retries is invisible to the client', async (t) => {
  const ctx = await buildTestApp(t, { env: { GATEWIRE_AWS_MAX_ATTEMPTS: '2' } });
  ctx.fake.inject({ operation: 'CreateRoute', fault: 'throttle', nth: 1 });
  const response = await ctx.app.inject({ method: 'PUT', url: routeIntegrationUrl(ctx.apiId, 'ping'), payload: TWO_WAY_MOCK });
  t.equal(response.statusCode, 200, response.body.slice(0, 300));
  const record = await getRecord(t, ctx, response.json().auditId);
  t.equal(record.status, 'succeeded');
  t.match(record.awsCalls.find((entry) => entry.operation === 'CreateRoute'), { outcome: 'ok', attempts: 2 });
});

t.test("one 'concurrent modification' 409 on a write is retried and the change succeeds", async (t) => {
  const ctx = await buildTestApp(t);
  ctx.fake.inject({ operation: 'CreateRoute', fault: 'concurrent-modification', nth: 1 });
  const response = await ctx.app.inject({ method: 'PUT', url: routeIntegrationUrl(ctx.apiId, 'ping'), payload: TWO_WAY_MOCK });
  t.equal(response.statusCode, 200, response.body.slice(0, 300));
  t.equal(response.json().outcome, 'applied');
  t.same(
    ctx.fake.writes().map((call) => `${call.operation}:${call.status}`),
    ['CreateIntegration:201', 'CreateIntegrationResponse:201', 'CreateRoute:409', 'CreateRoute:201', 'CreateRouteResponse:201'],
    'Gatewire sent CreateRoute again after the 409',
  );
  const route = ctx.fake.api(ctx.apiId).route('ping');
  t.equal(route?.routeResponseSelectionExpression, '$default');
  const record = await getRecord(t, ctx, response.json().auditId);
  t.equal(record.status, 'succeeded');
  t.same(
    record.awsCalls.filter((call) => call.operation === 'CreateRoute').map((call) => [call.outcome, call.error]),
    [
      ['error', 'ConflictException'],
      ['ok', undefined],
    ],
    'both attempts are in the record',
  );
});

t.test("a 'concurrent modification' 409 that outlasts Gatewire's retries is a 409 and rolls back", async (t) => {
  const ctx = await buildTestApp(t);
  const before = ctx.fake.snapshot();
  ctx.fake.inject({ operation: 'CreateRoute', fault: 'concurrent-modification', nth: 1, times: 10 });
  const response = await ctx.app.inject({ method: 'PUT', url: routeIntegrationUrl(ctx.apiId, 'ping'), payload: TWO_WAY_MOCK });
  t.equal(response.statusCode, 409, 'a 409 that outlasts Gatewire’s retries is reported');
  t.equal(
    ctx.fake.writes().filter((call) => call.operation === 'CreateRoute').length,
    4,
    'retried a bounded number of times (DEFAULT_CONFLICT_RETRY.attempts)',
  );
  const record = await getRecord(t, ctx, response.json().auditId);
  t.equal(record.status, 'rolled_back');
  t.same(ctx.fake.snapshot(), before);
});
