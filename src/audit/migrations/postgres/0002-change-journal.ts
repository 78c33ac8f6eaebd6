// Frozen: never edit after release and never import app types; add a new migration instead.
// Durable changes (DESIGN §3): a pending record carries its owner's lease and its deadline, its
// journal lives in a table of its own (one row per entry, so a step costs one small insert rather
// than a rewrite of the record), and the answer is kept for GET /v1/changes/{id}.
import { sql, type Kysely, type Migration } from 'kysely';

// Times and ids compare as text: byte order, whatever the database's collation (as in 0001).
const byteOrderedText = sql`text collate "C"`;

export const migration0002ChangeJournal: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema.alterTable('audit_records').addColumn('owner', 'text').execute();
    await db.schema.alterTable('audit_records').addColumn('lease_expires_at', byteOrderedText).execute();
    await db.schema.alterTable('audit_records').addColumn('deadline_at', byteOrderedText).execute();
    await db.schema.alterTable('audit_records').addColumn('result_json', 'text').execute();
    await db.schema.alterTable('audit_records').addColumn('known_json', 'text').execute();

    await db.schema
      .createTable('change_journal')
      .addColumn('change_id', byteOrderedText, (col) => col.notNull())
      .addColumn('seq', 'integer', (col) => col.notNull())
      .addColumn('at', byteOrderedText, (col) => col.notNull())
      .addColumn('owner', 'text', (col) => col.notNull())
      .addColumn('entry_json', 'text', (col) => col.notNull())
      .addPrimaryKeyConstraint('change_journal_pk', ['change_id', 'seq'])
      .execute();

    // The recovery sweep (expired leases) and each change's look for orphans of its API: both
    // only ever look at pending records, a handful among millions.
    await db.schema
      .createIndex('audit_records_pending_lease')
      .on('audit_records')
      .column('lease_expires_at')
      .where(sql.ref('status'), '=', 'pending')
      .execute();
    await db.schema
      .createIndex('audit_records_pending_api')
      .on('audit_records')
      .column('api_id')
      .where(sql.ref('status'), '=', 'pending')
      .execute();
  },

  async down(db: Kysely<any>): Promise<void> {
    await db.schema.dropIndex('audit_records_pending_api').execute();
    await db.schema.dropIndex('audit_records_pending_lease').execute();
    await db.schema.dropTable('change_journal').execute();
    for (const column of ['known_json', 'result_json', 'deadline_at', 'lease_expires_at', 'owner']) {
      await db.schema.alterTable('audit_records').dropColumn(column).execute();
    }
  },
};
