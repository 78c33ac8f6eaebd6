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
  return new DomainError(kind, publicMessage(failure, name), { aws, cause: error, outcomeUnknown: isOutcomeUnknown(failure) });
}

/** AWS's answers about Gatewire's own identity: the caller is told that, not which identity or role. */
const ACCESS_DENIED = /^(AccessDenied|AccessDeniedException|UnauthorizedOperation|UnauthorizedException|NotAuthorized|InvalidClientTokenId|UnrecognizedClientException|ExpiredToken|ExpiredTokenException|SignatureDoesNotMatch|MissingAuthenticationToken)$/;

/** IAM and STS ARNs (Gatewire's role and session, roles it assumes): never shown to callers. */
const IDENTITY_ARN = /arn:aws[a-z-]*:(?:iam|sts)::\d{12}:[^\s,;"']+/g;

/**
 * The message a caller may see (it reaches 502 bodies and audit records; the original stays the
 * error's `cause`, which the logs show). An AWS service error keeps AWS's message, less any IAM or
 * STS ARN; an access denial says only that AWS refused Gatewire; anything that is not an AWS
 * service error (no HTTP answer: a timeout, a reset, a credentials provider, a bug) gets a generic
 * message, since its text names hosts, files and internals.
 */
function publicMessage(failure: SdkFailure, name: string): string {
  if (failure.$metadata?.httpStatusCode === undefined) {
    return `the AWS call got no answer from AWS (${name}): a timeout or a network failure`;
  }
  if (ACCESS_DENIED.test(name)) {
    return `AWS refused Gatewire's own credentials or permissions (${name}); the operator finds the identity and the action in Gatewire's logs`;
  }
  const message = failure.message && failure.message.length > 0 ? failure.message : `AWS answered ${name}`;
  return message.replace(IDENTITY_ARN, '[IAM identity]');
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
