// The problem document (RFC 9457, DESIGN §6) of a domain error: one table maps each kind to a
// status. Pure, so that the change runner can keep the very answer a caller got (or would have
// got) with the change's record, as plugins/problem-details.ts sends it.
import type { DomainError, ErrorKind, FieldViolation } from './errors.js';

export const PROBLEM_TYPE_BASE = 'https://gatewire.dev/problems/';

const STATUS_BY_KIND: Record<ErrorKind, { status: number; title: string }> = {
  validation: { status: 400, title: 'Invalid request' },
  unauthenticated: { status: 401, title: 'Authentication required' },
  forbidden: { status: 403, title: 'Forbidden' },
  'not-found': { status: 404, title: 'Not found' },
  conflict: { status: 409, title: 'Conflict' },
  'precondition-failed': { status: 412, title: 'Precondition failed' },
  'aws-bad-request': { status: 400, title: 'AWS rejected the request' },
  throttled: { status: 503, title: 'AWS is throttling requests' },
  'budget-busy': { status: 503, title: 'AWS call budget busy with changes' },
  upstream: { status: 502, title: 'AWS call failed' },
  'audit-unavailable': { status: 503, title: 'Audit store unavailable' },
  'idempotency-key-reused': { status: 422, title: 'Idempotency key reused' },
  'lease-lost': { status: 503, title: 'Change taken over by another instance' },
  'deadline-exceeded': { status: 503, title: 'Change ran out of time' },
  interrupted: { status: 503, title: 'Change interrupted' },
};

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: FieldViolation[];
  aws?: { error: string; requestId?: string };
  auditId?: string;
  failedStep?: { id: string; description: string };
  /** The target's current entity tag (412). */
  etag?: string;
}

export function problemFromDomainError(error: DomainError, requestId: string): ProblemBody {
  const { status, title } = STATUS_BY_KIND[error.kind];
  return {
    type: PROBLEM_TYPE_BASE + error.kind,
    title,
    status,
    detail: error.message,
    instance: requestId,
    ...(error.violations.length > 0 ? { errors: error.violations } : {}),
    ...(error.aws ? { aws: error.aws } : {}),
    ...(error.auditId ? { auditId: error.auditId } : {}),
    ...(error.failedStep ? { failedStep: error.failedStep } : {}),
    ...(error.etag !== undefined ? { etag: error.etag } : {}),
  };
}
