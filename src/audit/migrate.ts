// Runs the audit migrations at start-up (migrations/index.ts has them, loaded only when one is due);
// Kysely's migration lock (an advisory lock on Postgres) makes concurrent start-ups of several
// instances safe.
import { DEFAULT_MIGRATION_TABLE, sql, type Kysely } from 'kysely';
import type { AuditDialect } from './database.js';

/**
 * The newest migration of each dialect (migrations/index.ts has them all). An up-to-date database,
 * what almost every start finds, is recognised by this name alone: the migrations and Kysely's
 * migrator are imported only when something is left to run (issue 15: not at a Lambda cold start).
 * migrations/index.ts refuses to run if this is not its newest.
 */
export const LATEST_MIGRATION: Record<AuditDialect, string> = { sqlite: '0004-audit-target', postgres: '0004-audit-target' };

export async function migrateToLatest(db: Kysely<any>, dialect: AuditDialect): Promise<string[]> {
  // Kysely looks for its bookkeeping tables in *any* schema unless told which one, so with one
  // schema per instance or per test file it would find another schema's and skip creating its
  // own. Pin it to the schema the audit tables go into.
  const schema = dialect === 'postgres' ? await currentPostgresSchema(db) : undefined;
  // Every start-up (every Lambda cold start) comes here, and the database is almost always up to
  // date: one read answers that, where the migrator creates its tables if missing, takes its lock
  // and reads in a transaction (~40 ms of a cold start).
  if (await hasRun(db, schema, LATEST_MIGRATION[dialect])) return [];
  const { auditMigrator } = await import('./migrations/index.js');
  const migrator = auditMigrator(db, dialect, LATEST_MIGRATION[dialect], schema);
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
