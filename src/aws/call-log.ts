// Records every AWS call a change makes (operation, request id, outcome, attempts) for its audit
// record. An SDK middleware at the initialize step sees each logical call once, after the SDK's
// retries, and appends it to the list of the change that is running (AsyncLocalStorage).
import { AsyncLocalStorage } from 'node:async_hooks';
import type { MiddlewareStack } from '@smithy/types';
import type { AwsCall, AwsCallLog } from '../services/ports.js';
import { addThrottleCounter, publishAwsCall } from './metrics-middleware.js';

/** The port, plus what the SDK middleware needs: the call list of the change now running. */
export type CapturingCallLog = AwsCallLog & { current(): AwsCall[] | undefined };

export function createAwsCallLog(): CapturingCallLog {
  const storage = new AsyncLocalStorage<AwsCall[]>();
  return {
    capture(calls, work) {
      return storage.run(calls, work);
    },
    current() {
      return storage.getStore();
    },
  };
}

interface MetadataBearer {
  $metadata?: { requestId?: string; httpStatusCode?: number; attempts?: number };
}

export function addCallLogMiddleware(
  stack: MiddlewareStack<any, any>,
  service: AwsCall['service'],
  callLog: CapturingCallLog,
): void {
  stack.add(
    (next: any, context: any) => async (args: any) => {
      const calls = callLog.current();
      const started = performance.now();
      const operation = String(context.commandName ?? 'Unknown').replace(/Command$/, '');
      try {
        const result = await next(args);
        const metadata = (result?.output as MetadataBearer | undefined)?.$metadata;
        calls?.push({
          service,
          operation,
          ...(metadata?.requestId ? { requestId: metadata.requestId } : {}),
          outcome: 'ok',
          ...(metadata?.httpStatusCode ? { httpStatus: metadata.httpStatusCode } : {}),
          ...(metadata?.attempts ? { attempts: metadata.attempts } : {}),
          durationMs: Math.round(performance.now() - started),
        });
        publishAwsCall(context, { service, operation, outcome: 'ok' });
        return result;
      } catch (error) {
        const failure = error as Error & MetadataBearer;
        calls?.push({
          service,
          operation,
          ...(failure.$metadata?.requestId ? { requestId: failure.$metadata.requestId } : {}),
          outcome: 'error',
          error: failure.name,
          ...(failure.$metadata?.httpStatusCode ? { httpStatus: failure.$metadata.httpStatusCode } : {}),
          ...(failure.$metadata?.attempts ? { attempts: failure.$metadata.attempts } : {}),
          durationMs: Math.round(performance.now() - started),
        });
        publishAwsCall(context, { service, operation, outcome: 'error', error: failure.name }, error);
        throw error;
      }
    },
    { step: 'initialize', name: 'gatewireCallLog', override: true },
  );
  // Metrics (aws/metrics-middleware.ts): throttled attempts, seen below the SDK's retries.
  addThrottleCounter(stack);
}
