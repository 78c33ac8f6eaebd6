// Frozen: never edit after release and never import app types; add a new migration instead.
// Targets (issue 19): the account and region a change acted in, by target name; NULL is the
// default target, as for every record written before. GET /v1/audit filters on it.
import type { Kysely, Migration } from 'kysely';

export const migration0004AuditTarget: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema.alterTable('audit_records').addColumn('target', 'text').execute();
    // GET /v1/audit?target=…, newest first (as the api and actor indexes of 0001).
    await db.schema.createIndex('audit_records_target_id').on('audit_records').columns(['target', 'id']).execute();
  },

  async down(db: Kysely<any>): Promise<void> {
    await db.schema.dropIndex('audit_records_target_id').execute();
    await db.schema.alterTable('audit_records').dropColumn('target').execute();
  },
};
