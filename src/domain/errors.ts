// Domain error kinds. Adapters translate foreign errors (AWS SDK, database) into these;
// the problem-details plugin maps each kind to one HTTP status in one table.

export interface FieldViolation {
  /** JSON-pointer-like path of the offending field, e.g. `/backend/url`. */
  path: string;
  message: string;
  /** A guardrail denial (403): the rule broken and the policy that applied. */
  rule?: string;
  policy?: string;
}

export type ErrorKind =
  | 'validation'
  | 'unauthenticated'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'precondition-failed'
  | 'aws-bad-request'
  | 'throttled'
  /** A read would wait past its bound for a turn in the AWS call budget, behind changes (503). */
  | 'budget-busy'
  | 'upstream'
  | 'audit-unavailable'
  /** An Idempotency-Key reused for a different request (422). */
  | 'idempotency-key-reused'
  /** The instance running a change lost it to another one (its lease expired): it must stop writing. */
  | 'lease-lost'
  /** The change ran past its deadline, or could not start within the caller's wait bound. */
  | 'deadline-exceeded'
  /** The instance running the change stopped (crashed, or its lease ran out); another one undid it. */
  | 'interrupted';

export interface AwsErrorDetail {
  /** AWS's error name, e.g. `ConflictException`. */
  error: string;
  requestId?: string;
}

export class DomainError extends Error {
  readonly kind: ErrorKind;
  readonly violations: FieldViolation[];
  readonly aws: AwsErrorDetail | undefined;
  /** Seconds a client should wait before retrying (throttling). */
  readonly retryAfterSeconds: number | undefined;
  /** The target's current entity tag (a failed precondition), for the ETag header and the problem's `etag`. */
  readonly etag: string | undefined;
  /** The audit record of the change this error ended, once one was written. */
  auditId: string | undefined;
  /** The plan step whose AWS call failed (a change that ran), so a bulk apply names the route. */
  failedStep: { id: string; description: string } | undefined;
  /**
   * The call got no answer that says what happened (a timeout, a reset connection, a 5xx): a write
   * may or may not have taken effect, so it must not be sent again blindly (DESIGN §3).
   */
  readonly outcomeUnknown: boolean;

  constructor(
    kind: ErrorKind,
    message: string,
    options: {
      violations?: FieldViolation[];
      aws?: AwsErrorDetail;
      retryAfterSeconds?: number;
      etag?: string;
      outcomeUnknown?: boolean;
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'DomainError';
    this.kind = kind;
    this.violations = options.violations ?? [];
    this.aws = options.aws;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.etag = options.etag;
    this.outcomeUnknown = options.outcomeUnknown ?? false;
  }
}

export function validationError(violations: FieldViolation[]): DomainError {
  const detail =
    violations.length === 1
      ? `1 field is invalid: ${violations[0]!.path}`
      : `${violations.length} fields are invalid: ${violations.map((v) => v.path).join(', ')}`;
  return new DomainError('validation', detail, { violations });
}

export function notFound(message: string): DomainError {
  return new DomainError('not-found', message);
}

export function conflict(message: string): DomainError {
  return new DomainError('conflict', message);
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}
