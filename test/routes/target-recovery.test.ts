// A change of a target interrupted by a crash is undone in that target (issue 19): whichever
// recovery finds it (the default target's sweep), it runs with the clients of the account and
// region the change acted in, which its record names.
import { CreateIntegrationCommand } from '@aws-sdk/client-apigatewayv2';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import t from 'tap';
import { createIdGenerator } from '../../src/audit/id.js';
import { buildTestApp } from '../support/build-test-app.js';
import { apiGatewayClientFor } from '../support/fake-aws/sdk-clients.js';
import { stsClientFor } from '../support/fake-aws/sts-clients.js';

const B = '210987654321';
const ROLE_B = `arn:aws:iam::${B}:role/gatewire-target`;
const TARGETS = [{ name: 'prod-b', accountId: B, region: 'eu-west-1', roleArn: ROLE_B }];

t.test("the default target's sweep undoes a target's interrupted change in that target", async (t) => {
  const { fake, auditStore, deps } = await buildTestApp(t, { env: { GATEWIRE_TARGETS: JSON.stringify(TARGETS) } });
  const bScope = fake.in({ accountId: B, region: 'eu-west-1' });
  const bApi = bScope.seedApi({ name: 'b-chat' });
  // What the crashed owner had done: created an integration in B's API, then died.
  const assumed = (await stsClientFor(fake).send(new AssumeRoleCommand({ RoleArn: ROLE_B, RoleSessionName: 'crashed' }))).Credentials!;
  const b = apiGatewayClientFor(fake, {
    region: 'eu-west-1',
    credentials: { accessKeyId: assumed.AccessKeyId!, secretAccessKey: assumed.SecretAccessKey!, sessionToken: assumed.SessionToken! },
  });
  const created = await b.send(new CreateIntegrationCommand({ ApiId: bApi, IntegrationType: 'MOCK' }));
  t.equal(bScope.api(bApi).integrations.length, 1);

  const past = new Date(Date.now() - 60_000).toISOString();
  const id = createIdGenerator().next();
  const crashed = 'crashed-instance';
  await auditStore.appendPending({
    id,
    occurredAt: past,
    actor: { id: 'ci', kind: 'api-key' },
    requestId: 'req-crashed',
    action: 'route-integration.put',
    apiId: bApi,
    routeKey: 'sendmessage',
    target: 'prod-b',
    request: {},
    plan: [
      {
        id: 'create-integration',
        description: 'Create a MOCK integration',
        operation: 'CreateIntegration',
        params: { apiId: bApi, integrationType: 'MOCK' },
        compensation: { operation: 'DeleteIntegration', params: { apiId: bApi, integrationId: '<create-integration>' } },
      },
      {
        id: 'create-route',
        description: 'Create route sendmessage',
        operation: 'CreateRoute',
        params: { apiId: bApi, routeKey: 'sendmessage', target: 'integrations/<create-integration>' },
        compensation: { operation: 'DeleteRoute', params: { apiId: bApi, routeId: '<create-route>' } },
      },
    ],
    before: null,
    // Its owner is gone and its deadline passed: it is undone, not rolled forward.
    lease: { owner: crashed, expiresAt: past },
    deadlineAt: past,
  });
  const lease = { owner: crashed, expiresAt: new Date(Date.now() + 60_000).toISOString() };
  await auditStore.takeOver(id, lease, new Date());
  await auditStore.appendJournal(id, lease, [
    { seq: 1, at: past, owner: crashed, kind: 'do', stepId: 'create-integration', operation: 'CreateIntegration', phase: 'started' },
    { seq: 2, at: past, owner: crashed, kind: 'do', stepId: 'create-integration', operation: 'CreateIntegration', phase: 'succeeded', createdId: created.IntegrationId! },
  ]);
  await auditStore.renewLease(id, { owner: crashed, expiresAt: past });
  fake.resetCalls();

  t.equal(await deps.recovery.sweepOnce(), 1, 'taken over');
  t.same(bScope.api(bApi).integrations, [], 'the integration it made in B is deleted');
  const deletes = fake.calls.filter((call) => call.operation === 'DeleteIntegration');
  t.match(deletes, [{ accountId: B, region: 'eu-west-1', status: 204 }], "with B's credentials, in eu-west-1");
  t.match(await auditStore.get(id), { status: 'rolled_back', target: 'prod-b' });
});
