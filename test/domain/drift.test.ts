// Drift is pure: audit records and the live API in, differences out. These cases pin which record
// is the baseline of a route and of an integration, and what counts as a difference.
import t from 'tap';
import { appliedStateOf } from '../../src/domain/applied-state.js';
import type { AuditRecord, AuditStatus } from '../../src/domain/audit.js';
import { compareDrift, integrationsWithAppliedResponses, unsettledChanges, type LiveApiState } from '../../src/domain/drift.js';
import type { Integration, IntegrationResponse, Route } from '../../src/domain/model.js';

const mock: Integration = { integrationId: 'int1', integrationType: 'MOCK', connectionType: 'INTERNET', timeoutInMillis: 29000 };
const route: Route = { routeId: 'r1', routeKey: 'send', target: 'integrations/int1' };
const ok: IntegrationResponse = { integrationResponseId: 'ir1', integrationResponseKey: '$default', responseTemplates: { 'application/json': '{}' } };

let sequence = 0;
/** A record with a time-ordered id: later calls are newer. */
function record(action: string, fields: Partial<AuditRecord> & { after?: unknown }, status: AuditStatus = 'succeeded'): AuditRecord {
  sequence += 1;
  return {
    id: `01J${String(sequence).padStart(23, '0')}`,
    occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, sequence)).toISOString(),
    actor: { id: 'test', kind: 'api-key' },
    requestId: `req-${sequence}`,
    action,
    apiId: 'api1',
    status,
    request: {},
    plan: [],
    before: null,
    awsCalls: [],
    ...fields,
  };
}

/** A route-integration.put record that left `routeKey` bound to `integration` with `responses`. */
function routePut(routeKey: string, integration: Integration | undefined, extra: { route?: Route; responses?: IntegrationResponse[]; before?: unknown } = {}) {
  const boundRoute = extra.route ?? { routeId: `r-${routeKey}`, routeKey, ...(integration ? { target: `integrations/${integration.integrationId}` } : {}) };
  return record('route-integration.put', {
    routeKey,
    ...(integration ? { integrationId: integration.integrationId } : {}),
    before: extra.before ?? null,
    after: {
      apiId: 'api1',
      routeKey,
      route: boundRoute,
      ...(integration ? { integration } : {}),
      integrationResponses: extra.responses ?? [],
      routeResponses: [],
      otherRoutesUsingIntegration: [],
      policies: {},
    },
  });
}

/** Newest first, as the store lists them. */
const newestFirst = (...records: AuditRecord[]) => [...records].reverse();
const live = (state: Partial<LiveApiState>): LiveApiState => ({ routes: [], integrations: [], integrationResponses: new Map(), ...state });

t.test('the live state as Gatewire left it is no drift', async (t) => {
  const applied = appliedStateOf(newestFirst(routePut('send', mock, { route })));
  const result = compareDrift(applied, live({ routes: [route], integrations: [mock] }));
  t.same(result, { drift: [], unmanaged: [] });
});

t.test('absent, empty text and an empty map are the same "not set"', async (t) => {
  const applied = appliedStateOf(newestFirst(routePut('send', { ...mock, description: '', requestTemplates: {} }, { route })));
  const result = compareDrift(applied, live({ routes: [{ ...route, routeResponseSelectionExpression: '' }], integrations: [mock] }));
  t.same(result.drift, []);
});

t.test('a changed field names the field, the applied and live values and the record', async (t) => {
  const put = routePut('send', mock, { route });
  const result = compareDrift(appliedStateOf([put]), live({ routes: [route], integrations: [{ ...mock, timeoutInMillis: 500, description: 'hand-edited' }] }));
  t.same(result.drift, [
    { kind: 'integration-changed', integrationId: 'int1', routeKeys: ['send'], field: 'description', applied: null, live: 'hand-edited', auditId: put.id },
    { kind: 'integration-changed', integrationId: 'int1', routeKeys: ['send'], field: 'timeoutInMillis', applied: 29000, live: 500, auditId: put.id },
  ]);
});

