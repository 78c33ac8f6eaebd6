// Every error leaves as application/problem+json (RFC 9457, DESIGN §6): one table maps each
// domain error kind to a status; schema failures name every offending field.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, type ErrorKind, type FieldViolation } from '../domain/errors.js';
import { PROBLEM_CONTENT_TYPE } from '../schemas/common.js';

const PROBLEM_TYPES = 'https://gatewire.dev/problems/';

const STATUS_BY_KIND: Record<ErrorKind, { status: number; title: string }> = {
  validation: { status: 400, title: 'Invalid request' },
  unauthenticated: { status: 401, title: 'Authentication required' },
  forbidden: { status: 403, title: 'Forbidden' },
  'not-found': { status: 404, title: 'Not found' },
  conflict: { status: 409, title: 'Conflict' },
  'precondition-failed': { status: 412, title: 'Precondition failed' },
  'aws-bad-request': { status: 400, title: 'AWS rejected the request' },
  throttled: { status: 503, title: 'AWS is throttling requests' },
  upstream: { status: 502, title: 'AWS call failed' },
  'audit-unavailable': { status: 503, title: 'Audit store unavailable' },
};

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: FieldViolation[];
  aws?: { error: string; requestId?: string };
  auditId?: string;
}

export function problemFromDomainError(error: DomainError, requestId: string): ProblemBody {
  const { status, title } = STATUS_BY_KIND[error.kind];
  return {
    type: PROBLEM_TYPES + error.kind,
    title,
    status,
    detail: error.message,
    instance: requestId,
    ...(error.violations.length > 0 ? { errors: error.violations } : {}),
    ...(error.aws ? { aws: error.aws } : {}),
    ...(error.auditId ? { auditId: error.auditId } : {}),
  };
}

/** Ajv errors → `{path, message}`, the path naming the field itself (also a missing or unknown one). */
export function violationsFromAjv(error: FastifyError): FieldViolation[] {
  const context = (error as FastifyError & { validationContext?: string }).validationContext ?? 'body';
  return (error.validation ?? [])
    .filter((entry) => entry.keyword !== 'if')
    .map((entry) => {
      const params = entry.params as Record<string, unknown>;
      let path = entry.instancePath;
      let message = entry.message ?? 'is invalid';
      if (entry.keyword === 'required') path += `/${String(params.missingProperty)}`;
      if (entry.keyword === 'additionalProperties') {
        path += `/${String(params.additionalProperty)}`;
        message = 'is not a known field';
      }
      if (entry.keyword === 'enum') message += `: ${(params.allowedValues as unknown[]).join(', ')}`;
      if (entry.keyword === 'discriminator' && params.tag) {
        path += `/${String(params.tag)}`;
        message = `must be one of the known types (got ${JSON.stringify(params.tagValue)})`;
      }
      return { path: `${context === 'body' ? '' : `/${context}`}${path || ''}` || '/', message };
    });
}

export function sendProblem(reply: FastifyReply, problem: ProblemBody): FastifyReply {
  return reply.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem);
}

/** Installed on the root instance (not through register) so that it covers every route. */
export function installProblemDetails(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof DomainError) {
      const problem = problemFromDomainError(error, request.id);
      if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(Math.ceil(error.retryAfterSeconds)));
      if (problem.status >= 500) request.log.warn({ err: error, cause: error.cause }, 'change failed');
      return sendProblem(reply, problem);
    }
    const fastifyError = error as FastifyError;
    if (fastifyError?.validation) {
      const errors = violationsFromAjv(fastifyError);
      return sendProblem(reply, {
        type: `${PROBLEM_TYPES}validation`,
        title: 'Invalid request',
        status: 400,
        detail: `${errors.length} problem(s) in the request: ${errors.map((e) => e.path).join(', ')}`,
        instance: request.id,
        errors,
      });
    }
    const status = typeof fastifyError?.statusCode === 'number' ? fastifyError.statusCode : 500;
    if (status >= 400 && status < 500) {
      // Fastify's own client errors: bad JSON, body too large, unsupported media type, rate limit.
      return sendProblem(reply, {
        type: `${PROBLEM_TYPES}${fastifyError.code ?? 'bad-request'}`,
        title: fastifyError.code ?? 'Bad request',
        status,
        detail: fastifyError.message,
        instance: request.id,
      });
    }
    request.log.error({ err: error }, 'unexpected error');
    return sendProblem(reply, {
      type: `${PROBLEM_TYPES}internal`,
      title: 'Internal error',
      status: 500,
      detail: 'An unexpected error occurred; the request id names it in the logs.',
      instance: request.id,
    });
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, {
      type: `${PROBLEM_TYPES}route-not-found`,
      title: 'Not found',
      status: 404,
      detail: `${request.method} ${request.url} is not a Gatewire endpoint (see /docs)`,
      instance: request.id,
    }),
  );
}
