// What every mutation passes to the change path: who asks, the request id, dry run.
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../domain/audit.js';
import type { PlanStep } from '../domain/plan.js';
import type { ChangeContext } from '../services/change-runner.js';

const ANONYMOUS: Actor = { id: 'anonymous', kind: 'anonymous' };

export function changeContext(request: FastifyRequest, dryRun: boolean | undefined): ChangeContext {
  const idempotencyKey = request.headers['idempotency-key'];
  return {
    actor: (request as FastifyRequest & { actor?: Actor | null }).actor ?? ANONYMOUS,
    requestId: request.id,
    dryRun: dryRun === true,
    ...(typeof idempotencyKey === 'string' && idempotencyKey.length > 0 ? { idempotencyKey } : {}),
  };
}

/** The fields of a change result every mutation returns. */
export function changeFields(result: { outcome: 'planned' | 'unchanged' | 'applied'; plan: PlanStep[]; auditId?: string; auditComplete: boolean }) {
  return {
    outcome: result.outcome,
    plan: result.plan,
    ...(result.auditId ? { auditId: result.auditId } : {}),
    auditComplete: result.auditComplete,
  };
}
