// An AuditStore in memory for fast unit tests. It keeps database rows (via the same mapping as
// the Kysely store), so JSON round-trips, canonical times and absent fields behave identically;
// the shared contract suite holds both to the same semantics.
import type { AuditRecord, AuditStatus } from '../domain/audit.js';
import { DomainError } from '../domain/errors.js';
import type { JournalEntry } from '../domain/journal.js';
import type { AuditStore, Clock, PendingChangeRef } from '../services/ports.js';
import { canonicalTime, encodeCursor, legacyCutoff, toAuditFilter, type AuditFilter } from './query.js';
import { storedTarget } from './target-filter.js';
import { finalToRowUpdate, pendingToRow, rowToRecord, SUMMARY_OMITS } from './row-mapping.js';
import type { AuditRecordsTable } from './tables.js';

export interface MemoryAuditStore extends AuditStore {
  /** Fault switch: while on, every call fails as a down database would (audit-unavailable). */
  setUnavailable(unavailable: boolean): void;
  /** Every record, oldest first, for assertions. */
  records(): AuditRecord[];
}

export function createMemoryAuditStore(options: { clock?: Clock } = {}): MemoryAuditStore {
  const clock = options.clock ?? { now: () => new Date() };
  const rows = new Map<string, AuditRecordsTable>();
  const journals = new Map<string, JournalEntry[]>();
  let unavailable = false;
  let closed = false;

  // Async like a database: a failure is a rejected promise, never a synchronous throw.
  async function available(what: string): Promise<void> {
    if (closed || unavailable) {
      const reason = closed ? 'the store is closed' : 'the fault switch is on';
      throw new DomainError('audit-unavailable', `audit store unavailable: could not ${what}`, {
        cause: new Error(reason),
      });
    }
  }

  return {
    async appendPending(record) {
      const row = pendingToRow(record);
      await available('append the pending audit record');
      if (rows.has(row.id)) {
        // A primary-key violation in the database.
        throw new DomainError('audit-unavailable', 'audit store unavailable: could not append the pending audit record', {
          cause: new Error(`duplicate audit record id ${row.id}`),
        });
      }
      rows.set(row.id, row);
    },

    async appendJournal(id, lease, entries) {
      await available('commit the change journal');
      ownedRow(id, lease.owner).lease_expires_at = canonicalTime(lease.expiresAt);
      appendEntries(id, entries);
    },

    async renewLease(id, lease) {
      await available('renew the change lease');
      ownedRow(id, lease.owner).lease_expires_at = canonicalTime(lease.expiresAt);
    },

    async releaseLease(id, owner, entries) {
      await available('hand the change over');
      const row = ownedRow(id, owner);
      appendEntries(id, entries);
      row.owner = null;
      row.lease_expires_at = null;
    },

    async takeOver(id, lease, now) {
      await available('take the change over');
      const row = rows.get(id);
      if (row === undefined || row.status !== 'pending' || !(isTakeable(row, now.toISOString()) || row.owner === lease.owner)) return false;
      row.owner = lease.owner;
      row.lease_expires_at = canonicalTime(lease.expiresAt);
      return true;
    },

    async listTakeable(now, limit) {
      await available('list changes to take over');
      return pendingRows()
        .filter((row) => isTakeable(row, now.toISOString()))
        .slice(0, limit)
        .map(toPendingRef);
    },

    async listPending(apiId) {
      await available('list pending changes');
      return pendingRows()
        .filter((row) => row.api_id === apiId)
        .map(toPendingRef);
    },

    async finalize(id, final, options = {}) {
      const update = finalToRowUpdate(final, clock.now());
      await available('finalize the audit record');
      const row = rows.get(id);
      if (row === undefined) throw new DomainError('not-found', `audit record ${id} does not exist`);
      if (row.status !== 'pending') {
        throw new DomainError('conflict', `audit record ${id} is already ${row.status}; it is finalised once`);
      }
      if (options.owner !== undefined && row.owner !== options.owner) throw leaseLost(id);
      appendEntries(id, options.journal ?? []);
      rows.set(id, { ...row, ...update });
    },

    async get(id) {
      await available('read the audit record');
      const row = rows.get(id);
      if (row === undefined) return undefined;
      const journal = journals.get(id);
      return journal && journal.length > 0 ? { ...rowToRecord(row), journal: structuredClone(journal) } : rowToRecord(row);
    },

    async list(query) {
      const filter = toAuditFilter(query);
      await available('list audit records');
      const matching = [...rows.values()]
        .filter((row) => matches(row, filter))
        .sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
      const items = matching.slice(0, filter.limit).map((row) =>
        rowToRecord(
          filter.fields === 'summary'
            ? { ...row, ...SUMMARY_OMITS }
            : filter.fields === 'trail'
              ? { ...row, ...SUMMARY_OMITS, result_json: row.result_json }
              : row,
        ),
      );
      const last = items.at(-1);
      return matching.length > filter.limit && last !== undefined
        ? { items, nextCursor: encodeCursor(last.id) }
        : { items };
    },

    async ping() {
      await available('reach the audit database');
    },

    async close() {
      closed = true;
    },

    setUnavailable(value) {
      unavailable = value;
    },

    records() {
      return [...rows.values()].sort(byId).map((row) => {
        const journal = journals.get(row.id);
        return journal && journal.length > 0 ? { ...rowToRecord(row), journal: structuredClone(journal) } : rowToRecord(row);
      });
    },
  };

  /** The pending row `owner` owns; lease-lost otherwise (taken over, released, or final). */
  function ownedRow(id: string, owner: string): AuditRecordsTable {
    const row = rows.get(id);
    if (row === undefined || row.status !== 'pending' || row.owner !== owner) throw leaseLost(id);
    return row;
  }

  function appendEntries(id: string, entries: readonly JournalEntry[]): void {
    const journal = journals.get(id) ?? [];
    for (const entry of entries) {
      // The journal's primary key is (change, seq) in the database too.
      if (journal.some((existing) => existing.seq === entry.seq)) {
        throw new DomainError('audit-unavailable', 'audit store unavailable: could not commit the change journal', {
          cause: new Error(`duplicate journal entry ${id}#${entry.seq}`),
        });
      }
    }
    journals.set(id, [...journal, ...structuredClone(entries)].sort((a, b) => a.seq - b.seq));
  }

  function pendingRows(): AuditRecordsTable[] {
    return [...rows.values()].filter((row) => row.status === 'pending').sort(byId);
  }
}

