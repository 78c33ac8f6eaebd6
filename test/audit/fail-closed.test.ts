// Fail closed (DESIGN §3 step 6, §6): no AWS write without its pending audit record. When the
// audit store is down, every mutation answers 503 problem+json and the fake sees no write. When
// only the final write fails, after AWS changed, the response says so and the record stays
// pending until start-up recovery marks it interrupted.
import { setTimeout } from 'node:timers/promises';
import t from 'tap';
import { createAuditDatabase, createPostgresPool } from '../../src/audit/database.js';
import { createInProcessLock, createPostgresAdvisoryLock } from '../../src/audit/locks.js';
import { createMemoryAuditStore } from '../../src/audit/memory-store.js';
import { migrateToLatest } from '../../src/audit/migrate.js';
import { createKyselyAuditStore } from '../../src/audit/store.js';
import { DomainError } from '../../src/domain/errors.js';
import { openAuditStore } from '../../src/dependencies.js';
import type { ApiLock, AuditStore } from '../../src/services/ports.js';
import { buildTestApp, routeIntegrationUrl, type TestApp } from '../support/build-test-app.js';
import { createTestSchema } from '../support/postgres.js';
import type { TestContext } from '../support/tap.js';

const MOCK = { backend: { type: 'mock' }, requestTemplates: { 'application/json': '{"statusCode":200}' } };
const UNREACHABLE = 'postgres://gatewire@127.0.0.1:1/test';

/** Every kind of mutation Gatewire offers, each of which would write to AWS. */
function mutations(apiId: string) {
  return [
    { method: 'PUT' as const, url: routeIntegrationUrl(apiId, 'ping'), payload: MOCK },
    { method: 'POST' as const, url: `/v1/apis/${apiId}/integrations`, payload: { integrationType: 'MOCK' } },
  ];
}

async function expectRefused(t: TestContext, ctx: TestApp) {
  const before = ctx.fake.snapshot();
  ctx.fake.resetCalls();
  for (const mutation of mutations(ctx.apiId)) {
    const response = await ctx.app.inject(mutation);
    const label = `${mutation.method} ${mutation.url}`;
    t.equal(response.statusCode, 503, `${label} is refused: ${response.body.slice(0, 300)}`);
    t.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8');
    t.match(response.json(), { status: 503, type: /audit-unavailable$/, title: 'Audit store unavailable' });
  }
  t.same(ctx.fake.writes(), [], 'the fake saw no write');
  t.same(ctx.fake.snapshot(), before, 'AWS is unchanged');
}

t.test('memory store switched off: 503, no AWS write', async (t) => {
  const ctx = await buildTestApp(t);
  ctx.auditStore.setUnavailable(true);
  await expectRefused(t, ctx);
  t.equal((await ctx.app.inject({ method: 'GET', url: '/readyz' })).statusCode, 503, 'not ready either');

  ctx.auditStore.setUnavailable(false);
  const after = await ctx.app.inject(mutations(ctx.apiId)[0]!);
  t.equal(after.statusCode, 200, 'once the store is back, changes go through');
  t.equal(ctx.auditStore.records().length, 1, 'and only that change left a record');
});

t.test('PostgreSQL store whose pool was ended: 503, no AWS write', async (t) => {
  const { url } = await createTestSchema(t, 'fail_closed_ended');
  const audit = await openAuditStore({ auditUrl: url });
  await audit.close();
  // The whole wiring as production builds it: the advisory lock's pool is ended too. Closing it
  // again on teardown must be harmless.
  const ctx = await buildTestApp(t, { audit });
  await expectRefused(t, ctx);
});

t.test('PostgreSQL store ended, lock alive: the pending append itself fails closed', async (t) => {
  const { url } = await createTestSchema(t, 'fail_closed_store');
  const { db, dialect } = await createAuditDatabase(url);
  await migrateToLatest(db, dialect);
  const store = createKyselyAuditStore(db);
  await store.close();
  const ctx = await buildTestApp(t, { audit: { store, lock: createInProcessLock() } });
  await expectRefused(t, ctx);
});