t.test('a deleted route, an unbound route and a deleted integration', async (t) => {
  const other: Integration = { ...mock, integrationId: 'int2' };
  const send = routePut('send', mock, { route });
  const join = routePut('join', other);
  const applied = appliedStateOf(newestFirst(send, join));
  const result = compareDrift(applied, live({ routes: [{ routeId: 'r-join', routeKey: 'join' }], integrations: [mock] }));
  t.same(result.drift, [
    { kind: 'route-changed', routeKey: 'join', field: 'target', applied: 'integrations/int2', live: null, auditId: join.id },
    { kind: 'route-deleted', routeKey: 'send', field: 'route', applied: route, live: null, auditId: send.id },
    { kind: 'integration-deleted', integrationId: 'int2', routeKeys: ['join'], field: 'integration', applied: other, live: null, auditId: join.id },
  ]);
});

t.test('a route rebound to another integration is a target change', async (t) => {
  const put = routePut('send', mock, { route });
  const result = compareDrift(
    appliedStateOf([put]),
    live({ routes: [{ ...route, target: 'integrations/elsewhere' }], integrations: [mock, { ...mock, integrationId: 'elsewhere' }] }),
  );
  t.same(result.drift, [{ kind: 'route-changed', routeKey: 'send', field: 'target', applied: 'integrations/int1', live: 'integrations/elsewhere', auditId: put.id }]);
});

t.test('only the latest succeeded record of a route key counts', async (t) => {
  const first = routePut('send', { ...mock, timeoutInMillis: 100 }, { route });
  const second = routePut('send', mock, { route });
  const failed = record('route-integration.put', { routeKey: 'send', after: { route, integration: { ...mock, timeoutInMillis: 5 } } }, 'failed');
  const rolledBack = record('route-integration.put', { routeKey: 'send', after: { route, integration: { ...mock, timeoutInMillis: 6 } } }, 'rolled_back');
  const applied = appliedStateOf(newestFirst(first, second, failed, rolledBack));
  t.equal(applied.routes.get('send')?.auditId, second.id);
  t.same(compareDrift(applied, live({ routes: [route], integrations: [mock] })).drift, []);
});

t.test('an integration Gatewire replaced or deleted is no longer compared', async (t) => {
  const replacement: Integration = { ...mock, integrationId: 'int2' };
  const first = routePut('send', mock);
  const rawUpdate = record('integration.update', { integrationId: 'int1', after: mock });
  const replaced = routePut('send', replacement, { before: { integration: mock, otherRoutesUsingIntegration: [] } });
  const created = record('integration.create', { integrationId: 'int3', after: { ...mock, integrationId: 'int3' } });
  const deleted = record('integration.delete', { integrationId: 'int3', after: null });
  const applied = appliedStateOf(newestFirst(first, rawUpdate, replaced, created, deleted));
  t.same([...applied.integrations.keys()], ['int2'], 'int1 was replaced, int3 deleted');
  const result = compareDrift(applied, live({ routes: [{ routeId: 'r-send', routeKey: 'send', target: 'integrations/int2' }], integrations: [replacement] }));
  t.same(result.drift, []);
});

t.test('a bulk apply is a record per route key', async (t) => {
  const other: Integration = { ...mock, integrationId: 'int2' };
  const bound = routePut('gone', other);
  const bulk = record('routes.bulk-put', {
    after: {
      routes: {
        send: { route, integration: mock, integrationResponses: [], routeResponses: [] },
        gone: { route: { routeId: 'r2', routeKey: 'gone' }, integrationResponses: [], routeResponses: [] },
      },
    },
  });
  const applied = appliedStateOf(newestFirst(bound, bulk));
  t.same([...applied.routes.keys()].sort(), ['gone', 'send']);
  t.equal(applied.routes.get('gone')?.integrationId, undefined, 'the removed route is unbound');
  t.notOk(applied.integrations.has('int2'), "the removed route's old integration is released");
  const result = compareDrift(applied, live({ routes: [route, { routeId: 'r2', routeKey: 'gone', target: 'integrations/int2' }], integrations: [mock, other] }));
  t.same(result.drift, [{ kind: 'route-changed', routeKey: 'gone', field: 'target', applied: null, live: 'integrations/int2', auditId: bulk.id }]);
});

