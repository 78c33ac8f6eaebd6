// Two instances of Gatewire on one PostgreSQL audit database (DESIGN §1, §3 step 5): 50 concurrent
// PUTs to different routes of one API, split between them. The advisory lock serialises the
// changes across instances, so none is lost, none overlaps another, and each has one final record.
import t from 'tap';
import type { AuditRecord } from '../../src/domain/audit.js';
import { openAuditStore } from '../../src/dependencies.js';
import { buildTestApp } from '../support/build-test-app.js';
import { routeIntegrationUrl } from '../support/build-test-app.js';
import { startFakeAws } from '../support/fake-aws/index.js';
import { createTestSchema } from '../support/postgres.js';

const CHANGES = 50;
const INJECTED_CONFLICTS = 5;

t.test('50 concurrent PUTs through two instances sharing one PostgreSQL schema', async (t) => {
  const fake = await startFakeAws();
  t.teardown(() => fake.close());
  const { url } = await createTestSchema(t, 'concurrency');
  // Each instance opens the database as production does: its own Kysely store, its own lock pool.
  const [auditA, auditB] = await Promise.all([openAuditStore({ auditUrl: url }), openAuditStore({ auditUrl: url })]);
  const a = await buildTestApp(t, { fake, audit: auditA });
  const b = await buildTestApp(t, { fake, audit: auditB });
  const apiId = a.apiId;

  // AWS answers some writes with its "concurrent modification" 409 (the fake does not model it by
  // itself): Gatewire retries those, and no client may see one.
  // Spread out, so that each change meets at most one (Gatewire retries a few times, not forever).
  for (let i = 0; i < INJECTED_CONFLICTS; i += 1) {
    fake.inject({ operation: 'CreateRoute', fault: 'concurrent-modification', nth: 1 + i * 10 });
  }
  fake.resetCalls();

  const routeKeys = Array.from({ length: CHANGES }, (_, index) => `route${String(index).padStart(2, '0')}`);
  const responses = await Promise.all(
    routeKeys.map((routeKey, index) =>
      (index % 2 === 0 ? a : b).app.inject({
        method: 'PUT',
        url: routeIntegrationUrl(apiId, routeKey),
        payload: { backend: { type: 'mock' }, requestTemplates: { 'application/json': `{"route":"${routeKey}"}` } },
      }),
    ),
  );

  const statuses = responses.map((response) => response.statusCode);
  t.same(statuses, Array(CHANGES).fill(200), `every request got 200 (${statuses.filter((s) => s === 200).length}/${CHANGES})`);
  for (const response of responses.filter((r) => r.statusCode !== 200)) t.comment(response.body.slice(0, 300));
  const bodies = responses.map((response) => response.json() as { outcome: string; auditId: string; auditComplete: boolean });
  t.ok(bodies.every((body) => body.outcome === 'applied' && body.auditComplete), 'every change applied and fully audited');

  // The fake: every route bound to its own integration, holding that route's template.
  const view = fake.api(apiId);
  t.equal(view.routes.length, CHANGES, 'one route per request');
  t.equal(view.integrations.length, CHANGES, 'one integration per route, none orphaned');
  const targets = new Set<string>();
  let bound = 0;
  for (const routeKey of routeKeys) {
    const target = view.route(routeKey)?.target;
    const integration = view.integration(target?.replace('integrations/', '') ?? '');
    if (integration?.requestTemplates?.['application/json'] === `{"route":"${routeKey}"}`) bound += 1;
    if (target) targets.add(target);
  }
  t.equal(bound, CHANGES, 'every route ends bound to its own integration (the last write per route)');
  t.equal(targets.size, CHANGES, 'no two routes share an integration');

  const conflicts = fake.calls.filter((call) => call.status === 409);
  t.equal(conflicts.length, INJECTED_CONFLICTS, 'AWS answered 409 "concurrent modification" this often…');
  t.notOk(statuses.includes(409), '…and no 409 reached a client');

  // The audit trail, read through either instance: exactly one final record per request.
  const page = await a.app.inject({ method: 'GET', url: `/v1/audit?apiId=${apiId}&limit=500` });
  t.equal(page.statusCode, 200);
  const records = page.json().items as AuditRecord[];
  t.equal(records.length, CHANGES, `${CHANGES} records`);
  t.equal(records.filter((record) => record.status === 'succeeded').length, CHANGES, `exactly ${CHANGES} succeeded`);
  t.same(
    records.map((record) => record.id).sort(),
    bodies.map((body) => body.auditId).sort(),
    'the records are the ones the responses named',
  );
  t.same(
    records.map((record) => record.routeKey).sort(),
    routeKeys,
    'one record per route',
  );
  const viaB = await b.app.inject({ method: 'GET', url: `/v1/audit?apiId=${apiId}&status=succeeded&limit=500` });
  t.equal(viaB.json().items.length, CHANGES, 'the other instance sees the same trail');

  // Serialised: the AWS calls of one change (reads under the lock included) never interleave with
  // another's. Each record names its calls by AWS request id; their positions in the fake's log
  // form one contiguous run per change.
  const position = new Map(fake.calls.map((call, index) => [call.requestId, index]));
  const spans = records
    .map((record) => {
      const indexes = record.awsCalls.map((call) => position.get(call.requestId ?? '') ?? -1);
      return { first: Math.min(...indexes), last: Math.max(...indexes), count: indexes.length, missing: indexes.includes(-1) };
    })
    .sort((x, y) => x.first - y.first);
  t.notOk(spans.some((span) => span.missing), 'every recorded call is in the fake’s log');
  const overlapping = spans.filter((span, index) => index > 0 && span.first <= spans[index - 1]!.last);
  t.equal(overlapping.length, 0, 'no change overlapped another (the advisory lock held across instances)');
  const recordedCalls = spans.reduce((sum, span) => sum + span.count, 0);
  t.equal(recordedCalls, fake.calls.length, `every one of the ${fake.calls.length} AWS calls belongs to one record`);
});

t.test('50 concurrent Lambda PUTs through two instances: one permission statement per function', async (t) => {
  const fake = await startFakeAws();
  t.teardown(() => fake.close());
  const { url } = await createTestSchema(t, 'concurrency_lambda');
  const [auditA, auditB] = await Promise.all([openAuditStore({ auditUrl: url }), openAuditStore({ auditUrl: url })]);
  const a = await buildTestApp(t, { fake, audit: auditA });
  const b = await buildTestApp(t, { fake, audit: auditB });
  const functions = ['fn-a', 'fn-b', 'fn-c'];
  for (const name of functions) fake.seedFunction({ name });

  const responses = await Promise.all(
    Array.from({ length: CHANGES }, (_, index) =>
      (index % 2 === 0 ? a : b).app.inject({
        method: 'PUT',
        url: routeIntegrationUrl(a.apiId, `route${index}`),
        payload: { backend: { type: 'lambda', function: functions[index % functions.length] } },
      }),
    ),
  );
  t.same(responses.map((response) => response.statusCode), Array(CHANGES).fill(200), 'every request got 200');
  for (const name of functions) {
    t.equal(fake.policy(name).length, 1, `${name}: one statement for its ${Math.ceil(CHANGES / functions.length)} routes`);
  }
  const records = (await auditA.store.list({ apiId: a.apiId, limit: 500 })).items;
  t.equal(records.filter((record) => record.status === 'succeeded').length, CHANGES, 'one final record per change');
});
