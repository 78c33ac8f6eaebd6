// Runs the audit migrations at start-up. The provider is a static object (no directory reads),
// so it works in an esbuild bundle; Kysely's migration lock (an advisory lock on Postgres)
// makes concurrent start-ups of several instances safe.
import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { AuditDialect } from './database.js';
import { migration0001AuditRecords as postgres0001 } from './migrations/postgres/0001-audit-records.js';
import { migration0001AuditRecords as sqlite0001 } from './migrations/sqlite/0001-audit-records.js';

// Names sort in the order migrations must run; append, never rename.
const migrations: Record<AuditDialect, Record<string, Migration>> = {
  sqlite: { '0001-audit-records': sqlite0001 },
  postgres: { '0001-audit-records': postgres0001 },
};

export async function migrateToLatest(db: Kysely<any>, dialect: AuditDialect): Promise<string[]> {
  const provider: MigrationProvider = { getMigrations: async () => migrations[dialect] };
  const migrator = new Migrator({
    db,
    provider,
    // Kysely looks for its bookkeeping tables in *any* schema unless told which one, so with
    // one schema per instance or per test file it would find another schema's and skip
    // creating its own. Pin it to the schema the audit tables go into.
    ...(dialect === 'postgres' ? { migrationTableSchema: await currentPostgresSchema(db) } : {}),
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  const failed = results.find((result) => result.status === 'Error');
  if (error !== undefined || failed !== undefined) {
    const name = failed === undefined ? '' : ` (${failed.migrationName})`;
    throw new Error(`audit database migration failed${name}`, { cause: error });
  }
  return results.map((result) => result.migrationName);
}

async function currentPostgresSchema(db: Kysely<any>): Promise<string> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  const schema = rows[0]?.schema;
  if (schema == null) throw new Error('audit database: no schema on the search_path exists; create it first');
  return schema;
}