t.test('a raw-form change newer than the route record is the baseline of the integration', async (t) => {
  const put = routePut('send', mock, { route });
  const patch = record('integration.update', { integrationId: 'int1', after: { ...mock, timeoutInMillis: 1000 } });
  const result = compareDrift(appliedStateOf(newestFirst(put, patch)), live({ routes: [route], integrations: [mock] }));
  t.same(result.drift, [
    { kind: 'integration-changed', integrationId: 'int1', routeKeys: ['send'], field: 'timeoutInMillis', applied: 1000, live: 29000, auditId: patch.id },
  ]);
});

t.test('integration responses: changed, deleted and added, against the applied set', async (t) => {
  const error: IntegrationResponse = { integrationResponseId: 'ir2', integrationResponseKey: '/4\\d\\d/' };
  const put = routePut('send', mock, { route, responses: [ok, error] });
  const responsePut = record('integration-response.put', {
    integrationId: 'int1',
    after: { integrationResponseId: 'ir3', integrationResponseKey: '/5\\d\\d/' },
  });
  const applied = appliedStateOf(newestFirst(put, responsePut));
  t.same(integrationsWithAppliedResponses(applied, { integrations: [mock] }), ['int1'], 'its responses must be read');
  t.same(integrationsWithAppliedResponses(applied, { integrations: [] }), [], 'not when the integration is gone');
  const liveResponses = [{ ...ok, responseTemplates: { 'application/json': '{"changed":true}' } }, { integrationResponseId: 'ir9', integrationResponseKey: '$extra' }];
  const result = compareDrift(applied, live({ routes: [route], integrations: [mock], integrationResponses: new Map([['int1', liveResponses]]) }));
  t.same(
    result.drift.map((item) => [item.kind, item.responseKey, item.field, item.auditId]),
    [
      ['integration-response-changed', '$default', 'responseTemplates', put.id],
      ['integration-response-deleted', '/4\\d\\d/', 'response', put.id],
      ['integration-response-deleted', '/5\\d\\d/', 'response', responsePut.id],
      ['integration-response-added', '$extra', 'response', put.id],
    ],
  );
});

t.test('a response Gatewire deleted that is back is drift', async (t) => {
  const put = routePut('send', mock, { route, responses: [ok] });
  const removed = record('integration-response.delete', { integrationId: 'int1', request: { responseKey: '$default' }, after: null });
  const applied = appliedStateOf(newestFirst(put, removed));
  const result = compareDrift(applied, live({ routes: [route], integrations: [mock], integrationResponses: new Map([['int1', [ok]]]) }));
  t.match(result.drift, [{ kind: 'integration-response-added', responseKey: '$default', applied: null, auditId: removed.id }]);
  t.equal(result.drift.length, 1);
});

t.test('routes Gatewire never applied are unmanaged, not drift', async (t) => {
  const applied = appliedStateOf(newestFirst(routePut('send', mock, { route })));
  const result = compareDrift(applied, live({ routes: [route, { routeId: 'r0', routeKey: '$connect', target: 'integrations/x' }], integrations: [mock] }));
  t.same(result, { drift: [], unmanaged: ['$connect'] });
});

t.test('records that say nothing usable are skipped', async (t) => {
  const unreadable = record('route-integration.put', { routeKey: 'send', after: { unreadable: 'NotFoundException' } });
  const reconcile = record('permissions.reconcile', { after: { items: [] } });
  const applied = appliedStateOf(newestFirst(unreadable, reconcile, record('integration.create', { after: null })));
  t.equal(applied.routes.size, 0);
  t.equal(applied.integrations.size, 0);
});

