// Translates AWS SDK failures into domain errors (DESIGN §6), keeping AWS's error name and
// request id for the problem body and the original error as `cause`.
import { DomainError, type ErrorKind } from '../domain/errors.js';

interface SdkFailure {
  name?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $metadata?: { requestId?: string; httpStatusCode?: number; attempts?: number };
  $retryable?: { throttling?: boolean };
  retryAfterSeconds?: string | number;
}

const THROTTLING_NAMES = new Set([
  'TooManyRequestsException',
  'ThrottlingException',
  'Throttling',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
]);

/** AWS error name -> domain kind. Anything not listed is an upstream (502) failure. */
const KIND_BY_NAME: Record<string, ErrorKind> = {
  NotFoundException: 'not-found',
  ResourceNotFoundException: 'not-found',
  ConflictException: 'conflict',
  ResourceConflictException: 'conflict',
  PreconditionFailedException: 'precondition-failed',
  BadRequestException: 'aws-bad-request',
  InvalidParameterValueException: 'aws-bad-request',
  PolicyLengthExceededException: 'aws-bad-request',
};

const DEFAULT_RETRY_AFTER_SECONDS = 5;

export function isThrottling(error: unknown): boolean {
  const failure = error as SdkFailure;
  return THROTTLING_NAMES.has(failure?.name ?? '') || failure?.$retryable?.throttling === true;
}

export function toDomainError(error: unknown): DomainError {
  if (error instanceof DomainError) return error;
  const failure = (error ?? {}) as SdkFailure;
  const name = failure.name ?? 'Error';
  const aws = {
    error: name,
    ...(failure.$metadata?.requestId ? { requestId: failure.$metadata.requestId } : {}),
  };
  if (isThrottling(error)) {
    const retryAfter = Number(failure.retryAfterSeconds);
    return new DomainError('throttled', `AWS throttled the request after ${failure.$metadata?.attempts ?? 1} attempts: ${failure.message ?? name}`, {
      aws,
      retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : DEFAULT_RETRY_AFTER_SECONDS,
      cause: error,
    });
  }
  const kind = KIND_BY_NAME[name] ?? 'upstream';
  const message = failure.message && failure.message.length > 0 ? failure.message : `AWS answered ${name}`;
  return new DomainError(kind, message, { aws, cause: error, outcomeUnknown: isOutcomeUnknown(failure) });
}

/**
 * No answer (a timeout, a reset or refused connection: no HTTP status at all) or a server error:
 * AWS may have done what was asked. A 4xx, throttling included, says it did not.
 */
export function isOutcomeUnknown(error: unknown): boolean {
  const failure = (error ?? {}) as SdkFailure;
  if (isThrottling(error)) return false;
  const status = failure.$metadata?.httpStatusCode;
  return status === undefined || status >= 500;
}

/** True for API Gateway's and Lambda's "concurrent modification" 409s: the only 409s worth retrying. */
export function isConcurrentModification(error: unknown): boolean {
  const failure = error as SdkFailure;
  if (failure?.name !== 'ConflictException' && failure?.name !== 'ResourceConflictException') return false;
  return /concurrent modification|update is in progress/i.test(failure.message ?? '');
}
