// Every error leaves as application/problem+json (RFC 9457, DESIGN §6): one table maps each
// domain error kind to a status (domain/problem.ts); schema failures name every offending field.
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, type FieldViolation } from '../domain/errors.js';
import { PROBLEM_TYPE_BASE, problemFromDomainError, type ProblemBody } from '../domain/problem.js';
import { PROBLEM_CONTENT_TYPE } from '../schemas/common.js';

export { problemFromDomainError, type ProblemBody };

const PROBLEM_TYPES = PROBLEM_TYPE_BASE;

/** One JSON-pointer segment (RFC 6901): keys such as `application/json` or `/2\\d\\d/` hold slashes. */
function pointerSegment(segment: unknown): string {
  return String(segment).replaceAll('~', '~0').replaceAll('/', '~1');
}

/** The values a `oneOf` + discriminator accepts for its tag (needs Ajv's `verbose`, which gives `parentSchema`). */
function discriminatorValues(parentSchema: unknown, tag: string): string[] {
  const branches = (parentSchema as { oneOf?: { properties?: Record<string, { const?: unknown }> }[] } | undefined)?.oneOf ?? [];
  return branches.map((branch) => branch.properties?.[tag]?.const).filter((value): value is string => typeof value === 'string');
}

type AjvEntry = NonNullable<FastifyError['validation']>[number];

/**
 * A nullable value (`anyOf: [schema, null]`, e.g. a bulk apply's route) that fails its schema also
 * fails `null` and the `anyOf` itself; those two say nothing more than the errors of the schema,
 * so they are dropped whenever the schema reported something at or below the same path.
 */
function withoutNullableNoise(entries: readonly AjvEntry[]): AjvEntry[] {
  const nullable = new Set(
    entries
      .filter((entry) => entry.keyword === 'type' && (entry.params as { type?: unknown }).type === 'null')
      .map((entry) => entry.instancePath)
      .filter((path) => entries.some((entry) => entry.keyword === 'anyOf' && entry.instancePath === path)),
  );
  const explained = (path: string) =>
    entries.some(
      (entry) =>
        (entry.instancePath === path || entry.instancePath.startsWith(`${path}/`)) &&
        entry.keyword !== 'anyOf' &&
        !(entry.keyword === 'type' && (entry.params as { type?: unknown }).type === 'null'),
    );
  return entries.filter((entry) => {
    if (!nullable.has(entry.instancePath) || !explained(entry.instancePath)) return true;
    return entry.keyword !== 'anyOf' && !(entry.keyword === 'type' && (entry.params as { type?: unknown }).type === 'null');
  });
}

/** Ajv errors → `{path, message}`, the path naming the field itself (also a missing, unknown or badly named one). */
export function violationsFromAjv(error: FastifyError): FieldViolation[] {
  const context = (error as FastifyError & { validationContext?: string }).validationContext ?? 'body';
  const violations: FieldViolation[] = [];
  const entries = withoutNullableNoise(error.validation ?? []);
  for (const entry of entries) {
    const params = entry.params as Record<string, unknown>;
    // `if` only says that a `then` failed (reported on its own); `propertyNames` only says that a
    // key failed the rule reported just before it, under the key's own path.
    if (entry.keyword === 'if' || entry.keyword === 'propertyNames') continue;
    let path = entry.instancePath;
    let message = entry.message ?? 'is invalid';
    const propertyName = (entry as { propertyName?: string }).propertyName;
    if (propertyName !== undefined) {
      path += `/${pointerSegment(propertyName)}`;
      message = `key ${message}`;
    }
    if (entry.keyword === 'required') path += `/${pointerSegment(params.missingProperty)}`;
    if (entry.keyword === 'additionalProperties') {
      path += `/${pointerSegment(params.additionalProperty)}`;
      message = 'is not a known field';
    }
    if (entry.keyword === 'enum') message += `: ${(params.allowedValues as unknown[]).join(', ')}`;
    if (entry.keyword === 'const') message = `must be ${JSON.stringify(params.allowedValue)}`;
    if (entry.keyword === 'discriminator' && params.tag) {
      // A missing tag is already reported by `required`.
      if (params.tagValue === undefined) continue;
      const tag = String(params.tag);
      const known = discriminatorValues((entry as { parentSchema?: unknown }).parentSchema, tag);
      path += `/${pointerSegment(tag)}`;
      message = `must be one of ${known.length > 0 ? known.join(', ') : 'the known types'} (got ${JSON.stringify(params.tagValue)})`;
    }
    violations.push({ path: `${context === 'body' ? '' : `/${context}`}${path || ''}` || '/', message });
  }
  return violations;
}

export function sendProblem(reply: FastifyReply, problem: ProblemBody): FastifyReply {
  return reply.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem);
}

/** Any error → the problem document it deserves: domain errors by kind, schema failures by field, the rest generic. */
function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof DomainError) {
    const problem = problemFromDomainError(error, request.id);
    if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(Math.ceil(error.retryAfterSeconds)));
    // A failed precondition tells the client the tag to retry with (RFC 9110 §13.1.1).
    if (error.etag !== undefined) reply.header('etag', error.etag);
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
    // Fastify's own client errors: bad JSON, body too large, unsupported media type, bad URL.
    return sendProblem(reply, {
      type: `${PROBLEM_TYPES}${fastifyError.code ?? 'bad-request'}`,
      title: STATUS_CODES[status] ?? 'Bad request',
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
}

/**
 * Fastify's `frameworkErrors` option: the errors its router raises before any route (and so any
 * error handler) is chosen — a malformed percent-encoding (FST_ERR_BAD_URL), a path parameter over
 * `maxParamLength` (FST_ERR_MAX_PARAM_LENGTH) — leave as problem+json too.
 */
export function problemFrameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  handleError(error, request, reply);
}

/** Installed on the root instance (not through register) so that it covers every route. */
export function installProblemDetails(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => handleError(error, request, reply));

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
