// The parts every change's answer shares (schemas/plan.ts ChangeSummary): what happened, the plan,
// the audit record and the deployment. Each spec's `present` adds its resource to them; the runner
// keeps the whole answer with the record, so that GET /v1/changes/{id} serves the very same body.
import type { ChangeResponse, ChangeResult } from './change-runner.js';

export function changeSummary(result: Pick<ChangeResult<unknown>, 'outcome' | 'plan' | 'auditId' | 'auditComplete' | 'deployment'>) {
  return {
    outcome: result.outcome,
    plan: result.plan,
    ...(result.auditId ? { auditId: result.auditId } : {}),
    auditComplete: result.auditComplete,
    ...(result.deployment ? { deployment: result.deployment } : {}),
  };
}

/** A 200 (or `status`) answer with the body, and the ETag header when the target has a tag. */
export function answer(body: unknown, options: { status?: number; etag?: string | undefined; location?: string } = {}): ChangeResponse {
  const headers: Record<string, string> = {};
  if (options.etag !== undefined) headers['etag'] = options.etag;
  if (options.location !== undefined) headers['location'] = options.location;
  return { status: options.status ?? 200, body, ...(Object.keys(headers).length > 0 ? { headers } : {}) };
}
