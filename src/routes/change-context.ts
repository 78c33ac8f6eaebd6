// What every mutation passes to the change path: who asks, the request id, dry run, the stage to
// deploy, and the conditional headers (If-Match / If-None-Match, RFC 9110 §13.1).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../domain/audit.js';
import { grantOf } from '../plugins/authenticate.js';
import { validationError } from '../domain/errors.js';
import { parseEntityTagCondition, type Preconditions } from '../domain/etag.js';
import type { PlanStep } from '../domain/plan.js';
import type { ChangeContext, DeploymentOutcome } from '../services/change-runner.js';

const ANONYMOUS: Actor = { id: 'anonymous', kind: 'anonymous' };

/** The query of a mutation (schemas/common.ts MutationQuery); a bare boolean is the dry-run flag alone. */
export type ChangeQuery = { dryRun?: boolean; deployStage?: string } | boolean | undefined;

export function changeContext(request: FastifyRequest, query: ChangeQuery): ChangeContext {
  const { dryRun, deployStage } = typeof query === 'object' ? query : { dryRun: query, deployStage: undefined };
  const idempotencyKey = request.headers['idempotency-key'];
  const preconditions = preconditionsOf(request);
  const tokenScopes = grantOf(request)?.tokenScopes;
  return {
    actor: (request as FastifyRequest & { actor?: Actor | null }).actor ?? ANONYMOUS,
    ...(tokenScopes ? { tokenScopes } : {}),
    requestId: request.id,
    dryRun: dryRun === true,
    ...(typeof idempotencyKey === 'string' && idempotencyKey.length > 0 ? { idempotencyKey } : {}),
    ...(preconditions ? { preconditions } : {}),
    ...(deployStage !== undefined ? { deployStage } : {}),
  };
}

/** If-Match and If-None-Match; a value that is neither `*` nor a list of entity tags is a 400. */
function preconditionsOf(request: FastifyRequest): Preconditions | undefined {
  const preconditions: Preconditions = {};
  for (const [header, member] of [
    ['if-match', 'ifMatch'],
    ['if-none-match', 'ifNoneMatch'],
  ] as const) {
    const value = request.headers[header];
    if (value === undefined) continue;
    const condition = parseEntityTagCondition(Array.isArray(value) ? value.join(',') : value);
    if (!condition) {
      throw validationError([{ path: `/headers/${header}`, message: 'must be * or a comma-separated list of entity tags ("…" or W/"…")' }]);
    }
    preconditions[member] = condition;
  }
  return preconditions.ifMatch || preconditions.ifNoneMatch ? preconditions : undefined;
}

/** The fields of a change result every mutation returns. */
export function changeFields(result: {
  outcome: 'planned' | 'unchanged' | 'applied';
  plan: PlanStep[];
  auditId?: string;
  auditComplete: boolean;
  deployment?: DeploymentOutcome;
}) {
  return {
    outcome: result.outcome,
    plan: result.plan,
    ...(result.auditId ? { auditId: result.auditId } : {}),
    auditComplete: result.auditComplete,
    ...(result.deployment ? { deployment: result.deployment } : {}),
  };
}

/** Sets the ETag header when the resource has a tag (a deleted one has none). */
export function setEtag(reply: FastifyReply, etag: string | undefined): void {
  if (etag !== undefined) reply.header('etag', etag);
}
