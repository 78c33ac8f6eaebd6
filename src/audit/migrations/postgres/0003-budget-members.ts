// Frozen: never edit after release and never import app types; add a new migration instead.
// The instances sharing one AWS call budget (issue 15): one row per (budget, instance), renewed
// by the instance's heartbeat; the live rows divide the account's rate among the instances.
import { sql, type Kysely, type Migration } from 'kysely';

// Times and keys compare as text: byte order, whatever the collation (as in 0001).
const byteOrderedText = sql`text collate "C"`;
export const migration0003BudgetMembers: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('budget_members')
      .addColumn('budget_key', byteOrderedText, (col) => col.notNull())
      .addColumn('instance', byteOrderedText, (col) => col.notNull())
      .addColumn('expires_at', byteOrderedText, (col) => col.notNull())
      .addPrimaryKeyConstraint('budget_members_pk', ['budget_key', 'instance'])
      .execute();
  },

  async down(db: Kysely<any>): Promise<void> {
    await db.schema.dropTable('budget_members').execute();
  },
};
