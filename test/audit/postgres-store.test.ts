import { sql } from 'kysely';
import t from 'tap';
import { createAuditDatabase } from '../../src/audit/database.js';
import { migrateToLatest } from '../../src/audit/migrate.js';
import { createKyselyAuditStore } from '../../src/audit/store.js';
import { auditStoreContract } from '../support/audit-store-contract.js';
import { createTestSchema, TEST_POSTGRES_URL } from '../support/postgres.js';

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
  t.strictSame(applied.flat(), ['0001-audit-records'], 'applied once across two concurrent runs');
  t.strictSame(await migrateToLatest(first.db, first.dialect), [], 'idempotent');

  const tables = await sql<{ table_name: string }>`
    select table_name from information_schema.tables where table_schema = ${schema} order by table_name`.execute(first.db);
  t.strictSame(
    tables.rows.map((row) => row.table_name),
    ['audit_records', 'idempotency_keys', 'kysely_migration', 'kysely_migration_lock'],
    'everything lives in the schema named by ?schema=',
  );

  const collation = await sql<{ collation_name: string }>`
    select collation_name from information_schema.columns
    where table_schema = ${schema} and table_name = 'audit_records' and column_name = 'id'`.execute(first.db);
  t.equal(collation.rows[0]?.collation_name, 'C', 'ids compare byte-wise');
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
