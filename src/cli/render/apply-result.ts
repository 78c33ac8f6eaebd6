// What an apply did, in one paragraph: the outcome per route counted, the deployment, the record.
import type { BulkApplyChange } from '../../client/index.js';

export function renderApplyResult(apiId: string, change: BulkApplyChange): string {
  const counts = new Map<string, number>();
  for (const { outcome } of Object.values(change.routes)) counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
  const routes = ['created', 'updated', 'removed', 'unchanged']
    .filter((outcome) => counts.has(outcome))
    .map((outcome) => `${counts.get(outcome)} ${outcome}`)
    .join(', ');
  const lines = [
    change.outcome === 'unchanged'
      ? `No changes: API ${apiId} already matches the route map (${routes}).`
      : `Applied to API ${apiId}: ${routes} (${change.plan.length} AWS calls).`,
  ];
  const deployment = change.deployment;
  if (deployment?.status === 'deployed') lines.push(`Deployed on stage ${deployment.stageName} (deployment ${deployment.deploymentId ?? 'unknown'}).`);
  if (deployment?.status === 'auto-deploys') lines.push(`Stage ${deployment.stageName} deploys itself (autoDeploy).`);
  if (deployment?.status === 'not-needed') lines.push(`Nothing to deploy on stage ${deployment.stageName}.`);
  if (change.auditId) lines.push(`Audit record: ${change.auditId}${change.auditComplete ? '' : ' (still pending: the final audit write failed)'}`);
  return `${lines.join('\n')}\n`;
}
