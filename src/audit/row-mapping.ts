// Audit record <-> database row. Shared by the Kysely store and the in-memory store, so both
// have exactly the same round-trip semantics (JSON text, canonical ISO times, absent fields).
import type { Actor, AuditFinal, AuditRecord, AuditStatus, PendingAudit, PendingChange } from '../domain/audit.js';
import type { JournalEntry } from '../domain/journal.js';
import { canonicalTime } from './query.js';
import type { AuditRecordsTable, ChangeJournalTable } from './tables.js';

/** A pending change's row: with its lease and deadline (a bare PendingAudit, from older callers and tests, has neither). */
export function pendingToRow(record: PendingAudit | PendingChange): AuditRecordsTable {
  const change = 'lease' in record ? record : undefined;
  return {
    id: record.id,
    occurred_at: canonicalTime(record.occurredAt),
    actor_id: record.actor.id,
    actor_kind: record.actor.kind,
    request_id: record.requestId,
    idempotency_key: record.idempotencyKey ?? null,
    action: record.action,
    api_id: record.apiId,
    route_key: record.routeKey ?? null,
    integration_id: record.integrationId ?? null,
    status: 'pending',
    request_json: toJson(record.request),
    plan_json: toJson(record.plan),
    before_json: toJson(record.before),
    after_json: null,
    aws_calls_json: '[]',
    error_json: null,
    leftovers_json: null,
    duration_ms: null,
    finalized_at: null,
    owner: change?.lease.owner ?? null,
    lease_expires_at: change ? canonicalTime(change.lease.expiresAt) : null,
    deadline_at: change ? canonicalTime(change.deadlineAt) : null,
    result_json: null,
    // The policy rides in the JSON column of what the owner knew at planning: no migration.
    known_json: toJson(knownColumnOf(change?.known, record.guardrailPolicy)),
    target: record.target ?? null,
  };
}

export type FinalRowUpdate = Pick<
  AuditRecordsTable,
  | 'status'
  | 'after_json'
  | 'aws_calls_json'
  | 'error_json'
  | 'leftovers_json'
  | 'duration_ms'
  | 'finalized_at'
  | 'owner'
  | 'lease_expires_at'
  | 'result_json'
> &
  Partial<Pick<AuditRecordsTable, 'integration_id'>>;

export function finalToRowUpdate(final: AuditFinal, finalizedAt: Date): FinalRowUpdate {
  return {
    status: final.status,
    // The integration may only exist once the change ran (a create); otherwise keep the pending one.
    ...(final.integrationId === undefined ? {} : { integration_id: final.integrationId }),
    after_json: toJson(final.after),
    aws_calls_json: JSON.stringify(final.awsCalls),
    error_json: toJson(final.error),
    leftovers_json: toJson(final.leftovers),
    // An integer column: a fractional duration from performance.now() would fail on Postgres.
    duration_ms: Math.round(final.durationMs),
    finalized_at: finalizedAt.toISOString(),
    // A final record has no owner: nobody runs it any more.
    owner: null,
    lease_expires_at: null,
    result_json: toJson(final.result),
  };
}

/** The columns a `summary` listing leaves out (AuditQuery.fields), as a row holds them when empty. */
export const SUMMARY_OMITS = {
  plan_json: null,
  aws_calls_json: '[]',
  error_json: null,
  result_json: null,
  known_json: null,
} as const satisfies Partial<AuditRecordsTable>;

export function rowToRecord(row: AuditRecordsTable): AuditRecord {
  // Optional fields are left out rather than set to undefined, so records compare cleanly.
  const record: AuditRecord = {
    id: row.id,
    occurredAt: row.occurred_at,
    actor: { id: row.actor_id, kind: row.actor_kind as Actor['kind'] },
    requestId: row.request_id,
    action: row.action,
    apiId: row.api_id,
    status: row.status as AuditStatus,
    request: fromJson(row.request_json),
    plan: fromJson(row.plan_json),
    before: fromJson(row.before_json),
    awsCalls: JSON.parse(row.aws_calls_json) as AuditRecord['awsCalls'],
  };
  if (row.idempotency_key !== null) record.idempotencyKey = row.idempotency_key;
  // `?? null`: rows read from a store written before migration 0004 (DynamoDB items) have no target.
  if ((row.target ?? null) !== null) record.target = row.target!;
  if (row.route_key !== null) record.routeKey = row.route_key;
  if (row.integration_id !== null) record.integrationId = row.integration_id;
  if (row.after_json !== null) record.after = fromJson(row.after_json);
  if (row.error_json !== null) record.error = fromJson(row.error_json) as AuditRecord['error'];
  if (row.leftovers_json !== null) record.leftovers = fromJson(row.leftovers_json) as string[];
  if (row.duration_ms !== null) record.durationMs = Number(row.duration_ms);
  if (row.owner !== null && row.lease_expires_at !== null) record.lease = { owner: row.owner, expiresAt: row.lease_expires_at };
  if (row.deadline_at !== null) record.deadlineAt = row.deadline_at;
  if (row.result_json !== null) record.result = fromJson(row.result_json) as AuditRecord['result'];
  if (row.known_json !== null) {
    const { guardrailPolicy, ...known } = fromJson(row.known_json) as NonNullable<AuditRecord['known']> & { guardrailPolicy?: string };
    if (Object.keys(known).length > 0) record.known = known;
    if (guardrailPolicy !== undefined) record.guardrailPolicy = guardrailPolicy;
  }
  if (row.finalized_at !== null) record.finishedAt = row.finalized_at;
  return record;
}

export function journalToRow(changeId: string, entry: JournalEntry): ChangeJournalTable {
  return { change_id: changeId, seq: entry.seq, at: canonicalTime(entry.at), owner: entry.owner, entry_json: JSON.stringify(entry) };
}

export function rowToJournal(row: Pick<ChangeJournalTable, 'entry_json'>): JournalEntry {
  return JSON.parse(row.entry_json) as JournalEntry;
}

function knownColumnOf(known: PendingChange['known'], guardrailPolicy: string | undefined): object | undefined {
  if (guardrailPolicy === undefined) return known;
  return { ...known, guardrailPolicy };
}

// SQL NULL stands for undefined; JSON `null` stays null.
function toJson(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

function fromJson(text: string | null): unknown {
  return text === null ? undefined : (JSON.parse(text) as unknown);
}
