// Fault injection: rules chosen by operation and call count, and the error each fault kind sends,
// worded as each service words it (reference §0.4, §0.7, §3.1, §4).
import { apiGatewayError, lambdaError, type AwsError } from './errors.js';
import type { FaultRule, ServiceName } from './types.js';

interface RuleState {
  rule: FaultRule;
  /** Matching calls seen since injection. */
  seen: number;
  /** Times this rule fired. */
  fired: number;
}

export class FaultInjector {
  private rules: RuleState[] = [];

  inject(rule: FaultRule): void {
    if (rule.nth !== undefined && (!Number.isInteger(rule.nth) || rule.nth < 1)) throw new Error('FaultRule.nth must be an integer >= 1');
    if (rule.times !== undefined && (!Number.isInteger(rule.times) || rule.times < 1)) throw new Error('FaultRule.times must be an integer >= 1');
    this.rules.push({ rule: { ...rule }, seen: 0, fired: 0 });
  }

  clear(): void {
    this.rules = [];
  }

  /**
   * The rules that fire for this call, in injection order: any number of 'latency' rules, then at
   * most one failing rule (the first that fires; later rules still count the call but do not fire).
   */
  select(service: ServiceName, operation: string): FaultRule[] {
    const firing: FaultRule[] = [];
    let failed = false;
    for (const state of this.rules) {
      const { rule } = state;
      if (rule.operation !== undefined && rule.operation !== operation) continue;
      if (rule.service !== undefined && rule.service !== service) continue;
      state.seen += 1;
      if (failed && rule.fault !== 'latency') continue;
      if (!fires(state)) continue;
      state.fired += 1;
      firing.push(rule);
      if (rule.fault !== 'latency') failed = true;
    }
    return firing;
  }
}

/** With `nth`: calls nth .. nth+times-1 (times defaults to 1). Without: every call, up to `times`. */
function fires(state: RuleState): boolean {
  const { nth, times } = state.rule;
  if (nth !== undefined) return state.seen >= nth && state.seen < nth + (times ?? 1);
  return times === undefined || state.fired < times;
}

/** The error a failing fault sends. `resource` names the Lambda function for its conflict message. */
export function faultError(fault: 'throttle' | 'server-error' | 'concurrent-modification', service: ServiceName, resource: string): AwsError {
  if (service === 'apigatewayv2') {
    switch (fault) {
      case 'throttle':
        return throttledApiGateway();
      case 'server-error':
        // API Gateway v2 models no 5xx; the SDK still surfaces the header's name.
        return apiGatewayError(500, 'InternalServerError', 'Internal server error');
      case 'concurrent-modification':
        // §0.4: parallel writes to one API; the SDK does not retry 409.
        return apiGatewayError(409, 'ConflictException', 'Unable to complete operation due to concurrent modification. Please try again later.');
    }
  }
  switch (fault) {
    case 'throttle':
      return throttledLambda();
    case 'server-error':
      return lambdaError(500, 'ServiceException', 'An internal error occurred while processing the request.');
    case 'concurrent-modification':
      // §0.7: the same 409 as a duplicate Sid, told apart only by this message.
      return lambdaError(
        409,
        'ResourceConflictException',
        `The operation cannot be performed at this time. An update is in progress for resource: ${resource}`,
      );
  }
}

export function throttledApiGateway(): AwsError {
  return apiGatewayError(429, 'TooManyRequestsException', 'Too Many Requests', { limitType: 'RequestRate' });
}

/** `retryAfterSeconds` is bound to the Retry-After header in the SDK's model; the body carries it too. */
export function throttledLambda(): AwsError {
  return lambdaError(
    429,
    'TooManyRequestsException',
    'Rate exceeded',
    { Reason: 'CallerRateLimitExceeded', retryAfterSeconds: '1' },
    { 'retry-after': '1' },
  );
}
