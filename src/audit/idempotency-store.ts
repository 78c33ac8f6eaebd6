// IdempotencyStore over the audit database's Kysely instance (one code path for SQLite and
// PostgreSQL). Every method is one statement; the claim is INSERT … ON CONFLICT DO NOTHING, and
// every later change to a row is a compare-and-set on (caller, key, status, created_at), so two
// instances sharing the database never both hold one key. Database failures become
// DomainError('audit-unavailable'): the plugin then refuses the request rather than risk a
// second run (fail closed, like the audit trail).
import type { Kysely } from 'kysely';
import { guard } from './guard.js';
import type { IdempotencyStore } from '../services/ports.js';
import { entryToRow, responseToJson, rowToEntry } from './idempotency-rows.js';
import type { AuditDatabase } from './tables.js';

export function createKyselyIdempotencyStore(db: Kysely<AuditDatabase>): IdempotencyStore {
  return {
    insertIfAbsent: (entry) =>
      guard('claim the idempotency key', async () => {
        const result = await db
          .insertInto('idempotency_keys')
          .values(entryToRow(entry))
          .onConflict((conflict) => conflict.columns(['caller', 'key']).doNothing())
          .executeTakeFirst();
        return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
      }),

    find: (caller, key) =>
      guard('read the idempotency key', async () => {
        const row = await db
          .selectFrom('idempotency_keys')
          .selectAll()
          .where('caller', '=', caller)
          .where('key', '=', key)
          .executeTakeFirst();
        return row === undefined ? undefined : rowToEntry(row);
      }),

    replace: (current, next) =>
      guard('take over the idempotency key', async () => {
        const row = entryToRow(next);
        const result = await db
          .updateTable('idempotency_keys')
          .set({
            request_hash: row.request_hash,
            status: row.status,
            response_json: row.response_json,
            created_at: row.created_at,
            expires_at: row.expires_at,
          })
          .where('caller', '=', current.caller)
          .where('key', '=', current.key)
          .where('status', '=', current.status)
          .where('created_at', '=', current.createdAt)
          .executeTakeFirst();
        return Number(result.numUpdatedRows) === 1;
      }),

    complete: (claim, response) =>
      guard('store the idempotent response', async () => {
        const result = await db
          .updateTable('idempotency_keys')
          .set({ status: 'completed', response_json: responseToJson(response) })
          .where('caller', '=', claim.caller)
          .where('key', '=', claim.key)
          .where('status', '=', 'in_progress')
          .where('created_at', '=', claim.createdAt)
          .executeTakeFirst();
        return Number(result.numUpdatedRows) === 1;
      }),

    release: (claim) =>
      guard('release the idempotency key', async () => {
        const result = await db
          .deleteFrom('idempotency_keys')
          .where('caller', '=', claim.caller)
          .where('key', '=', claim.key)
          .where('status', '=', 'in_progress')
          .where('created_at', '=', claim.createdAt)
          .executeTakeFirst();
        return Number(result.numDeletedRows) === 1;
      }),

    deleteExpired: (now) =>
      guard('delete expired idempotency keys', async () => {
        const result = await db.deleteFrom('idempotency_keys').where('expires_at', '<=', now.toISOString()).executeTakeFirst();
        return Number(result.numDeletedRows);
      }),
  };
}
