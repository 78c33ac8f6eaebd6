import t from 'tap';
import { createMemoryAuditStore } from '../../src/audit/memory-store.js';
import { auditStoreContract } from '../support/audit-store-contract.js';

t.test('contract', async (t) => {
  auditStoreContract(t, async () => {
    const store = createMemoryAuditStore();
    return { store, close: () => store.close() };
  });
});

t.test('the fault switch fails calls until turned off', async (t) => {
  const store = createMemoryAuditStore();
  store.setUnavailable(true);
  await t.rejects(store.ping(), { name: 'DomainError', kind: 'audit-unavailable' });
  store.setUnavailable(false);
  await t.resolves(store.ping());
});

t.test('records() lists everything oldest first, as copies', async (t) => {
  const store = createMemoryAuditStore();
  const base = {
    occurredAt: '2025-01-01T00:00:00.000Z',
    actor: { id: 'a', kind: 'api-key' as const },
    requestId: 'r',
    action: 'x',
    apiId: 'api',
    request: { n: 1 },
    plan: [],
    before: null,
  };
  await store.appendPending({ ...base, id: 'B' });
  await store.appendPending({ ...base, id: 'A' });
  const records = store.records();
  t.strictSame(records.map((record) => record.id), ['A', 'B']);
  (records[0]!.request as { n: number }).n = 2;
  t.strictSame((await store.get('A'))?.request, { n: 1 }, 'callers cannot mutate stored records');
  await t.rejects(store.appendPending({ ...base, id: 'A' }), { name: 'DomainError', kind: 'audit-unavailable' }, 'duplicate id');
});
