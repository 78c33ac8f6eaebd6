// The permission report under a target (issue 19): GET /v1/targets/{target}/apis/{apiId}/permissions
// reads the target account's function policies through the target's role, and the report's source
// ARNs name the target's account and region; reconcile writes there the same way.
import { RemovePermissionCommand } from '@aws-sdk/client-lambda';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import t from 'tap';
import { buildTestApp, routeIntegrationUrl } from '../support/build-test-app.js';
import { lambdaClientFor } from '../support/fake-aws/sdk-clients.js';
import { stsClientFor } from '../support/fake-aws/sts-clients.js';
import { assertProblem } from '../support/problems.js';

const B = '210987654321';
const ROLE_B = `arn:aws:iam::${B}:role/gatewire-target`;
const TARGETS = [{ name: 'prod-b', accountId: B, region: 'eu-west-1', roleArn: ROLE_B, externalId: 'gatewire-prod' }];

t.test("the permission report of a target's API reads the target account's policies through its role", async (t) => {
  const { app, fake, apiId } = await buildTestApp(t, { env: { GATEWIRE_TARGETS: JSON.stringify(TARGETS) } });
  fake.requireExternalId(ROLE_B, 'gatewire-prod');
  const bScope = fake.in({ accountId: B, region: 'eu-west-1' });
  // The same id as the default API: the report must be of B's API, not of the default one.
  const bApi = bScope.seedApi({ name: 'b-chat', apiId });
  const fnArn = bScope.seedFunction({ name: 'b-handler' });
  const base = `/v1/targets/prod-b${routeIntegrationUrl(bApi, 'send').slice(3)}`;
  const put = await app.inject({ method: 'PUT', url: base, payload: { backend: { type: 'lambda', function: 'b-handler' } } });
  t.equal(put.statusCode, 200, put.body.slice(0, 500));
  t.equal(bScope.policy(fnArn).length, 1, "the statement is in B's function policy");

  fake.resetCalls();
  const report = await app.inject({ method: 'GET', url: `/v1/targets/prod-b/apis/${bApi}/permissions` });
  t.equal(report.statusCode, 200, report.body.slice(0, 500));
  t.match(report.json(), {
    apiId: bApi,
    items: [{ routeKeys: ['send'], functionArn: fnArn, sourceArn: new RegExp(`^arn:aws:execute-api:eu-west-1:${B}:${bApi}/`), status: 'ok' }],
    stale: [],
  });
  const policyReads = fake.calls.filter((call) => call.service === 'lambda');
  t.ok(policyReads.length > 0, 'the policy was read');
  t.same([...new Set(policyReads.map((call) => `${call.accountId}/${call.region}`))], [`${B}/eu-west-1`], "every Lambda call with B's credentials, in eu-west-1");
  t.same([...new Set(fake.calls.filter((call) => call.service === 'apigatewayv2').map((call) => `${call.accountId}/${call.region}`))], [`${B}/eu-west-1`]);
  t.ok(fake.assumedSessions().some((session) => session.roleArn === ROLE_B), "B's target role (with its external id, else STS refused it)");

  // The default API with the same id has no integration: its report is its own.
  const home = await app.inject({ method: 'GET', url: `/v1/apis/${apiId}/permissions` });
  t.equal(home.statusCode, 200);
  t.same(home.json().items, [], "the default API's report does not see B's integration");

  // Removed behind Gatewire's back in B: the report says missing, and reconcile writes it back in B.
  const sts = stsClientFor(fake);
  const { Credentials: c } = await sts.send(new AssumeRoleCommand({ RoleArn: ROLE_B, RoleSessionName: 'someone-else', ExternalId: 'gatewire-prod' }));
  sts.destroy();
  const lambda = lambdaClientFor(fake, { region: 'eu-west-1', credentials: { accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken! } });
  t.teardown(() => lambda.destroy());
  await lambda.send(new RemovePermissionCommand({ FunctionName: 'b-handler', StatementId: bScope.policy(fnArn)[0]!.Sid }));
  const missing = await app.inject({ method: 'GET', url: `/v1/targets/prod-b/apis/${bApi}/permissions` });
  t.match(missing.json().items, [{ functionArn: fnArn, status: 'missing' }]);
  fake.resetCalls();
  const reconcile = await app.inject({ method: 'POST', url: `/v1/targets/prod-b/apis/${bApi}/permissions/reconcile` });
  t.equal(reconcile.statusCode, 200, reconcile.body.slice(0, 500));
  t.equal(bScope.policy(fnArn).length, 1, 'written back');
  const add = fake.writes().find((call) => call.operation === 'AddPermission');
  t.match(add, { accountId: B, region: 'eu-west-1' }, "with B's credentials, in eu-west-1");
  t.match((await app.inject({ method: 'GET', url: `/v1/audit?target=prod-b` })).json().items[0], { target: 'prod-b', apiId: bApi });
});

t.test('the permission report of an unknown or unreachable target: 404 or 502, no policy read', async (t) => {
  const { app, fake, apiId } = await buildTestApp(t, { env: { GATEWIRE_TARGETS: JSON.stringify(TARGETS) } });
  fake.blockRole(ROLE_B);
  fake.resetCalls();
  assertProblem(t, await app.inject({ method: 'GET', url: `/v1/targets/nowhere/apis/${apiId}/permissions` }), 404);
  const unreachable = assertProblem(t, await app.inject({ method: 'GET', url: `/v1/targets/prod-b/apis/${apiId}/permissions` }), 502);
  t.match(unreachable.detail, /Target "prod-b" .* is unreachable/);
  t.same(fake.calls.filter((call) => call.service !== 'sts'), [], 'no API Gateway or Lambda call');
});
