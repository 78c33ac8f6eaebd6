// Drift reads only the records and columns it needs (issue 16 §6): records that changed nothing
// (failed, rolled back) stay in the database, and of the others only ids, action, status, route,
// integration, request, before, after and leftovers are read — not plans, AWS calls, errors or
// kept answers, which make most of a bulk record's size. Counted on the real PostgreSQL store.
import t from 'tap';
import { createAuditDatabase } from '../../src/audit/database.js';
import { createInProcessLock } from '../../src/audit/locks.js';
import { migrateToLatest } from '../../src/audit/migrate.js';
import { createKyselyAuditStore } from '../../src/audit/store.js';
import { buildTestApp, routeIntegrationUrl } from '../support/build-test-app.js';
import { countQueries } from '../support/pg-query-counter.js';
import { createTestSchema } from '../support/postgres.js';

t.test('GET …/drift reads the applied and unsettled records only, without their plans, calls or answers', async (t) => {
  const { url } = await createTestSchema(t, 'drift_reads');
  const handle = await createAuditDatabase(url);
  if (handle.dialect !== 'postgres') throw new Error('expected PostgreSQL');
  await migrateToLatest(handle.db, handle.dialect);
  const store = createKyselyAuditStore(handle.db);
  const ctx = await buildTestApp(t, { audit: { store, lock: createInProcessLock(), close: () => store.close() } });

  const applied = await ctx.app.inject({ method: 'PUT', url: routeIntegrationUrl(ctx.apiId, 'kept'), payload: { backend: { type: 'mock' }, description: 'applied' } });
  t.equal(applied.statusCode, 200, applied.body.slice(0, 200));
  // A change AWS refuses: its record (failed: throttled, nothing changed) says nothing about the live state.
  ctx.fake.inject({ operation: 'CreateIntegration', fault: 'throttle', nth: 1 });
  const refused = await ctx.app.inject({ method: 'PUT', url: routeIntegrationUrl(ctx.apiId, 'refused'), payload: { backend: { type: 'mock' } } });
  t.ok(refused.statusCode >= 500, `refused (${refused.statusCode})`);
  const statuses = (await store.list({ apiId: ctx.apiId, limit: 10 })).items.map((record) => record.status).sort();
  t.same(statuses, ['failed', 'succeeded'], 'one applied and one failed record');

  const queries = countQueries(handle.pool);
  const drift = await ctx.app.inject({ method: 'GET', url: `/v1/apis/${ctx.apiId}/drift` });
  t.equal(drift.statusCode, 200, drift.body.slice(0, 300));
  t.match(drift.json(), { clean: true, drift: [], unmanaged: [] }, 'the applied route is compared, and matches');

  // Two reads: drift's own (records to compare with the live state) and the stage rule's trail,
  // which finds statements the API's functions no longer need (DESIGN §4); the trail also reads the
  // kept answers, for the deployment a change made.
  const reads = queries.texts.filter((text) => /from "audit_records"/.test(text));
  t.equal(reads.length, 2, `drift's read and the stage rule's: ${reads.join(' | ')}`);
  for (const read of reads) {
    for (const column of ['plan_json', 'aws_calls_json', 'error_json', 'known_json']) {
      t.notMatch(read, new RegExp(`"${column}"`), `${column} is not read`);
    }
    t.notMatch(read, /select \*/, 'no select *');
    t.match(read, /"status" in \(/, 'records are chosen by status in the database');
  }
  t.equal(reads.filter((read) => /"result_json"/.test(read)).length, 1, "only the stage rule's read takes the kept answers");
});
