// AWS error responses. restJson1 names the error in the `x-amzn-errortype` header; the body carries
// the modeled members under their wire names. The two services spell those members differently
// (checked against the SDK's error schemas in node_modules/@aws-sdk/client-*/dist-cjs/index.js):
// - API Gateway v2: every error has `message` (lowercase); NotFound adds `resourceType`,
//   TooManyRequests adds `limitType`.
// - Lambda: `Type` plus `message`, except ResourceNotFoundException and ServiceException, which use
//   `Message`; TooManyRequests adds `Reason` and the `Retry-After` header.

export class AwsError extends Error {
  constructor(
    readonly status: number,
    readonly errorType: string,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(`${errorType}: ${String(body.message ?? body.Message ?? '')}`);
  }
}

export function apiGatewayError(
  status: number,
  errorType: string,
  message: string,
  extra: Record<string, unknown> = {},
): AwsError {
  return new AwsError(status, errorType, { message, ...extra });
}

export const badRequest = (message: string): AwsError => apiGatewayError(400, 'BadRequestException', message);
export const conflict = (message: string): AwsError => apiGatewayError(409, 'ConflictException', message);
export const notFound = (message: string, resourceType?: string): AwsError =>
  apiGatewayError(404, 'NotFoundException', message, resourceType ? { resourceType } : {});

/** The message format of AWS's model-constraint validation (Coral), which names the offending field. */
export function enumViolation(field: string, value: unknown, allowed: readonly string[]): AwsError {
  return badRequest(
    `1 validation error detected: Value '${String(value)}' at '${field}' failed to satisfy constraint: ` +
      `Member must satisfy enum value set: [${allowed.join(', ')}]`,
  );
}

const LAMBDA_CAPITAL_MESSAGE = new Set(['ResourceNotFoundException', 'ServiceException']);

export function lambdaError(
  status: number,
  errorType: string,
  message: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): AwsError {
  const messageKey = LAMBDA_CAPITAL_MESSAGE.has(errorType) ? 'Message' : 'message';
  const type = status >= 500 ? 'Service' : 'User';
  return new AwsError(status, errorType, { Type: type, [messageKey]: message, ...extra }, headers);
}

export const lambdaInvalidParameter = (message: string): AwsError =>
  lambdaError(400, 'InvalidParameterValueException', message);
export const lambdaNotFound = (message: string): AwsError => lambdaError(404, 'ResourceNotFoundException', message);
