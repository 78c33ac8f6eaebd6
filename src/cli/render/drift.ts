// A drift report as people read it: clean, or each difference between AWS and what Gatewire applied.
import type { DriftReport } from '../../client/index.js';

/** `api`: how to name the API (commands/target.ts apiLabel: with its target when one was given). */
export function renderDrift(report: DriftReport, api: string = report.apiId): string {
  if (report.clean) return `API ${api}: no drift.${unmanaged(report)}\n`;
  const lines = [`API ${api} has drifted from what Gatewire applied:`];
  for (const item of report.drift) {
    const where = item.routeKey ? `route ${item.routeKey}` : `integration ${item.integrationId ?? '?'}${item.responseKey ? ` response ${item.responseKey}` : ''}`;
    lines.push(`  ~ ${where}: ${item.kind} ${item.field}: applied ${JSON.stringify(item.applied)}, live ${JSON.stringify(item.live)} (audit ${item.auditId})`);
  }
  for (const item of report.permissions.missing) lines.push(`  + permission missing: ${item.functionArn}${item.qualifier ? `:${item.qualifier}` : ''} for ${item.routeKeys.join(', ')}`);
  for (const item of report.permissions.stale) lines.push(`  - stale permission: ${item.statementId} on ${item.functionArn}`);
  for (const change of report.interrupted) {
    lines.push(`  ! change ${change.id} (${change.action}) ended ${change.status}${change.supersededBy ? `, superseded by ${change.supersededBy}` : ''}`);
  }
  for (const change of report.pending) lines.push(`  … change ${change.id} (${change.action}) is still pending`);
  return `${lines.join('\n')}\n${unmanaged(report).trimStart()}${report.unmanaged.length > 0 ? '\n' : ''}`;
}

function unmanaged(report: DriftReport): string {
  return report.unmanaged.length > 0 ? ` Routes Gatewire never applied (not compared): ${report.unmanaged.join(', ')}.` : '';
}
