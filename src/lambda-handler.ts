// The Lambda handler factory: the same buildApp as the server, behind @fastify/aws-lambda.
// src/lambda.ts calls it once per instance (init phase); tests call it with their own deps.
// Besides API Gateway's events, the function takes two of its own (DESIGN §3, README
// "Serverless"): a continuation, which takes over a change a previous invocation handed over at a
// step boundary, and a sweep (e.g. an EventBridge schedule), which takes over what dead
// invocations left.
import awsLambdaFastify, { type LambdaResponse } from '@fastify/aws-lambda';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppDeps } from './app.js';
import { isContinuationEvent } from './aws/lambda-continuation.js';
import { bundledDocs, sourceTreeDocsFiles, type DocsFiles } from './plugins/bundled-docs.js';
import { jsonSerializers } from './serializers/json.js';
import type { SerializerCompilers } from './serializers/types.js';
import type { ValidatorCompilers } from './validation.js';
import type { ChangeRecovery } from './services/change-recovery.js';

export type LambdaHandlerDeps = Omit<AppDeps, 'runtime' | 'trustRequestIdHeader' | 'extras'> & {
  /** Where the OpenAPI document and Swagger UI's files are; default: the source tree's. */
  docsFiles?: DocsFiles;
  /** Takes changes over: those handed to a continuation, and those a sweep finds. */
  recovery: Pick<ChangeRecovery, 'resume' | 'sweepOnce' | 'setLog'>;
  /** Filled with each invocation's function ARN (a continuation runs on the same version). */
  invocation?: { functionArn?: string };
  /** Default serializers/json.ts (no compiler at a cold start); tests check it against the compiled ones. */
  serializers?: SerializerCompilers;
  /** Default Ajv at run time; the bundle passes the validators generated at build time (src/lambda.ts). */
  validators?: ValidatorCompilers;
};

/** The context fields of a Lambda invocation the handler reads. */
interface InvocationContext {
  getRemainingTimeInMillis?: () => number;
  invokedFunctionArn?: string;
}

/** A sweep: `{"gatewire":{"sweep":true}}`, or any EventBridge scheduled event. */
function isSweepEvent(event: unknown): boolean {
  const candidate = event as { gatewire?: { sweep?: unknown }; source?: unknown; 'detail-type'?: unknown } | null;
  return candidate?.gatewire?.sweep === true || (candidate?.source === 'aws.events' && candidate['detail-type'] === 'Scheduled Event');
}

/** An API Gateway proxy event, REST API (v1) or HTTP API (v2); the adapter reads the rest. */
export interface ProxyEvent {
  headers?: Record<string, string | undefined> | null;
  multiValueHeaders?: Record<string, string[] | undefined> | null;
  requestContext?: { requestId?: string } & Record<string, unknown>;
  [field: string]: unknown;
}

export type LambdaHandler = (event: ProxyEvent, context: unknown) => Promise<LambdaResponse>;

// Swagger UI's images; the JS and CSS are text. A Content-Encoding response is base64 anyway.
const BINARY_MIME_TYPES = ['image/png', 'image/x-icon', 'image/vnd.microsoft.icon', 'font/woff', 'font/woff2', 'application/octet-stream'];

/**
 * Builds the app in Lambda mode, wraps it (BEFORE ready(): the adapter decorates the request with
 * `awsLambda`, which the actor hook reads) and readies it, so that a warm instance answers at once.
 */
export async function createLambdaHandler(deps: LambdaHandlerDeps): Promise<{ app: FastifyInstance; handler: LambdaHandler }> {
  const { docsFiles, serializers, validators, ...appDeps } = deps;
  const docs = bundledDocs({ files: docsFiles ?? sourceTreeDocsFiles(), omitPaths: ['/metrics'] });
  const app = await buildApp({ ...appDeps, runtime: 'lambda', extras: { docs, serializers: serializers ?? jsonSerializers, ...(validators ? { validators } : {}) } });
  const proxy = awsLambdaFastify<ProxyEvent>(app, { binaryMimeTypes: BINARY_MIME_TYPES });
  await app.ready();
  deps.recovery.setLog(app.log);
  const margin = deps.config.awsTimeoutMs + 2_000;
  const handler: LambdaHandler = async (event, context) => {
    const invocation = (context ?? {}) as InvocationContext;
    if (deps.invocation) deps.invocation.functionArn = invocation.invokedFunctionArn;
    if (isContinuationEvent(event)) {
      const { changeId, apiId } = event.gatewire.continueChange;
      const remaining = invocation.getRemainingTimeInMillis?.() ?? 60_000;
      const outcome = await deps.recovery.resume(changeId, apiId, { handOverAt: Date.now() + Math.max(0, remaining - margin) });
      // Still not done when this invocation must end: once more, in another one.
      if (outcome === 'handed-over') await deps.services.continuation.continueLater(changeId, apiId);
      app.log.info({ changeId, outcome }, 'change continued');
      return { statusCode: 200, body: JSON.stringify({ changeId, outcome }) } as LambdaResponse;
    }
    if (isSweepEvent(event)) {
      const recovered = await deps.recovery.sweepOnce();
      return { statusCode: 200, body: JSON.stringify({ recovered }) } as LambdaResponse;
    }
    return proxy(withGatewayRequestId(event), context as never);
  };
  return { app, handler };
}

/**
 * The adapter copies API Gateway's request id into `x-request-id` only when the client sent none,
 * so a client could choose the id that audit records and logs carry. Drop the client's header
 * (any case) when API Gateway gave an id; the request id is then always API Gateway's.
 */
export function withGatewayRequestId(event: ProxyEvent): ProxyEvent {
  if (typeof event.requestContext?.requestId !== 'string' || event.requestContext.requestId === '') return event;
  const strip = <T>(headers: Record<string, T> | null | undefined) =>
    headers ? Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'x-request-id')) : headers;
  return {
    ...event,
    headers: strip(event.headers),
    ...(event.multiValueHeaders ? { multiValueHeaders: strip(event.multiValueHeaders) } : {}),
  };
}
