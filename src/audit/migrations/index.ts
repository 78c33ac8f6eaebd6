// Every audit migration, by dialect, and Kysely's migrator over them: imported by migrate.ts only
// when a database is not up to date, so that a start that finds it current (every Lambda cold start
// but the first) never loads them (issue 15). The provider is a static object (no directory reads),
// so it works in an esbuild bundle.
import { Migrator, type Kysely, type Migration } from 'kysely';
import type { AuditDialect } from '../database.js';
import { migration0001AuditRecords as postgres0001 } from './postgres/0001-audit-records.js';
import { migration0001AuditRecords as sqlite0001 } from './sqlite/0001-audit-records.js';
import { migration0002ChangeJournal as postgres0002 } from './postgres/0002-change-journal.js';
import { migration0002ChangeJournal as sqlite0002 } from './sqlite/0002-change-journal.js';
import { migration0003BudgetMembers as postgres0003 } from './postgres/0003-budget-members.js';
import { migration0003BudgetMembers as sqlite0003 } from './sqlite/0003-budget-members.js';
import { migration0004AuditTarget as postgres0004 } from './postgres/0004-audit-target.js';
import { migration0004AuditTarget as sqlite0004 } from './sqlite/0004-audit-target.js';

// Names sort in the order migrations must run; append, never rename (and update LATEST_MIGRATION
// in migrate.ts).
export const AUDIT_MIGRATIONS: Record<AuditDialect, Record<string, Migration>> = {
  sqlite: { '0001-audit-records': sqlite0001, '0002-change-journal': sqlite0002, '0003-budget-members': sqlite0003, '0004-audit-target': sqlite0004 },
  postgres: { '0001-audit-records': postgres0001, '0002-change-journal': postgres0002, '0003-budget-members': postgres0003, '0004-audit-target': postgres0004 },
};

/**
 * Kysely's migrator for `dialect`, its bookkeeping in `schema` when given. `latest` is the name
 * migrate.ts takes as the newest: a database recorded as having run it is taken as up to date, so
 * a newer migration it did not name would never run; this refuses that.
 */
export function auditMigrator(db: Kysely<any>, dialect: AuditDialect, latest: string, schema: string | undefined): Migrator {
  const migrations = AUDIT_MIGRATIONS[dialect];
  const newest = Object.keys(migrations).sort().at(-1);
  if (newest !== latest) throw new Error(`audit migrations: the newest ${dialect} migration is ${newest}, but LATEST_MIGRATION names ${latest}`);
  return new Migrator({ db, provider: { getMigrations: async () => migrations }, ...(schema === undefined ? {} : { migrationTableSchema: schema }) });
}
