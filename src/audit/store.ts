// AuditStore over Kysely: one code path for SQLite and PostgreSQL. Database failures become
// DomainError('audit-unavailable') so the change runner can fail closed (503, no AWS call).
import { sql, type Kysely } from 'kysely';
import type { AuditPage, AuditRecord } from '../domain/audit.js';
import { DomainError } from '../domain/errors.js';
import { guard } from './guard.js';
import type { AuditStore, Clock } from '../services/ports.js';
import { canonicalTime, encodeCursor, toAuditFilter, type AuditFilter } from './query.js';
import { finalToRowUpdate, pendingToRow, rowToRecord } from './row-mapping.js';
import type { AuditDatabase } from './tables.js';

export interface KyselyAuditStoreOptions {
  /** Stamps finalized_at; defaults to the system clock. */
  clock?: Clock;
}

type AuditDb = Kysely<AuditDatabase>;

export function createKyselyAuditStore(db: AuditDb, options: KyselyAuditStoreOptions = {}): AuditStore {
  const clock = options.clock ?? { now: () => new Date() };
  let closed: Promise<void> | undefined;

  return {
    async appendPending(record) {
      const row = pendingToRow(record);
      await guard('append the pending audit record', () => insertRecord(db, row));
    },

    async finalize(id, final) {
      const update = finalToRowUpdate(final, clock.now());
      await guard('finalize the audit record', async () => {
        if (await finalizePending(db, id, update)) return;
        // Nothing updated: say why (a bug in the caller either way, never retried).
        const current = await selectRecord(db, id);
        if (current === undefined) throw new DomainError('not-found', `audit record ${id} does not exist`);
        throw new DomainError('conflict', `audit record ${id} is already ${current.status}; it is finalised once`);
      });
    },

    get: (id) => guard('read the audit record', () => selectRecord(db, id)),

    async list(query) {
      const filter = toAuditFilter(query);
      return guard('list audit records', () => listRecords(db, filter));
    },

    async markInterrupted(olderThan) {
      const before = olderThan.toISOString();
      const at = clock.now().toISOString();
      return guard('mark interrupted audit records', () => markPendingInterrupted(db, before, at));
    },

    ping: () => guard('reach the audit database', () => selectOne(db)),

    close() {
      // Idempotent: the composition root and tests may both close.
      closed ??= guard('close the audit database', () => db.destroy());
      return closed;
    },
  };
}

// Repository functions: each takes the database (or a transaction) and does one statement.

async function insertRecord(db: AuditDb, row: ReturnType<typeof pendingToRow>): Promise<void> {
  await db.insertInto('audit_records').values(row).execute();
}

async function finalizePending(
  db: AuditDb,
  id: string,
  update: ReturnType<typeof finalToRowUpdate>,
): Promise<boolean> {
  // `status = 'pending'` in the WHERE makes pending -> final a compare-and-set: a record is
  // finalised exactly once even if two callers race.
  const result = await db
    .updateTable('audit_records')
    .set(update)
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

async function selectRecord(db: AuditDb, id: string): Promise<AuditRecord | undefined> {
  const row = await db.selectFrom('audit_records').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? undefined : rowToRecord(row);
}

async function listRecords(db: AuditDb, filter: AuditFilter): Promise<AuditPage> {
  let query = db.selectFrom('audit_records').selectAll();
  if (filter.apiId !== undefined) query = query.where('api_id', '=', filter.apiId);
  if (filter.routeKey !== undefined) query = query.where('route_key', '=', filter.routeKey);
  if (filter.actorId !== undefined) query = query.where('actor_id', '=', filter.actorId);
  if (filter.action !== undefined) query = query.where('action', '=', filter.action);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (filter.from !== undefined) query = query.where('occurred_at', '>=', filter.from);
  if (filter.to !== undefined) query = query.where('occurred_at', '<', filter.to);
  if (filter.beforeId !== undefined) query = query.where('id', '<', filter.beforeId);
  // One extra row tells whether another page exists, so the last page has no cursor.
  const rows = await query.orderBy('id', 'desc').limit(filter.limit + 1).execute();
  const items = rows.slice(0, filter.limit).map(rowToRecord);
  const last = items.at(-1);
  return rows.length > filter.limit && last !== undefined ? { items, nextCursor: encodeCursor(last.id) } : { items };
}

async function markPendingInterrupted(db: AuditDb, olderThan: string, at: string): Promise<number> {
  const result = await db
    .updateTable('audit_records')
    .set({ status: 'interrupted', finalized_at: at })
    .where('status', '=', 'pending')
    .where('occurred_at', '<', olderThan)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

async function selectOne(db: AuditDb): Promise<void> {
  await sql`select 1`.execute(db);
}
