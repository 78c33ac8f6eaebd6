// A pending change whose plan this version cannot read (a newer version's, mid rolling deploy)
// is neither run nor undone by guesswork: recovery leaves it pending, sends nothing to AWS, and
// a new change to its API answers 409 meanwhile, as for a change still running elsewhere.
import t from 'tap';
import { createIdGenerator } from '../../src/audit/id.js';
import { buildTestApp } from '../support/build-test-app.js';

t.test('a stored plan with an operation this version does not know', async (t) => {
  const { app, fake, apiId, auditStore, deps } = await buildTestApp(t);
  const past = new Date(Date.now() - 60_000).toISOString();
  const id = createIdGenerator().next();
  await auditStore.appendPending({
    id,
    occurredAt: past,
    actor: { id: 'ci', kind: 'api-key' },
    requestId: 'req-newer',
    action: 'route-integration.put',
    apiId,
    routeKey: 'sendmessage',
    request: {},
    plan: [
      {
        id: 'create-integration',
        description: 'Create a MOCK integration',
        operation: 'CreateIntegration',
        params: { apiId, integrationType: 'MOCK' },
        compensation: { operation: 'DeleteIntegration', params: { apiId, integrationId: '<create-integration>' } },
      },
      { id: 'tag-api', description: 'Tag the API', operation: 'TagResource', params: { resourceArn: 'arn', tags: {} } },
    ],
    before: null,
    lease: { owner: 'newer-instance', expiresAt: past },
    deadlineAt: past,
  });
  fake.resetCalls();

  t.equal(await deps.recovery.sweepOnce(), 0, 'not recovered');
  t.match(await auditStore.get(id), { status: 'pending' }, 'left pending for an instance that can read it');
  t.same(
    fake.calls.filter((call) => !call.operation.startsWith('Get')),
    [],
    'nothing written to AWS',
  );

  const put = await app.inject({ method: 'PUT', url: `/v1/apis/${apiId}/routes/ping/integration`, payload: { backend: { type: 'mock' } } });
  t.equal(put.statusCode, 409, put.body.slice(0, 300));
  t.match(put.json(), { detail: /cannot be recovered by this instance: .*step 1 \(tag-api\): unknown operation "TagResource"/ });
  t.ok(put.headers['retry-after'], 'with Retry-After');
});
