// AuditStore over Kysely: one code path for SQLite and PostgreSQL. Database failures become
// DomainError('audit-unavailable') so the change runner can fail closed (503, no AWS call).
import { PostgresAdapter, sql, type ExpressionBuilder, type Kysely } from 'kysely';
import type { AuditPage, AuditRecord, ChangeLease } from '../domain/audit.js';
import { DomainError } from '../domain/errors.js';
import type { JournalEntry } from '../domain/journal.js';
import { guard } from './guard.js';
import { journaledUpdate } from './journaled-update.js';
import type { AuditStore, Clock, PendingChangeRef } from '../services/ports.js';
import { canonicalTime, encodeCursor, legacyCutoff, toAuditFilter, type AuditFilter } from './query.js';
import { storedTarget } from './target-filter.js';
import { finalToRowUpdate, journalToRow, pendingToRow, rowToJournal, rowToRecord, SUMMARY_OMITS } from './row-mapping.js';
import type { AuditDatabase, AuditRecordsTable } from './tables.js';

export interface KyselyAuditStoreOptions {
  /** Stamps finalized_at; defaults to the system clock. */
  clock?: Clock;
}

/** Whether the database is PostgreSQL (one-statement journal writes, audit/journaled-update.ts). */
function isPostgres(db: AuditDb): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

type AuditDb = Kysely<AuditDatabase>;