t.test('PostgreSQL at an unreachable port: 503, no AWS write', async (t) => {
  const options = { connectionTimeoutMillis: 1_000 };
  await t.test('store and advisory lock both unreachable', async (t) => {
    const { db } = await createAuditDatabase(UNREACHABLE, { postgres: options });
    const store = createKyselyAuditStore(db);
    const lockPool = await createPostgresPool(UNREACHABLE, options);
    const ctx = await buildTestApp(t, {
      audit: { store, lock: createPostgresAdvisoryLock(lockPool), close: async () => { await store.close(); await lockPool.end(); } },
    });
    await expectRefused(t, ctx);
  });
  await t.test('store unreachable behind an in-process lock', async (t) => {
    const { db } = await createAuditDatabase(UNREACHABLE, { postgres: options });
    const store = createKyselyAuditStore(db);
    const ctx = await buildTestApp(t, { audit: { store, lock: createInProcessLock(), close: () => store.close() } });
    await expectRefused(t, ctx);
  });
});

/** The memory store, except that `finalize` fails as a database that went away would (until finalizeWorks()). */
function finalizeFails(): { store: AuditStore & ReturnType<typeof createMemoryAuditStore>; lock: ApiLock; finalizeWorks(): void } {
  const inner = createMemoryAuditStore();
  let failing = true;
  const store = {
    ...inner,
    async finalize(...args: Parameters<AuditStore['finalize']>) {
      if (!failing) return inner.finalize(...args);
      throw new DomainError('audit-unavailable', 'audit store unavailable: could not finalize the audit record', {
        cause: new Error('connection terminated'),
      });
    },
  };
  return {
    store,
    lock: createInProcessLock(),
    finalizeWorks() {
      failing = false;
    },
  };
}

t.test('the final write fails after AWS changed: auditComplete false, record pending', async (t) => {
  const audit = finalizeFails();
  const ctx = await buildTestApp(t, { audit, env: { GATEWIRE_LEASE_MS: '1000' } });
  const response = await ctx.app.inject(mutations(ctx.apiId)[0]!);
  t.equal(response.statusCode, 200, 'the change itself happened: AWS was written');
  const body = response.json();
  t.equal(body.outcome, 'applied');
  t.equal(body.auditComplete, false, 'the response says the audit record is incomplete');
  t.ok(body.auditId);
  t.ok(ctx.fake.api(ctx.apiId).route('ping')?.target, 'the route is bound in AWS');

  const record = await ctx.app.inject({ method: 'GET', url: `/v1/audit/${body.auditId}` });
  t.equal(record.statusCode, 200);
  t.match(record.json(), { status: 'pending', awsCalls: [] }, 'the pending record stays as it was');

  // Recovery: the journal says every step ran, so the change is finished, not undone.
  audit.finalizeWorks();
  t.equal(await ctx.deps.recovery.sweepOnce(), 0, 'not while its lease runs');
  await setTimeout(1_100);
  t.equal(await ctx.deps.recovery.sweepOnce(), 1, 'the sweep takes the change over once its lease ran out');
  const recovered = await ctx.app.inject({ method: 'GET', url: `/v1/audit/${body.auditId}` });
  t.match(recovered.json(), { status: 'succeeded' }, 'finished by recovery');
  t.ok(ctx.fake.api(ctx.apiId).route('ping')?.target, 'and AWS keeps the change');
  const change = await ctx.app.inject({ method: 'GET', url: `/v1/changes/${body.auditId}` });
  t.match(change.json(), { status: 'succeeded', result: { status: 200 } }, 'its answer is kept');
});

t.test('the final write fails after a failed change: the problem says the record is incomplete', async (t) => {
  const audit = finalizeFails();
  const ctx = await buildTestApp(t, { audit });
  ctx.fake.inject({ operation: 'CreateRoute', fault: 'server-error' });
  const response = await ctx.app.inject(mutations(ctx.apiId)[0]!);
  t.equal(response.statusCode, 502, 'the AWS failure is what the client hears');
  const problem = response.json();
  t.ok(problem.auditId);
  t.match(problem.detail, /audit record .*pending/i, `the detail says the record is incomplete: ${problem.detail}`);
  t.equal(audit.store.records()[0]?.status, 'pending');
  t.same(ctx.fake.api(ctx.apiId).integrations, [], 'the rollback still ran');
});
