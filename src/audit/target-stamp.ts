// The audit store a target's change runner writes through (issue 19): every record it appends
// carries the target's name, with no change to the runner. The default target's records carry
// none, as before targets (audit/target-filter.ts).
import type { AuditStore } from '../services/ports.js';

export function targetStampingAuditStore(store: AuditStore, target: string): AuditStore {
  // Explicit delegation rather than a spread: a store may be a class instance.
  return {
    get: (id) => store.get(id),
    list: (query) => store.list(query),
    appendPending: (record) => store.appendPending({ ...record, target }),
    appendJournal: (id, lease, entries) => store.appendJournal(id, lease, entries),
    renewLease: (id, lease) => store.renewLease(id, lease),
    releaseLease: (id, owner, entries) => store.releaseLease(id, owner, entries),
    takeOver: (id, lease, now) => store.takeOver(id, lease, now),
    listTakeable: (now, limit) => store.listTakeable(now, limit),
    listPending: (apiId) => store.listPending(apiId),
    finalize: (id, final, options) => store.finalize(id, final, options),
    ping: () => store.ping(),
    close: () => store.close(),
  };
}

/**
 * The audit trail as one target reads it (drift, the stage holds of permissions): lists carry the
 * target's filter, so another target's records of an API with the same id (ids are unique only
 * within a region) never count. `default` reads the records with no target.
 */
export function targetReadingAuditStore(store: AuditStore, target: string): AuditStore {
  return {
    get: (id) => store.get(id),
    list: (query) => store.list({ ...query, target }),
    appendPending: (record) => store.appendPending(record),
    appendJournal: (id, lease, entries) => store.appendJournal(id, lease, entries),
    renewLease: (id, lease) => store.renewLease(id, lease),
    releaseLease: (id, owner, entries) => store.releaseLease(id, owner, entries),
    takeOver: (id, lease, now) => store.takeOver(id, lease, now),
    listTakeable: (now, limit) => store.listTakeable(now, limit),
    listPending: (apiId) => store.listPending(apiId),
    finalize: (id, final, options) => store.finalize(id, final, options),
    ping: () => store.ping(),
    close: () => store.close(),
  };
}