export function createKyselyAuditStore(db: AuditDb, options: KyselyAuditStoreOptions = {}): AuditStore {
  const clock = options.clock ?? { now: () => new Date() };
  const postgres = isPostgres(db);
  let closed: Promise<void> | undefined;
  /** The pending record `owner` owns, as an update to make (lease-lost when it matches nothing). */
  const owned = (id: string, owner: string) => (db: AuditDb) =>
    db.updateTable('audit_records').where('id', '=', id).where('owner', '=', owner).where('status', '=', 'pending');

  return {
    async appendPending(record) {
      const row = pendingToRow(record);
      await guard('append the pending audit record', () => insertRecord(db, row));
    },

    appendJournal: (id, lease, entries) =>
      guard('commit the change journal', async () => {
        const renew = (db: AuditDb) => owned(id, lease.owner)(db).set({ lease_expires_at: canonicalTime(lease.expiresAt) });
        if (!(await journaledUpdate(db, postgres, renew, id, entries))) throw leaseLost(id);
      }),

    renewLease: (id, lease) => guard('renew the change lease', () => renewOwnLease(db, id, lease)),

    releaseLease: (id, owner, entries) =>
      guard('hand the change over', async () => {
        const release = (db: AuditDb) => owned(id, owner)(db).set({ owner: null, lease_expires_at: null });
        if (!(await journaledUpdate(db, postgres, release, id, entries))) throw leaseLost(id);
      }),

    takeOver: (id, lease, now) => guard('take the change over', () => takeOverChange(db, id, lease, now.toISOString())),

    listTakeable: (now, limit) => guard('list changes to take over', () => selectTakeable(db, now.toISOString(), limit)),

    listPending: (apiId) => guard('list pending changes', () => selectPendingOfApi(db, apiId)),

    async finalize(id, final, options = {}) {
      const update = finalToRowUpdate(final, clock.now());
      await guard('finalize the audit record', async () => {
        // `status = 'pending'` makes pending -> final a compare-and-set: a record is finalised
        // exactly once even if two callers race; `owner` keeps a change another instance took
        // over from being finalised by the one that lost it.
        const finalize = (db: AuditDb) => {
          const pending = db.updateTable('audit_records').set(update).where('id', '=', id).where('status', '=', 'pending');
          return options.owner === undefined ? pending : pending.where('owner', '=', options.owner);
        };
        if (await journaledUpdate(db, postgres, finalize, id, options.journal ?? [])) return;
        // Nothing updated: say why (a bug in the caller, or another instance owns it now).
        const current = await selectRecord(db, id);
        if (current === undefined) throw new DomainError('not-found', `audit record ${id} does not exist`);
        if (current.status === 'pending') throw leaseLost(id);
        throw new DomainError('conflict', `audit record ${id} is already ${current.status}; it is finalised once`);
      });
    },

    get: (id) =>
      guard('read the audit record', async () => {
        const record = await selectRecord(db, id);
        if (record === undefined) return undefined;
        const journal = await selectJournal(db, id);
        return journal.length > 0 ? { ...record, journal } : record;
      }),

    async list(query) {
      const filter = toAuditFilter(query);
      return guard('list audit records', () => listRecords(db, filter));
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

/** Renews the lease, only while `lease.owner` still owns the pending change. */
async function renewOwnLease(db: AuditDb, id: string, lease: ChangeLease): Promise<void> {
  const result = await db
    .updateTable('audit_records')
    .set({ lease_expires_at: canonicalTime(lease.expiresAt) })
    .where('id', '=', id)
    .where('owner', '=', lease.owner)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  if (result.numUpdatedRows === 0n) throw leaseLost(id);
}

async function selectJournal(db: AuditDb, id: string): Promise<JournalEntry[]> {
  const rows = await db.selectFrom('change_journal').select('entry_json').where('change_id', '=', id).orderBy('seq').execute();
  return rows.map(rowToJournal);
}

async function takeOverChange(db: AuditDb, id: string, lease: ChangeLease, now: string): Promise<boolean> {
  const result = await db
    .updateTable('audit_records')
    .set({ owner: lease.owner, lease_expires_at: canonicalTime(lease.expiresAt) })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    // Released, expired, or its own (a change this instance stopped running, e.g. when the store
    // did not answer): never one another instance renews.
    .where((eb) => eb.or([...takeable(eb, now), eb('owner', '=', lease.owner)]))
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * A pending change nobody owns: released by its owner (a hand-over), its lease run out, or written
 * before leases existed and older than any change of those versions can run (they ran for at most
 * 16 minutes: a Lambda invocation's limit), so that a rolling upgrade never takes over a change an
 * old instance still runs.
 */
function takeable(eb: ExpressionBuilder<AuditDatabase, 'audit_records'>, now: string) {
  return [
    eb.and([eb('owner', 'is', null), eb('deadline_at', 'is not', null)]),
    eb('lease_expires_at', '<', now),
    eb.and([eb('deadline_at', 'is', null), eb('occurred_at', '<', legacyCutoff(now))]),
  ];
}

const PENDING_REF_COLUMNS = ['id', 'api_id', 'target', 'owner', 'lease_expires_at'] as const;

function toPendingRef(row: { id: string; api_id: string; target: string | null; owner: string | null; lease_expires_at: string | null }): PendingChangeRef {
  return {
    id: row.id,
    apiId: row.api_id,
    ...(row.target !== null ? { target: row.target } : {}),
    ...(row.owner !== null && row.lease_expires_at !== null ? { lease: { owner: row.owner, expiresAt: row.lease_expires_at } } : {}),
  };
}

async function selectTakeable(db: AuditDb, now: string, limit: number): Promise<PendingChangeRef[]> {
  const rows = await db
    .selectFrom('audit_records')
    .select(PENDING_REF_COLUMNS)
    .where('status', '=', 'pending')
    .where((eb) => eb.or(takeable(eb, now)))
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(toPendingRef);
}

async function selectPendingOfApi(db: AuditDb, apiId: string): Promise<PendingChangeRef[]> {
  const rows = await db
    .selectFrom('audit_records')
    .select(PENDING_REF_COLUMNS)
    .where('status', '=', 'pending')
    .where('api_id', '=', apiId)
    .orderBy('id')
    .execute();
  return rows.map(toPendingRef);
}

function leaseLost(id: string): DomainError {
  return new DomainError('lease-lost', `change ${id} is no longer this instance's: another instance took it over, or it is final`);
}

async function selectRecord(db: AuditDb, id: string): Promise<AuditRecord | undefined> {
  const row = await db.selectFrom('audit_records').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? undefined : rowToRecord(row);
}

/** The columns a `summary` listing reads (AuditQuery.fields); the rest come back as SUMMARY_OMITS. */
const SUMMARY_COLUMNS = [
  'id',
  'occurred_at',
  'actor_id',
  'actor_kind',
  'request_id',
  'idempotency_key',
  'action',
  'api_id',
  'route_key',
  'integration_id',
  'status',
  'request_json',
  'before_json',
  'after_json',
  'leftovers_json',
  'duration_ms',
  'finalized_at',
  'owner',
  'lease_expires_at',
  'deadline_at',
  'target',
] as const satisfies readonly (keyof AuditRecordsTable)[];

/** A `trail` listing: the summary and the kept answer. */
const TRAIL_COLUMNS = [...SUMMARY_COLUMNS, 'result_json'] as const satisfies readonly (keyof AuditRecordsTable)[];

async function listRecords(db: AuditDb, filter: AuditFilter): Promise<AuditPage> {
  let query =
    filter.fields === 'summary'
      ? db.selectFrom('audit_records').select(SUMMARY_COLUMNS)
      : filter.fields === 'trail'
        ? db.selectFrom('audit_records').select(TRAIL_COLUMNS)
        : db.selectFrom('audit_records').selectAll();
  if (filter.statuses !== undefined) query = query.where('status', 'in', filter.statuses.length > 0 ? [...filter.statuses] : ['-none-']);
  if (filter.apiId !== undefined) query = query.where('api_id', '=', filter.apiId);
  if (filter.target !== undefined) {
    const stored = storedTarget(filter.target);
    query = stored === null ? query.where('target', 'is', null) : query.where('target', '=', stored);
  }
  if (filter.routeKey !== undefined) query = query.where('route_key', '=', filter.routeKey);
  if (filter.actorId !== undefined) query = query.where('actor_id', '=', filter.actorId);
  if (filter.action !== undefined) query = query.where('action', '=', filter.action);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (filter.from !== undefined) query = query.where('occurred_at', '>=', filter.from);
  if (filter.to !== undefined) query = query.where('occurred_at', '<', filter.to);
  if (filter.beforeId !== undefined) query = query.where('id', '<', filter.beforeId);
  // One extra row tells whether another page exists, so the last page has no cursor.
  const rows = await query.orderBy('id', 'desc').limit(filter.limit + 1).execute();
  const items = rows.slice(0, filter.limit).map((row) => rowToRecord({ ...SUMMARY_OMITS, ...row } as AuditRecordsTable));
  const last = items.at(-1);
  return rows.length > filter.limit && last !== undefined ? { items, nextCursor: encodeCursor(last.id) } : { items };
}

async function selectOne(db: AuditDb): Promise<void> {
  await sql`select 1`.execute(db);
}
