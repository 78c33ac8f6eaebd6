// Secrets never reach audit records (DESIGN §5, STYLE §2.6): a deep copy of what is stored, with
// the value under any key that looks secret replaced by '[redacted]'. The composition root wraps
// every audit store in redactingAuditStore, so the change runner (which may not import audit/,
// DESIGN §8) and any later writer are covered alike. The plan and the before/after states are
// redacted too: they carry the same fields as the request (e.g. a static Authorization mapping).
import { REDACTED_VALUE } from '../domain/journal.js';
import type { AuditStore } from '../services/ports.js';

export const REDACTED = REDACTED_VALUE;

// Compared after lower-casing and dropping '-' and '_', so `x-api-key`, `api_key`, `apiKey`
// and `X-Api-Key` are one name.
const SECRET_NAMES = new Set([
  'authorization',
  'proxyauthorization',
  'password',
  'passwd',
  'passphrase',
  'secret',
  'clientsecret',
  'secretaccesskey',
  'token',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'sessiontoken',
  'apikey',
  'xapikey',
  'credentials',
  'cookie',
  'setcookie',
  'privatekey',
]);

// Substrings that make any key secret: `dbPassword`, `webhookSecret`, `slackToken`, `x-auth-token`.
const SECRET_PARTS = ['password', 'passwd', 'secret', 'token', 'apikey', 'privatekey'];

// Not secrets although they contain a secret-looking part: fields Gatewire keeps to stay
// auditable. (`credentialsArn` and `invokeWithCallerCredentials` never match: `credentials` is
// matched as a whole name only.)
const KEPT_NAMES = new Set(['tokencount', 'tokentype']);

/**
 * True when the value under `key` is to be redacted. A dotted key is a parameter mapping
 * (`integration.request.header.Authorization`): its last segment, the header or parameter name, decides.
 */
export function isSecretKey(key: string): boolean {
  const lastSegment = key.slice(key.lastIndexOf('.') + 1);
  const name = lastSegment.toLowerCase().replace(/[-_]/g, '');
  if (name === '' || KEPT_NAMES.has(name)) return false;
  return SECRET_NAMES.has(name) || SECRET_PARTS.some((part) => name.includes(part));
}

/**
 * A deep copy of `value` (JSON-like data) with secret-looking keys' values replaced by
 * '[redacted]'. Whatever sits under such a key goes, objects and arrays included. Cycles are cut.
 */
export function redactSecrets<T>(value: T): T {
  return copy(value, new WeakSet()) as T;
}

function copy(value: unknown, seen: WeakSet<object>): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => copy(item, seen));
    if (value instanceof Date) return new Date(value.getTime());
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      out[key] = isSecretKey(key) ? REDACTED : copy(inner, seen);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

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
