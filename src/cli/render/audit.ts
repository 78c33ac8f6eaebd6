// An audit page as people read it: one line per record, newest first, and how to get the next page.
import type { AuditPage } from '../../client/index.js';

export function renderAudit(page: AuditPage): string {
  if (page.items.length === 0) return 'No audit records.\n';
  const lines = page.items.map((record) =>
    [record.occurredAt, record.status.padEnd(11), record.action.padEnd(26), `api ${record.apiId}`, record.routeKey ? `route ${record.routeKey}` : '', `by ${record.actor.id}`, record.id]
      .filter(Boolean)
      .join('  '),
  );
  if (page.nextCursor) lines.push(`More: --cursor ${page.nextCursor}`);
  return `${lines.join('\n')}\n`;
}
