// Audit records (DESIGN §5): append-only; the only update is pending -> final.

export type AuditStatus = 'pending' | 'succeeded' | 'failed' | 'rolled_back' | 'partial' | 'interrupted';
export type FinalAuditStatus = Exclude<AuditStatus, 'pending' | 'interrupted'>;

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
  routeKey?: string;
  integrationId?: string;
  request: unknown;
  plan: unknown;
  before: unknown;
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
}

export interface AuditRecord extends PendingAudit {
  status: AuditStatus;
  after?: unknown;
  awsCalls: AuditAwsCall[];
  error?: AuditFinal['error'];
  leftovers?: string[];
  durationMs?: number;
}

export interface AuditQuery {
  apiId?: string;
  routeKey?: string;
  actorId?: string;
  action?: string;
  status?: AuditStatus;
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
