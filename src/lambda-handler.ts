// The Lambda handler factory: the same buildApp as the server, behind @fastify/aws-lambda.
// src/lambda.ts calls it once per instance (init phase); tests call it with their own deps.
import awsLambdaFastify, { type LambdaResponse } from '@fastify/aws-lambda';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppDeps } from './app.js';
import { bundledDocs, sourceTreeDocsFiles, type DocsFiles } from './plugins/bundled-docs.js';

export type LambdaHandlerDeps = Omit<AppDeps, 'runtime' | 'trustRequestIdHeader' | 'extras'> & {
  /** Where the OpenAPI document and Swagger UI's files are; default: the source tree's. */
  docsFiles?: DocsFiles;
};

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
  const { docsFiles, ...appDeps } = deps;
  const docs = bundledDocs({ files: docsFiles ?? sourceTreeDocsFiles(), omitPaths: ['/metrics'] });
  const app = await buildApp({ ...appDeps, runtime: 'lambda', extras: { docs } });
  const proxy = awsLambdaFastify<ProxyEvent>(app, { binaryMimeTypes: BINARY_MIME_TYPES });
  await app.ready();
  const handler: LambdaHandler = (event, context) => proxy(withGatewayRequestId(event), context as never);
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
