import { sql } from 'kysely';
import t from 'tap';
import { createAuditDatabase } from '../../src/audit/database.js';
import { migrateToLatest } from '../../src/audit/migrate.js';
import { createKyselyAuditStore } from '../../src/audit/store.js';
import { auditStoreContract } from '../support/audit-store-contract.js';
import { createTestSchema, TEST_POSTGRES_URL } from '../support/postgres.js';
import { countQueries } from '../support/pg-query-counter.js';

t.test('contract: PostgreSQL', async (t) => {
  // One schema per store: every contract case starts empty, and parallel test files never meet.
  auditStoreContract(t, async () => {
    const { url } = await createTestSchema(t, 'pg_store');
    const { db, dialect } = await createAuditDatabase(url);
    await migrateToLatest(db, dialect);
    const store = createKyselyAuditStore(db);
    return { store, close: () => store.close() };
  });
});

t.test('migrations', async (t) => {
  const { url, schema } = await createTestSchema(t, 'pg_migrate');
  const first = await createAuditDatabase(url);
  const second = await createAuditDatabase(url);
  t.teardown(() => Promise.all([first.db.destroy(), second.db.destroy()]));

  // Two instances starting at once: Kysely's migration lock lets exactly one apply 0001.
  const applied = await Promise.all([
    migrateToLatest(first.db, first.dialect),
    migrateToLatest(second.db, second.dialect),
  ]);
  t.strictSame(applied.flat(), ['0001-audit-records', '0002-change-journal', '0003-budget-members', '0004-audit-target'], 'applied once across two concurrent runs');
  t.strictSame(await migrateToLatest(first.db, first.dialect), [], 'idempotent');

  // Every later start-up (each Lambda cold start) finds the database up to date with one read:
  // no DDL, no migration lock, no transaction.
  const third = await createAuditDatabase(url);
  t.teardown(() => third.db.destroy());
  if (third.dialect !== 'postgres') throw new Error('expected a postgres handle');
  const queries = countQueries(third.pool);
  t.strictSame(await migrateToLatest(third.db, third.dialect), [], 'nothing to apply');
  t.equal(queries.texts.length, 2, `the schema, then one read: ${queries.texts.join(' | ')}`);
  t.notMatch(queries.texts.join('\n'), /create|insert|lock|begin/i, 'no bookkeeping writes');

  const tables = await sql<{ table_name: string }>`
    select table_name from information_schema.tables where table_schema = ${schema} order by table_name`.execute(first.db);
  t.strictSame(
    tables.rows.map((row) => row.table_name),
    ['audit_records', 'budget_members', 'change_journal', 'idempotency_keys', 'kysely_migration', 'kysely_migration_lock'],
    'everything lives in the schema named by ?schema=',
  );

  const collation = await sql<{ collation_name: string }>`
    select collation_name from information_schema.columns
    where table_schema = ${schema} and table_name = 'audit_records' and column_name = 'id'`.execute(first.db);
  t.equal(collation.rows[0]?.collation_name, 'C', 'ids compare byte-wise');
});

// Both writes are on every change's critical path: one statement each, no transaction around
// them (a single statement commits on its own) and no read-back.
t.test('a change costs one round trip for its pending record and one for its final one', async (t) => {
  const { url } = await createTestSchema(t, 'pg_trips');
  const handle = await createAuditDatabase(url);
  if (handle.dialect !== 'postgres') throw new Error('expected a postgres handle');
  await migrateToLatest(handle.db, handle.dialect);
  const store = createKyselyAuditStore(handle.db);
  t.teardown(() => store.close());
  const queries = countQueries(handle.pool);

  await store.appendPending({
    id: '01TRIPS0000000000000000000',
    occurredAt: '2025-03-01T12:00:00.000Z',
    actor: { id: 'alice', kind: 'api-key' },
    requestId: 'req-1',
    action: 'route-integration.put',
    apiId: 'api1',
    request: {},
    plan: [],
    before: null,
  });
  const verbs = () => queries.texts.map((text) => text.trimStart().split(/\s/, 1)[0]?.toLowerCase());
  t.strictSame(verbs(), ['insert'], 'pending: one insert');

  queries.reset();
  await store.finalize('01TRIPS0000000000000000000', { status: 'succeeded', after: null, awsCalls: [], durationMs: 1 });
  t.strictSame(verbs(), ['update'], 'final: one update');
  t.equal((await store.get('01TRIPS0000000000000000000'))?.status, 'succeeded', 'and both were committed');
});

