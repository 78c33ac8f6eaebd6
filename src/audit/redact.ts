// Secrets never reach audit records (DESIGN §5, STYLE §2.6): a deep copy of what is stored, with
// its secrets replaced by '[redacted]' (the rules: domain/redaction.ts). The composition root wraps
// every audit store in redactingAuditStore, so the change runner (which may not import audit/,
// DESIGN §8) and any later writer are covered alike. The plan and the before/after states are
// redacted too: they carry the same fields as the request (e.g. a static Authorization mapping).
import { redactSecrets } from '../domain/redaction.js';
import type { AuditStore } from '../services/ports.js';

export { isSecretKey, REDACTED, redactSecrets, redactText } from '../domain/redaction.js';

/** The store, redacting `request`, `plan`, `before` (pending) and `after` (final) on their way in. */
export function redactingAuditStore(store: AuditStore): AuditStore {
  // Explicit delegation rather than a spread: a store may be a class instance.
  return {
    get: (id) => store.get(id),
    list: (query) => store.list(query),
    // Journal entries hold step ids, operations, AWS request ids, created ids and error names: no values.
    appendJournal: (id, lease, entries) => store.appendJournal(id, lease, entries),
    renewLease: (id, lease) => store.renewLease(id, lease),
    releaseLease: (id, owner, entries) => store.releaseLease(id, owner, entries),
    takeOver: (id, lease, now) => store.takeOver(id, lease, now),
    listTakeable: (now, limit) => store.listTakeable(now, limit),
    listPending: (apiId) => store.listPending(apiId),
    ping: () => store.ping(),
    close: () => store.close(),
    appendPending: (record) =>
      store.appendPending({
        ...record,
        request: redactSecrets(record.request),
        plan: redactSecrets(record.plan),
        before: redactSecrets(record.before),
      }),
    // The kept answer is redacted like the rest of the record (GET /v1/changes/{id} serves it).
    finalize: (id, final, options) =>
      store.finalize(id, { ...final, after: redactSecrets(final.after), ...(final.result ? { result: redactSecrets(final.result) } : {}) }, options),
  };
}
