// Runs the audit migrations at start-up. The provider is a static object (no directory reads),
// so it works in an esbuild bundle; Kysely's migration lock (an advisory lock on Postgres)
// makes concurrent start-ups of several instances safe.
import { DEFAULT_MIGRATION_TABLE, Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { AuditDialect } from './database.js';
import { migration0001AuditRecords as postgres0001 } from './migrations/postgres/0001-audit-records.js';
import { migration0001AuditRecords as sqlite0001 } from './migrations/sqlite/0001-audit-records.js';
import { migration0002ChangeJournal as postgres0002 } from './migrations/postgres/0002-change-journal.js';
import { migration0002ChangeJournal as sqlite0002 } from './migrations/sqlite/0002-change-journal.js';
import { migration0003BudgetMembers as postgres0003 } from './migrations/postgres/0003-budget-members.js';
import { migration0003BudgetMembers as sqlite0003 } from './migrations/sqlite/0003-budget-members.js';
import { migration0004AuditTarget as postgres0004 } from './migrations/postgres/0004-audit-target.js';
import { migration0004AuditTarget as sqlite0004 } from './migrations/sqlite/0004-audit-target.js';

// Names sort in the order migrations must run; append, never rename.
const migrations: Record<AuditDialect, Record<string, Migration>> = {
  sqlite: { '0001-audit-records': sqlite0001, '0002-change-journal': sqlite0002, '0003-budget-members': sqlite0003, '0004-audit-target': sqlite0004 },
  postgres: { '0001-audit-records': postgres0001, '0002-change-journal': postgres0002, '0003-budget-members': postgres0003, '0004-audit-target': postgres0004 },
};

export async function migrateToLatest(db: Kysely<any>, dialect: AuditDialect): Promise<string[]> {
  // Kysely looks for its bookkeeping tables in *any* schema unless told which one, so with one
  // schema per instance or per test file it would find another schema's and skip creating its
  // own. Pin it to the schema the audit tables go into.
  const schema = dialect === 'postgres' ? await currentPostgresSchema(db) : undefined;
  // Every start-up (every Lambda cold start) comes here, and the database is almost always up to
  // date: one read answers that, where the migrator creates its tables if missing, takes its lock
  // and reads in a transaction (~40 ms of a cold start).
  if (await hasRun(db, schema, latestMigration(dialect))) return [];
  const provider: MigrationProvider = { getMigrations: async () => migrations[dialect] };
  const migrator = new Migrator({ db, provider, ...(schema === undefined ? {} : { migrationTableSchema: schema }) });
  for (let attempt = 1; ; attempt += 1) {
    const { error, results = [] } = await migrator.migrateToLatest();
    const failed = results.find((result) => result.status === 'Error');
    if (error === undefined && failed === undefined) return results.map((result) => result.migrationName);
    if (attempt < INTROSPECTION_ATTEMPTS && anotherSchemaVanished(error, schema)) continue;
    const name = failed === undefined ? '' : ` (${failed.migrationName})`;
    throw new Error(`audit database migration failed${name}`, { cause: error });
  }
}

/**
 * The migrator looks for its tables through Kysely's introspection, which lists the tables of every
 * schema and calls has_schema_privilege() on each: a schema another client drops meanwhile (one
 * schema per instance or per test file) fails it with 3F000. Nothing was migrated then; try again.
 */
const INTROSPECTION_ATTEMPTS = 3;

function anotherSchemaVanished(error: unknown, ours: string | undefined): boolean {
  if (typeof error !== 'object' || error === null || (error as { code?: unknown }).code !== '3F000') return false;
  const named = /schema "([^"]+)" does not exist/.exec(String((error as { message?: unknown }).message))?.[1];
  return named !== undefined && named !== ours;
}

function latestMigration(dialect: AuditDialect): string {
  return Object.keys(migrations[dialect]).sort().at(-1)!;
}

/** Whether Kysely's bookkeeping records `name` (migrations run in order, so all before it too). */
async function hasRun(db: Kysely<any>, schema: string | undefined, name: string): Promise<boolean> {
  try {
    const row = await (schema === undefined ? db : db.withSchema(schema))
      .selectFrom(DEFAULT_MIGRATION_TABLE)
      .select('name')
      .where('name', '=', name)
      .executeTakeFirst();
    return row !== undefined;
  } catch {
    // No bookkeeping table yet (a new database), or the database does not answer: the migrator
    // creates the table, or fails with its own error.
    return false;
  }
}

async function currentPostgresSchema(db: Kysely<any>): Promise<string> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  const schema = rows[0]?.schema;
  if (schema == null) throw new Error('audit database: no schema on the search_path exists; create it first');
  return schema;
}
