// AWS call metrics without coupling the adapters to Prometheus: each logical SDK call (after the
// SDK's retries) is published on a diagnostics channel; plugins/metrics.ts counts what it hears.
// A per-attempt middleware counts the attempts AWS throttled, so that the published call says how
// many throttled attempts were retried.
import { channel } from 'node:diagnostics_channel';
import type { MiddlewareStack } from '@smithy/types';

/** The channel's name; plugins/metrics.ts subscribes to the same name (it may not import aws/). */
export const AWS_CALL_CHANNEL = 'gatewire:aws-call';

export interface AwsCallEvent {
  service: string;
  operation: string;
  outcome: 'ok' | 'error';
  error?: string;
  /** Attempts AWS throttled that the SDK then retried. */
  throttledRetries: number;
}

const awsCalls = channel(AWS_CALL_CHANNEL);
const THROTTLED = Symbol('gatewire.throttledAttempts');
const THROTTLING_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'ThrottledException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
]);

function isThrottling(error: unknown): boolean {
  const failure = error as { name?: string; $retryable?: { throttling?: boolean }; $metadata?: { httpStatusCode?: number } } | null;
  return (
    failure?.$retryable?.throttling === true ||
    THROTTLING_NAMES.has(failure?.name ?? '') ||
    failure?.$metadata?.httpStatusCode === 429
  );
}

/** Below the retry middleware: sees every attempt, counts the throttled ones in the call's context. */
export function addThrottleCounter(stack: MiddlewareStack<any, any>): void {
  stack.add(
    (next: any, context: any) => async (args: any) => {
      try {
        return await next(args);
      } catch (error) {
        if (isThrottling(error)) context[THROTTLED] = (context[THROTTLED] ?? 0) + 1;
        throw error;
      }
    },
    { step: 'deserialize', name: 'gatewireThrottleCounter', priority: 'high', override: true },
  );
}

/** Publishes one finished call (the call log's middleware calls this with the call's context). */
export function publishAwsCall(
  context: Record<PropertyKey, unknown>,
  call: { service: string; operation: string; outcome: 'ok' | 'error'; error?: string | undefined },
  failure?: unknown,
): void {
  if (!awsCalls.hasSubscribers) return;
  const throttled = typeof context[THROTTLED] === 'number' ? context[THROTTLED] : 0;
  // The last throttled attempt was not retried when the call failed with it.
  const throttledRetries = Math.max(0, throttled - (call.outcome === 'error' && isThrottling(failure) ? 1 : 0));
  const event: AwsCallEvent = {
    service: call.service,
    operation: call.operation,
    outcome: call.outcome,
    ...(call.error ? { error: call.error } : {}),
    throttledRetries,
  };
  awsCalls.publish(event);
}
