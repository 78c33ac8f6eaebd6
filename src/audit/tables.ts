// Row shapes of the audit database, as Kysely sees them. Both dialects store times as
// ISO-8601 UTC text (`Date#toISOString()`, so text order is time order) and JSON as text,
// so one mapping in row-mapping.ts serves SQLite and PostgreSQL alike. No int8 columns:
// pg would hand them back as strings.

export interface AuditRecordsTable {
  /** Time-ordered id (see id.ts); `collate "C"` on Postgres so text order is byte order. */
  id: string;
  occurred_at: string;
  actor_id: string;
  actor_kind: string;
  request_id: string;
  idempotency_key: string | null;
  action: string;
  api_id: string;
  route_key: string | null;
  integration_id: string | null;
  status: string;
  /** JSON text; SQL NULL means "undefined", the JSON text `null` means null. */
  request_json: string | null;
  plan_json: string | null;
  before_json: string | null;
  after_json: string | null;
  aws_calls_json: string;
  error_json: string | null;
  leftovers_json: string | null;
  duration_ms: number | null;
  /** When the record left `pending` (final status or interrupted). */
  finalized_at: string | null;
  /** The instance running the pending change; NULL once released (or final). Migration 0002. */
  owner: string | null;
  /** Until when the owner holds the change unless it renews; ISO text. */
  lease_expires_at: string | null;
  deadline_at: string | null;
  /** The answer (status, body, headers) as JSON text, once final. */
  result_json: string | null;
  /** What the owner knew when it planned (domain/audit.ts KnownAtPlanning), JSON text. */
  known_json: string | null;
  /** The target the change acted in (issue 19); NULL: `default`. Migration 0004. */
  target: string | null;
}

/** One journal entry of a change (domain/journal.ts), numbered by its writer. Migration 0002. */
export interface ChangeJournalTable {
  change_id: string;
  seq: number;
  at: string;
  owner: string;
  entry_json: string;
}

/**
 * Idempotency-Key claims (idempotency-store.ts), keyed by (caller, key). `status` is `in_progress` or
 * `completed`; `response_json` holds the kept response once completed; `created_at` doubles as the
 * claim's token.
 */
export interface IdempotencyKeysTable {
  caller: string;
  key: string;
  request_hash: string;
  status: string;
  response_json: string | null;
  created_at: string;
  expires_at: string;
}

/** Instances sharing an AWS call budget (budget-members.ts), keyed by (budget_key, instance). Migration 0003. */
export interface BudgetMembersTable {
  budget_key: string;
  instance: string;
  expires_at: string;
}

export interface AuditDatabase {
  audit_records: AuditRecordsTable;
  change_journal: ChangeJournalTable;
  idempotency_keys: IdempotencyKeysTable;
  budget_members: BudgetMembersTable;
}
