// An AuditStore in memory for fast unit tests. It keeps database rows (via the same mapping as
// the Kysely store), so JSON round-trips, canonical times and absent fields behave identically;
// the shared contract suite holds both to the same semantics.
import type { AuditRecord } from '../domain/audit.js';
import { DomainError } from '../domain/errors.js';
import type { AuditStore, Clock } from '../services/ports.js';
import { encodeCursor, toAuditFilter, type AuditFilter } from './query.js';
import { finalToRowUpdate, pendingToRow, rowToRecord } from './row-mapping.js';
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

    async finalize(id, final) {
      const update = finalToRowUpdate(final, clock.now());
      await available('finalize the audit record');
      const row = rows.get(id);
      if (row === undefined) throw new DomainError('not-found', `audit record ${id} does not exist`);
      if (row.status !== 'pending') {
        throw new DomainError('conflict', `audit record ${id} is already ${row.status}; it is finalised once`);
      }
      rows.set(id, { ...row, ...update });
    },

    async get(id) {
      await available('read the audit record');
      const row = rows.get(id);
      return row === undefined ? undefined : rowToRecord(row);
    },

    async list(query) {
      const filter = toAuditFilter(query);
      await available('list audit records');
      const matching = [...rows.values()]
        .filter((row) => matches(row, filter))
        .sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
      const items = matching.slice(0, filter.limit).map(rowToRecord);
      const last = items.at(-1);
      return matching.length > filter.limit && last !== undefined
        ? { items, nextCursor: encodeCursor(last.id) }
        : { items };
    },

    async markInterrupted(olderThan) {
      await available('mark interrupted audit records');
      const before = olderThan.toISOString();
      const at = clock.now().toISOString();
      let count = 0;
      for (const row of rows.values()) {
        if (row.status === 'pending' && row.occurred_at < before) {
          rows.set(row.id, { ...row, status: 'interrupted', finalized_at: at });
          count += 1;
        }
      }
      return count;
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
      return [...rows.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map(rowToRecord);
    },
  };
}

function matches(row: AuditRecordsTable, filter: AuditFilter): boolean {
  return (
    (filter.apiId === undefined || row.api_id === filter.apiId) &&
    (filter.routeKey === undefined || row.route_key === filter.routeKey) &&
    (filter.actorId === undefined || row.actor_id === filter.actorId) &&
    (filter.action === undefined || row.action === filter.action) &&
    (filter.status === undefined || row.status === filter.status) &&
    (filter.from === undefined || row.occurred_at >= filter.from) &&
    (filter.to === undefined || row.occurred_at < filter.to) &&
    (filter.beforeId === undefined || row.id < filter.beforeId)
  );
}