function byId(a: AuditRecordsTable, b: AuditRecordsTable): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** As the Kysely store's `takeable` (audit/store.ts): released, expired, or legacy and old. */
function isTakeable(row: AuditRecordsTable, now: string): boolean {
  if (row.status !== 'pending') return false;
  if (row.owner === null && row.deadline_at !== null) return true;
  if (row.lease_expires_at !== null && row.lease_expires_at < now) return true;
  return row.deadline_at === null && row.occurred_at < legacyCutoff(now);
}

function toPendingRef(row: AuditRecordsTable): PendingChangeRef {
  return {
    id: row.id,
    apiId: row.api_id,
    ...((row.target ?? null) !== null ? { target: row.target! } : {}),
    ...(row.owner !== null && row.lease_expires_at !== null ? { lease: { owner: row.owner, expiresAt: row.lease_expires_at } } : {}),
  };
}

function leaseLost(id: string): DomainError {
  return new DomainError('lease-lost', `change ${id} is no longer this instance's: another instance took it over, or it is final`);
}

function matches(row: AuditRecordsTable, filter: AuditFilter): boolean {
  return (
    (filter.apiId === undefined || row.api_id === filter.apiId) &&
    (filter.target === undefined || row.target === storedTarget(filter.target)) &&
    (filter.routeKey === undefined || row.route_key === filter.routeKey) &&
    (filter.actorId === undefined || row.actor_id === filter.actorId) &&
    (filter.action === undefined || row.action === filter.action) &&
    (filter.status === undefined || row.status === filter.status) &&
    (filter.statuses === undefined || filter.statuses.includes(row.status as AuditStatus)) &&
    (filter.from === undefined || row.occurred_at >= filter.from) &&
    (filter.to === undefined || row.occurred_at < filter.to) &&
    (filter.beforeId === undefined || row.id < filter.beforeId)
  );
}
