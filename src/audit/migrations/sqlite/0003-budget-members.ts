// Frozen: never edit after release and never import app types; add a new migration instead.
// The instances sharing one AWS call budget (issue 15): one row per (budget, instance), renewed
// by the instance's heartbeat; the live rows divide the account's rate among the instances.
import type { Kysely, Migration } from 'kysely';

export const migration0003BudgetMembers: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('budget_members')
      .addColumn('budget_key', 'text', (col) => col.notNull())
      .addColumn('instance', 'text', (col) => col.notNull())
      .addColumn('expires_at', 'text', (col) => col.notNull())
      .addPrimaryKeyConstraint('budget_members_pk', ['budget_key', 'instance'])
      .execute();
  },

  async down(db: Kysely<any>): Promise<void> {
    await db.schema.dropTable('budget_members').execute();
  },
};