// A step of a change commits its journal entries and renews its lease: one statement (a
// data-modifying CTE), so one round trip, and the entries land only while the writer owns it.
t.test('a journal commit is one round trip, also with the final record', async (t) => {
  const { url } = await createTestSchema(t, 'pg_journal_trips');
  const handle = await createAuditDatabase(url);
  if (handle.dialect !== 'postgres') throw new Error('expected a postgres handle');
  await migrateToLatest(handle.db, handle.dialect);
  const store = createKyselyAuditStore(handle.db);
  t.teardown(() => store.close());
  const id = '01TRIPS0000000000000000001';
  const lease = { owner: 'a', expiresAt: '2025-03-01T12:00:08.000Z' };
  await store.appendPending({
    id,
    occurredAt: '2025-03-01T12:00:00.000Z',
    actor: { id: 'alice', kind: 'api-key' },
    requestId: 'req-1',
    action: 'route-integration.put',
    apiId: 'api1',
    request: {},
    plan: [],
    before: null,
    lease,
    deadlineAt: '2025-03-01T12:10:00.000Z',
  });
  const queries = countQueries(handle.pool);
  const entry = (seq: number, owner = 'a') =>
    ({ seq, at: '2025-03-01T12:00:01.000Z', owner, kind: 'do', stepId: 's1', operation: 'CreateRoute', phase: 'started' }) as const;
  await store.appendJournal(id, lease, [entry(1), entry(2)]);
  t.equal(queries.texts.length, 1, 'two entries and the lease: one statement');
  await t.rejects(store.appendJournal(id, { ...lease, owner: 'b' }, [entry(3, 'b')]), { name: 'DomainError', kind: 'lease-lost' } as never);
  queries.reset();
  await store.finalize(id, { status: 'succeeded', after: null, awsCalls: [], durationMs: 1 }, { owner: 'a', journal: [entry(4)] });
  t.equal(queries.texts.length, 1, 'the final record and the last entry: one statement');
  t.same((await store.get(id))?.journal?.map((e) => e.seq), [1, 2, 4], 'the rejected entry never landed');
});

t.test('an unreachable server reports audit-unavailable', async (t) => {
  const { db } = await createAuditDatabase('postgres://127.0.0.1:1/test', {
    postgres: { connectionTimeoutMillis: 1_000 },
  });
  const store = createKyselyAuditStore(db);
  t.teardown(() => store.close());
  await t.rejects(store.ping(), { name: 'DomainError', kind: 'audit-unavailable' });
  await t.rejects(store.list({ limit: 1 }), { name: 'DomainError', kind: 'audit-unavailable' });
});

t.test('schema names are checked before they reach search_path', async (t) => {
  await t.rejects(createAuditDatabase('postgres://127.0.0.1/test?schema=a;drop'), TypeError);
  await t.rejects(createAuditDatabase('postgres://127.0.0.1/test', { postgres: { schema: 'Upper' } }), TypeError);
});

t.test('migrating into a schema that does not exist says so', async (t) => {
  const url = new URL(TEST_POSTGRES_URL);
  url.searchParams.set('schema', 'no_such_schema_here');
  const { db, dialect } = await createAuditDatabase(url.toString());
  t.teardown(() => db.destroy());
  await t.rejects(migrateToLatest(db, dialect), { message: /no schema on the search_path/ });
});
