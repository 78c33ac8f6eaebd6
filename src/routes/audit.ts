// GET /v1/audit and GET /v1/audit/{id}: the audit trail (DESIGN §5), newest first.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { DomainError } from '../domain/errors.js';
import type { AuditService } from '../services/audit-service.js';
import { problemResponse, ref } from '../schemas/common.js';
import { AuditIdParams, AuditPage, AuditQueryString, AuditRecord } from '../schemas/audit.js';

const unavailable = problemResponse('The audit store does not answer.');

export const auditRoutes: FastifyPluginAsyncTypebox<{ audit: AuditService }> = async (app, { audit }) => {
  app.get(
    '/audit',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['audit'],
        summary: 'List audit records',
        description:
          'Every change Gatewire made or tried to make, newest first, filtered by API, target, route key, actor id, action, status and a half-open time range [`from`, `to`). Pass `nextCursor` back as `cursor` for the next page.',
        querystring: AuditQueryString,
        response: {
          200: ref(AuditPage),
          400: problemResponse('Invalid filter, time or cursor: every offending parameter is named in `errors`.'),
          503: unavailable,
        },
      },
    },
    async (request) => {
      try {
        return await audit.list(request.query);
      } catch (error) {
        throw inQueryString(error);
      }
    },
  );

  app.get(
    '/audit/:id',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['audit'],
        summary: 'Read one audit record',
        description: 'One change: who asked, the plan, before and after, every AWS call and how it ended.',
        params: AuditIdParams,
        response: {
          200: ref(AuditRecord),
          404: problemResponse('No audit record has this id.'),
          503: unavailable,
        },
      },
    },
    async (request) => audit.get(request.params.id),
  );
};

/** The store names a bad cursor `/cursor`; Ajv names query-string problems `/querystring/…`: say one thing. */
function inQueryString(error: unknown): unknown {
  if (!(error instanceof DomainError) || error.kind !== 'validation') return error;
  const violations = error.violations.map((v) => ({ ...v, path: `/querystring${v.path}` }));
  return new DomainError('validation', `invalid audit query: ${violations.map((v) => v.path).join(', ')}`, {
    violations,
    cause: error,
  });
}
