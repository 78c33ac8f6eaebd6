// Audit records (DESIGN §5): append-only; the only updates are pending -> final, and while a change
// runs its journal entries, its lease renewals and its hand-overs (DESIGN §3).
import type { JournalEntry } from './journal.js';

export type AuditStatus = 'pending' | 'succeeded' | 'failed' | 'rolled_back' | 'partial' | 'interrupted';
/**
 * `interrupted`: taken over from an owner that died, with no journal to say which steps ran (a
 * record written before the journal existed).
 */
export type FinalAuditStatus = Exclude<AuditStatus, 'pending'>;

export interface Actor {
  id: string;
  kind: 'api-key' | 'jwt' | 'iam' | 'anonymous';
}

export interface AuditAwsCall {
  service: string;
  operation: string;
  requestId?: string;
  outcome: 'ok' | 'error';
  error?: string;
  httpStatus?: number;
  attempts?: number;
  durationMs: number;
}

export interface PendingAudit {
  id: string;
  occurredAt: string;
  actor: Actor;
  requestId: string;
  idempotencyKey?: string;
  action: string;
  apiId: string;
  /** The target (issue 19) the change acted in; absent: `default` (and every record before targets). */
  target?: string;
  routeKey?: string;
  integrationId?: string;
  request: unknown;
  plan: unknown;
  before: unknown;
  /** The guardrail policy that allowed the change (DESIGN §4a); absent on reads and older records. */
  guardrailPolicy?: string;
}

/** Who runs a pending change, and until when unless renewed (DESIGN §3: owners and recovery). */
export interface ChangeLease {
  owner: string;
  /** ISO-8601 UTC. */
  expiresAt: string;
}

/** A pending record as the change runner writes it: the plan, its owner, and its deadline. */
export interface PendingChange extends PendingAudit {
  lease: ChangeLease;
  /** ISO-8601 UTC: past it, the change stops at a step boundary, compensates and fails. */
  deadlineAt: string;
  /** What the owner knew when it planned, for whoever has to find out what a lost answer did. */
  known?: KnownAtPlanning;
}

/** The API's integration ids when the change was planned: a create whose answer was lost is then told apart. */
export interface KnownAtPlanning {
  integrationIds?: string[];
}

/** The answer a change gave (or would have given) its caller: served by GET /v1/changes/{id}. */
export interface ChangeResultRecord {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface AuditFinal {
  status: FinalAuditStatus;
  integrationId?: string;
  after: unknown;
  awsCalls: AuditAwsCall[];
  error?: { kind: string; message: string; aws?: { error: string; requestId?: string } };
  /** What a failed compensation left behind (status `partial`). */
  leftovers?: string[];
  durationMs: number;
  /** The answer for the caller, kept for GET /v1/changes/{id} and Idempotency-Key repeats. */
  result?: ChangeResultRecord;
}

export interface AuditRecord extends PendingAudit {
  status: AuditStatus;
  after?: unknown;
  awsCalls: AuditAwsCall[];
  error?: AuditFinal['error'];
  leftovers?: string[];
  durationMs?: number;
  /** While pending: who runs it (absent once released for another instance to take over). */
  lease?: ChangeLease;
  deadlineAt?: string;
  known?: KnownAtPlanning;
  result?: ChangeResultRecord;
  /** When the record left `pending`. */
  finishedAt?: string;
  /** The steps that ran, in order (records written before the journal existed have none). */
  journal?: JournalEntry[];
}

export interface AuditQuery {
  apiId?: string;
  /** Only changes in this target; `default` matches records with none. */
  target?: string;
  routeKey?: string;
  actorId?: string;
  action?: string;
  status?: AuditStatus;
  /** Any of these statuses (with `status`, both must hold). */
  statuses?: readonly AuditStatus[];
  /**
   * `summary`: only what a reader of the trail's outcome needs (ids, action, status, route and
   * integration, request, before, after, leftovers): no plan, AWS calls, error, kept answer or
   * planning facts, which are most of a bulk record's size. `trail`: `summary` and the kept answer
   * (the stage rule needs the deployment a change made). Default `full`.
   */
  fields?: 'full' | 'summary' | 'trail';
  from?: string;
  to?: string;
  /** Opaque cursor from a previous page. */
  cursor?: string;
  limit: number;
}

export interface AuditPage {
  items: AuditRecord[];
  nextCursor?: string;
}
