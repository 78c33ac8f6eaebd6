// One conditional update of a pending record together with the journal entries that go with it,
// atomically: the entries are kept only if the update matched (the writer still owns the change).
// On PostgreSQL that is one statement, a data-modifying CTE, so that a change's step costs one
// round trip; SQLite has no such CTEs, and its transaction costs no round trip anyway.
import { sql, type Kysely, type UpdateQueryBuilder, type UpdateResult } from 'kysely';
import type { JournalEntry } from '../domain/journal.js';
import { journalToRow } from './row-mapping.js';
import type { AuditDatabase } from './tables.js';

type AuditDb = Kysely<AuditDatabase>;
type RecordUpdate = UpdateQueryBuilder<AuditDatabase, 'audit_records', 'audit_records', UpdateResult>;

/** True when `update` matched its row (and `entries`, if any, were inserted with it). */
export async function journaledUpdate(
  db: AuditDb,
  postgres: boolean,
  update: (db: AuditDb) => RecordUpdate,
  changeId: string,
  entries: readonly JournalEntry[],
): Promise<boolean> {
  if (entries.length === 0) {
    const result = await update(db).executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }
  const rows = entries.map((entry) => journalToRow(changeId, entry));
  if (postgres) {
    const values = sql.join(rows.map((row) => sql`(${row.seq}::integer, ${row.at}, ${row.owner}, ${row.entry_json})`));
    const result = await sql`
      with matched as (${update(db).returning('id')})
      insert into change_journal (change_id, seq, at, owner, entry_json)
      select matched.id, entry.seq, entry.at, entry.owner, entry.entry_json
      from matched cross join (values ${values}) as entry (seq, at, owner, entry_json)`.execute(db);
    return Number(result.numAffectedRows ?? 0n) === rows.length;
  }
  return db.transaction().execute(async (trx) => {
    const result = await update(trx).executeTakeFirst();
    if (result.numUpdatedRows === 0n) return false;
    await trx.insertInto('change_journal').values(rows).execute();
    return true;
  });
}
