// Lambda: a change still running when its invocation must answer is handed over at a step boundary
// and continued by an asynchronous invocation of this same function (DESIGN §3, README "Serverless":
// the function needs lambda:InvokeFunction on itself). The event carries only the change's id: the
// plan and what ran are in the store. Lambda retries an asynchronous invocation that fails, and a
// change nobody continues is taken over by the sweep once its lease is gone.
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { ContinuationPort } from '../services/ports.js';
import type { LazyClient } from './clients.js';
import { toDomainError } from './errors.js';

/** The event a continuation invocation receives (src/lambda-handler.ts recognises it). */
export interface ContinuationEvent {
  gatewire: { continueChange: { changeId: string; apiId: string } };
}

export function isContinuationEvent(event: unknown): event is ContinuationEvent {
  const body = (event as { gatewire?: { continueChange?: { changeId?: unknown; apiId?: unknown } } } | null)?.gatewire?.continueChange;
  return typeof body?.changeId === 'string' && typeof body.apiId === 'string';
}

/**
 * `functionName` says which function (and version or alias) to invoke: the one running now, as
 * its invocation context names it, so that a change continues on the code that planned it.
 */
export function createLambdaContinuation(client: LazyClient<LambdaClient>, functionName: () => string | undefined): ContinuationPort {
  return {
    async continueLater(changeId, apiId) {
      const name = functionName();
      if (!name) throw new Error('no function to continue the change in (AWS_LAMBDA_FUNCTION_NAME is not set)');
      const event: ContinuationEvent = { gatewire: { continueChange: { changeId, apiId } } };
      try {
        const [built, { InvokeCommand }] = await Promise.all([client.use(), import('./lambda-sdk.js')]);
        await built.send(new InvokeCommand({ FunctionName: name, InvocationType: 'Event', Payload: new TextEncoder().encode(JSON.stringify(event)) }));
      } catch (error) {
        throw toDomainError(error);
      }
    },
  };
}

/** The server continues nothing itself: any instance's recovery sweep takes a released change over. */
export const SWEEP_CONTINUES_CHANGES: ContinuationPort = { continueLater: async () => undefined };
