// The audit service: query mapping and not-found, over the in-memory store.
import t from 'tap';
import { createMemoryAuditStore } from '../../src/audit/memory-store.js';
import { DomainError } from '../../src/domain/errors.js';
import type { AuditQuery } from '../../src/domain/audit.js';
import { createAuditService, DEFAULT_AUDIT_PAGE_SIZE } from '../../src/services/audit-service.js';

t.test('filters map onto the store query; the page size defaults to 50', async (t) => {
  const store = createMemoryAuditStore();
  const seen: AuditQuery[] = [];
  const service = createAuditService({
    auditStore: { ...store, list: async (query) => (seen.push(query), { items: [] }) },
  });
  await service.list({});
  await service.list({ apiId: 'a', routeKey: '$default', actor: 'alice', action: 'x', status: 'partial', from: 'f', to: 'g', cursor: 'c', limit: 7 });
  t.same(seen, [
    { limit: DEFAULT_AUDIT_PAGE_SIZE },
    { limit: 7, apiId: 'a', routeKey: '$default', actorId: 'alice', action: 'x', status: 'partial', from: 'f', to: 'g', cursor: 'c' },
  ]);
  t.equal(DEFAULT_AUDIT_PAGE_SIZE, 50);
});

t.test('get: the record, or not-found', async (t) => {
  const store = createMemoryAuditStore();
  await store.appendPending({
    id: '01ARZ3NDEKTSV4RRFFQ69G5FAV',
    occurredAt: '2025-01-01T00:00:00.000Z',
    actor: { id: 'alice', kind: 'api-key' },
    requestId: 'r',
    action: 'route-integration.put',
    apiId: 'api1',
    request: {},
    plan: [],
    before: null,
  });
  const service = createAuditService({ auditStore: store });
  t.match(await service.get('01ARZ3NDEKTSV4RRFFQ69G5FAV'), { status: 'pending', apiId: 'api1' });
  await t.rejects(service.get('01ARZ3NDEKTSV4RRFFQ69G5FAW'), DomainError);
  try {
    await service.get('nope');
  } catch (error) {
    t.equal((error as DomainError).kind, 'not-found');
  }
});
