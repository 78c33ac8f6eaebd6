// Liveness (/healthz: the process answers) and readiness (/readyz: the audit store answers and
// its tables exist, i.e. the start-up migrations were applied). The container's HEALTHCHECK and
// orchestrators' liveness probes use /healthz; load balancers and readiness probes use /readyz.
import type { FastifyInstance } from 'fastify';
import * as Type from 'typebox';
import { DomainError } from '../domain/errors.js';
import type { AuditStore } from '../services/ports.js';
import { problemResponse } from '../schemas/common.js';

const Health = Type.Object({ status: Type.String() });

/**
 * How long one readiness answer is reused. Probes from every load balancer and orchestrator (and
 * anyone else who can reach /readyz) then cost the store at most two queries a second, whatever
 * their rate, and never take the pool's connections away from changes.
 */
export const READINESS_CACHE_MS = 1_000;

export interface HealthOptions {
  auditStore: AuditStore;
  /** How long one answer is reused; default READINESS_CACHE_MS (tests of the store's states: 0). */
  cacheMs?: number;
}

/**
 * Probes skip per-request work (issue 15): they log nothing (an orchestrator's probe every few
 * seconds per instance would drown the log), are not timed into the request metrics, and are
 * never rate-limited (an orchestrator must see the process even while a caller floods it). They
 * are open, like every route outside /v1 (plugins/authenticate.ts). On a listening server, an
 * exact `GET /healthz` does not even reach Fastify (plugins/health-fast-path.ts).
 */
const PROBE_OPTIONS = { logLevel: 'silent', config: { rateLimit: false, disableMetrics: true } } as const;

export async function healthRoutes(app: FastifyInstance, { auditStore, cacheMs = READINESS_CACHE_MS }: HealthOptions): Promise<void> {
  // The check in flight or last finished, and when it started: concurrent probes share one check.
  let last: { at: number; check: Promise<void> } | undefined;
  const checkStore = async (): Promise<void> => {
    await auditStore.ping();
    try {
      // Reads the audit table itself (one row at most): fails when the migrations were not applied.
      await auditStore.list({ limit: 1 });
    } catch (error) {
      throw new DomainError('audit-unavailable', 'the audit store answers but its records cannot be read (migrations not applied?)', {
        cause: error,
      });
    }
  };

  app.get(
    '/healthz',
    { ...PROBE_OPTIONS, schema: { tags: ['health'], summary: 'Liveness', description: 'The process is up and answering.', response: { 200: Health } } },
    async () => ({ status: 'ok' }),
  );
  app.get(
    '/readyz',
    {
      ...PROBE_OPTIONS,
      schema: {
        tags: ['health'],
        summary: 'Readiness',
        description: 'The audit store answers (migrations ran at start-up). 503 otherwise. One answer is reused for a second.',
        response: { 200: Health, 503: problemResponse('The audit store does not answer.') },
      },
    },
    async () => {
      const at = performance.now();
      if (!last || at - last.at >= cacheMs) {
        const check = checkStore();
        // The rejection is the probe's answer; the cached promise must not count as unhandled.
        check.catch(() => undefined);
        last = { at, check };
      }
      await last.check;
      return { status: 'ready' };
    },
  );
}
