// Frozen: never edit after release and never import app types; add a new migration instead.
import { sql, type Kysely, type Migration } from 'kysely';

// Ids and ISO timestamps are compared as text (ranges, cursors, ordering): the "C" collation
// makes that byte order whatever the database's default collation is.
const byteOrderedText = sql`text collate "C"`;

export const migration0001AuditRecords: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('audit_records')
      .addColumn('id', byteOrderedText, (col) => col.primaryKey())
      .addColumn('occurred_at', byteOrderedText, (col) => col.notNull())
      .addColumn('actor_id', 'text', (col) => col.notNull())
      .addColumn('actor_kind', 'text', (col) => col.notNull())
      .addColumn('request_id', 'text', (col) => col.notNull())
      .addColumn('idempotency_key', 'text')
      .addColumn('action', 'text', (col) => col.notNull())
      .addColumn('api_id', 'text', (col) => col.notNull())
      .addColumn('route_key', 'text')
      .addColumn('integration_id', 'text')
      .addColumn('status', 'text', (col) => col.notNull())
      .addColumn('request_json', 'text')
      .addColumn('plan_json', 'text')
      .addColumn('before_json', 'text')
      .addColumn('after_json', 'text')
      .addColumn('aws_calls_json', 'text', (col) => col.notNull().defaultTo('[]'))
      .addColumn('error_json', 'text')
      .addColumn('leftovers_json', 'text')
      .addColumn('duration_ms', 'integer')
      .addColumn('finalized_at', 'text')
      .execute();

    // List pages are "newest first" (id desc), usually within one API or one actor.
    await db.schema.createIndex('audit_records_api_id_id').on('audit_records').columns(['api_id', 'id']).execute();
    await db.schema.createIndex('audit_records_actor_id_id').on('audit_records').columns(['actor_id', 'id']).execute();
    // markInterrupted: pending records older than a time; also the status filter.
    await db.schema
      .createIndex('audit_records_status_occurred_at')
      .on('audit_records')
      .columns(['status', 'occurred_at'])
      .execute();
    await db.schema.createIndex('audit_records_occurred_at').on('audit_records').column('occurred_at').execute();

    await db.schema
      .createTable('idempotency_keys')
      .addColumn('caller', 'text', (col) => col.notNull())
      .addColumn('key', 'text', (col) => col.notNull())
      .addColumn('request_hash', 'text', (col) => col.notNull())
      .addColumn('status', 'text', (col) => col.notNull())
      .addColumn('response_json', 'text')
      .addColumn('created_at', byteOrderedText, (col) => col.notNull())
      .addColumn('expires_at', byteOrderedText, (col) => col.notNull())
      .addPrimaryKeyConstraint('idempotency_keys_pk', ['caller', 'key'])
      .execute();
    await db.schema.createIndex('idempotency_keys_expires_at').on('idempotency_keys').column('expires_at').execute();
  },

  async down(db: Kysely<any>): Promise<void> {
    await db.schema.dropTable('idempotency_keys').execute();
    await db.schema.dropTable('audit_records').execute();
  },
};
