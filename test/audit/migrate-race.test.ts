// Migrating while another client drops its schema (one schema per instance or per test file):
// Kysely's introspection calls has_schema_privilege() on every schema it lists, and one dropped
// meanwhile fails the query with 3F000. Seen in CI with four test files at a time; the migration
// is tried again, as nothing was migrated. The fault is injected on the real PostgreSQL.
import type pg from 'pg';
import t from 'tap';
import { createAuditDatabase } from '../../src/audit/database.js';
import { migrateToLatest } from '../../src/audit/migrate.js';
import { createTestSchema } from '../support/postgres.js';

/** Makes the next `count` introspection queries fail as a concurrent DROP SCHEMA makes them fail. */
function failIntrospection(pool: pg.Pool, count: number, schemaName: string) {
  const state = { left: count };
  const connect = pool.connect.bind(pool) as () => Promise<pg.PoolClient>;
  (pool as { connect: unknown }).connect = async () => {
    const client = await connect();
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as { query: unknown }).query = (text: unknown, ...rest: unknown[]) => {
      if (state.left > 0 && typeof text === 'string' && text.includes('has_schema_privilege')) {
        state.left -= 1;
        return Promise.reject(Object.assign(new Error(`schema "${schemaName}" does not exist`), { code: '3F000' }));
      }
      return query(text, ...rest);
    };
    return client;
  };
  return state;
}

async function postgresDatabase(url: string) {
  const handle = await createAuditDatabase(url);
  if (handle.dialect !== 'postgres') throw new Error('expected PostgreSQL');
  return handle;
}

t.test('a schema another client drops during the migration does not fail it', async (t) => {
  const { url } = await createTestSchema(t, 'migrate_race');
  const handle = await postgresDatabase(url);
  t.teardown(() => handle.db.destroy());
  const fault = failIntrospection(handle.pool, 1, 'test_dropped_meanwhile');
  t.same(await migrateToLatest(handle.db, 'postgres'), ['0001-audit-records', '0002-change-journal', '0003-budget-members', '0004-audit-target'], 'every migration ran');
  t.equal(fault.left, 0, 'the introspection failed once on the way');
});

t.test('the same error about the audit schema itself is not retried', async (t) => {
  const { schema, url } = await createTestSchema(t, 'migrate_own');
  const handle = await postgresDatabase(url);
  t.teardown(() => handle.db.destroy());
  const fault = failIntrospection(handle.pool, 5, schema);
  await t.rejects(migrateToLatest(handle.db, 'postgres'), { message: 'audit database migration failed' });
  t.equal(fault.left, 4, 'one attempt only');
});
