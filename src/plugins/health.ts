// Liveness (/healthz: the process answers) and readiness (/readyz: the audit store answers and
// its tables exist, i.e. the start-up migrations were applied). The container's HEALTHCHECK and
// orchestrators' liveness probes use /healthz; load balancers and readiness probes use /readyz.
import type { FastifyInstance } from 'fastify';
import * as Type from 'typebox';
import { DomainError } from '../domain/errors.js';
import type { AuditStore } from '../services/ports.js';
import { problemResponse } from '../schemas/common.js';

const Health = Type.Object({ status: Type.String() });

export async function healthRoutes(app: FastifyInstance, { auditStore }: { auditStore: AuditStore }): Promise<void> {
  app.get(
    '/healthz',
    { schema: { tags: ['health'], summary: 'Liveness', description: 'The process is up and answering.', response: { 200: Health } } },
    async () => ({ status: 'ok' }),
  );
  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        summary: 'Readiness',
        description: 'The audit store answers (migrations ran at start-up). 503 otherwise.',
        response: { 200: Health, 503: problemResponse('The audit store does not answer.') },
      },
    },
    async () => {
      await auditStore.ping();
      try {
        // Reads the audit table itself (one row at most): fails when the migrations were not applied.
        await auditStore.list({ limit: 1 });
      } catch (error) {
        throw new DomainError('audit-unavailable', 'the audit store answers but its records cannot be read (migrations not applied?)', {
          cause: error,
        });
      }
      return { status: 'ready' };
    },
  );
}