t.test('interrupted and partial changes, and pending ones apart, newest first', async (t) => {
  const older = record('route-integration.put', { routeKey: 'a' }, 'interrupted');
  const partial = record('integration.delete', { integrationId: 'int1', leftovers: ['statement gatewire-x'] }, 'partial');
  const pending = record('route-integration.delete', { routeKey: 'b' }, 'pending');
  const records = newestFirst(older, routePut('send', mock), partial, pending);
  const { interrupted, pending: stillPending } = unsettledChanges(records);
  t.same(interrupted, [
    { id: partial.id, action: 'integration.delete', status: 'partial', integrationId: 'int1', occurredAt: partial.occurredAt, leftovers: ['statement gatewire-x'] },
    { id: older.id, action: 'route-integration.put', status: 'interrupted', routeKey: 'a', occurredAt: older.occurredAt },
  ]);
  t.same(stillPending, [{ id: pending.id, action: 'route-integration.delete', status: 'pending', routeKey: 'b', occurredAt: pending.occurredAt }]);
});

t.test('a newer succeeded change of the same route keys or integration supersedes an unknown outcome', async (t) => {
  const crashed = record('route-integration.put', { routeKey: 'send' }, 'interrupted');
  const bulkCrashed = record('routes.bulk-put', { request: { routes: { send: null, join: null } } }, 'interrupted');
  const rawCrashed = record('integration.update', { integrationId: 'int7' }, 'partial');
  const reconcileCrashed = record('permissions.reconcile', {}, 'interrupted');
  const sendAgain = routePut('send', mock);
  const rawAgain = record('integration.update', { integrationId: 'int7', after: { ...mock, integrationId: 'int7' } });
  const { interrupted } = unsettledChanges(newestFirst(crashed, bulkCrashed, rawCrashed, reconcileCrashed, sendAgain, rawAgain));
  t.same(
    interrupted.map((change) => [change.id, change.supersededBy]),
    [
      [reconcileCrashed.id, undefined],
      [rawCrashed.id, rawAgain.id],
      [bulkCrashed.id, undefined],
      [crashed.id, sendAgain.id],
    ],
    'a bulk change stays unknown until every key it named was applied again; one about neither stays unknown',
  );
});

t.test('a bulk apply that replaced an integration no other route used releases it; a shared one stays compared', async (t) => {
  const int5: Integration = { ...mock, integrationId: 'int5' };
  const int6: Integration = { ...mock, integrationId: 'int6' };
  const int8: Integration = { ...mock, integrationId: 'int8' };
  // Created through the raw form, then bound to routes by another tool.
  const created5 = record('integration.create', { integrationId: 'int5', after: int5 });
  const created8 = record('integration.create', { integrationId: 'int8', after: int8 });
  const bulk = record('routes.bulk-put', {
    before: {
      routes: {
        x: { integration: int5, otherRoutesUsingIntegration: [], integrationResponses: [], routeResponses: [] },
        y: { integration: int8, otherRoutesUsingIntegration: ['z'], integrationResponses: [], routeResponses: [] },
      },
    },
    after: {
      routes: {
        x: { route: { routeId: 'rx', routeKey: 'x', target: 'integrations/int6' }, integration: int6, integrationResponses: [], routeResponses: [] },
        y: { route: { routeId: 'ry', routeKey: 'y', target: 'integrations/int6' }, integration: int6, integrationResponses: [], routeResponses: [] },
      },
    },
  });
  const applied = appliedStateOf(newestFirst(created5, created8, bulk));
  t.same([...applied.integrations.keys()].sort(), ['int6', 'int8'], 'int5 was deleted by the bulk apply; int8 is still used by z');
  const result = compareDrift(applied, live({ routes: [], integrations: [int6] }));
  t.match(result.drift, [
    { kind: 'route-deleted', routeKey: 'x' },
    { kind: 'route-deleted', routeKey: 'y' },
    { kind: 'integration-deleted', integrationId: 'int8', auditId: created8.id },
  ]);
  t.equal(result.drift.length, 3);
});
