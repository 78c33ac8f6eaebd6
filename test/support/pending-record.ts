// A pending audit record as a change leaves it when its process dies before finishing: the
// entry-point tests seed these to check that start-up marks the stale ones interrupted.
import { createIdGenerator } from '../../src/audit/id.js';
import type { PendingAudit } from '../../src/domain/audit.js';

export function pendingRecord(occurredAt: Date): PendingAudit {
  return {
    id: createIdGenerator({ now: () => occurredAt }).next(),
    occurredAt: occurredAt.toISOString(),
    actor: { id: 'anonymous', kind: 'anonymous' },
    requestId: 'req-before',
    action: 'route-integration.put',
    apiId: 'abc123def4',
    routeKey: 'sendmessage',
    request: {},
    plan: [],
    before: null,
  };
}
