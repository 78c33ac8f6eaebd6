// The fake keeps state per account and region, as AWS does: the account is the signing key's (an
// assumed role's credentials belong to the role's account), the region the SigV4 signing scope's.
import { CreateApiCommand, GetApiCommand, GetApisCommand } from '@aws-sdk/client-apigatewayv2';
import { AddPermissionCommand, GetPolicyCommand } from '@aws-sdk/client-lambda';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import t from 'tap';
import { signingRegionOf, startFakeAws, type FakeAws } from '../support/fake-aws/index.js';
import { apiGatewayClientFor, lambdaClientFor } from '../support/fake-aws/sdk-clients.js';
import { sdkFailureOf } from '../support/fake-aws/sdk-failure.js';
import { stsClientFor } from '../support/fake-aws/sts-clients.js';
import type { TestContext } from '../support/tap.js';

const B = '210987654321';
const ROLE_B = `arn:aws:iam::${B}:role/gatewire-target`;

async function setUp(t: TestContext, options: Parameters<typeof startFakeAws>[0] = {}): Promise<FakeAws> {
  const fake = await startFakeAws(options);
  t.teardown(() => fake.close());
  return fake;
}

async function assume(fake: FakeAws, roleArn: string): Promise<AwsCredentialIdentity> {
  const out = await stsClientFor(fake).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'gatewire' }));
  const c = out.Credentials!;
  return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
}

t.test('signingRegionOf reads the region of the SigV4 credential scope', async (t) => {
  t.equal(signingRegionOf('AWS4-HMAC-SHA256 Credential=AKID/20261205/eu-west-1/apigateway/aws4_request, SignedHeaders=host, Signature=ab'), 'eu-west-1');
  t.equal(signingRegionOf(undefined), undefined);
  t.equal(signingRegionOf('Bearer token'), undefined);
});

t.test('an assumed role sees its own account: APIs of one account are invisible to the other', async (t) => {
  const fake = await setUp(t);
  const homeApi = fake.seedApi({ name: 'home' });
  const otherApi = fake.in({ accountId: B }).seedApi({ name: 'other' });
  const credentials = await assume(fake, ROLE_B);

  const home = apiGatewayClientFor(fake);
  const other = apiGatewayClientFor(fake, { credentials });
  t.same((await home.send(new GetApisCommand({}))).Items?.map((api) => api.Name), ['home']);
  t.same((await other.send(new GetApisCommand({}))).Items?.map((api) => api.Name), ['other']);
  t.match(await sdkFailureOf(other.send(new GetApiCommand({ ApiId: homeApi }))), {
    name: 'NotFoundException',
    message: `Invalid API identifier specified ${B}:${homeApi}`,
  });
  t.match(fake.calls.at(-1), { service: 'apigatewayv2', accountId: B, region: fake.region, status: 404 });

  const created = await other.send(new CreateApiCommand({ Name: 'made-in-b', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' }));
  t.same(fake.in({ accountId: B }).apiIds(), [otherApi, created.ApiId], 'the create landed in B');
  t.same(fake.in({}).apiIds(), [homeApi], 'and not in the default account');
  t.match(fake.snapshot(), { elsewhere: { [`${B}/${fake.region}`]: { [created.ApiId!]: { api: { name: 'made-in-b' } } } } });
});

t.test('the signing region picks the region: same account, separate APIs and endpoints', async (t) => {
  const fake = await setUp(t);
  fake.seedApi({ name: 'virginia' });
  const west = apiGatewayClientFor(fake, { region: 'eu-west-1' });
  const created = await west.send(new CreateApiCommand({ Name: 'ireland', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' }));
  t.equal(created.ApiEndpoint, `wss://${created.ApiId}.execute-api.eu-west-1.amazonaws.com`);
  t.same((await west.send(new GetApisCommand({}))).Items?.map((api) => api.Name), ['ireland']);
  t.same((await apiGatewayClientFor(fake).send(new GetApisCommand({}))).Items?.map((api) => api.Name), ['virginia']);
  t.same(fake.in({ region: 'eu-west-1' }).apiIds(), [created.ApiId]);
  t.match(fake.calls.at(-2), { accountId: fake.accountId, region: 'eu-west-1' });
});

t.test('a bare function name means the caller account, in the signing region', async (t) => {
  const fake = await setUp(t);
  const homeArn = fake.seedFunction({ name: 'handler' });
  const bArn = fake.in({ accountId: B }).seedFunction({ name: 'handler' });
  const westArn = fake.in({ region: 'eu-west-1' }).seedFunction({ name: 'west-only' });
  t.equal(bArn, `arn:aws:lambda:${fake.region}:${B}:function:handler`);
  t.equal(westArn, `arn:aws:lambda:eu-west-1:${fake.accountId}:function:west-only`);
  const credentials = await assume(fake, ROLE_B);
  const lambdaB = lambdaClientFor(fake, { credentials });
  await lambdaB.send(new AddPermissionCommand({ FunctionName: 'handler', StatementId: 's1', Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com' }));
  t.equal(fake.policy(bArn).length, 1, "B's own function got the statement");
  t.same(fake.policy(homeArn), [], 'the default account function did not');
  t.match(await sdkFailureOf(lambdaClientFor(fake).send(new GetPolicyCommand({ FunctionName: 'west-only' }))), { name: 'ResourceNotFoundException' }, 'another region is not visible');
  const lambdaWest = lambdaClientFor(fake, { region: 'eu-west-1' });
  await lambdaWest.send(new AddPermissionCommand({ FunctionName: 'west-only', StatementId: 'w1', Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com' }));
  const policy = await lambdaWest.send(new GetPolicyCommand({ FunctionName: 'west-only' }));
  t.match(JSON.parse(policy.Policy!), { Statement: [{ Sid: 'w1', Resource: westArn }] }, 'signed for eu-west-1, the call reached the function there');
});

t.test('rate limits and the deployment pace are per account and region', async (t) => {
  const fake = await setUp(t, { rateLimit: { apiGatewayPerSecond: 0.001, apiGatewayBurst: 2, lambdaPerSecond: 100 } });
  const home = apiGatewayClientFor(fake);
  const west = apiGatewayClientFor(fake, { region: 'eu-west-1' });
  await home.send(new GetApisCommand({}));
  await home.send(new GetApisCommand({}));
  t.match(await sdkFailureOf(home.send(new GetApisCommand({}))), { name: 'TooManyRequestsException' }, 'the home bucket is empty');
  await west.send(new GetApisCommand({}));
  t.pass('the other region has its own bucket');
});

t.test('a role that requires an external id is assumed only with it', async (t) => {
  const fake = await setUp(t);
  fake.requireExternalId(ROLE_B, 'team-42');
  const sts = stsClientFor(fake);
  t.match(await sdkFailureOf(sts.send(new AssumeRoleCommand({ RoleArn: ROLE_B, RoleSessionName: 'gatewire' }))), { name: 'AccessDenied', status: 403 });
  t.match(await sdkFailureOf(sts.send(new AssumeRoleCommand({ RoleArn: ROLE_B, RoleSessionName: 'gatewire', ExternalId: 'team-41' }))), { name: 'AccessDenied' });
  const out = await sts.send(new AssumeRoleCommand({ RoleArn: ROLE_B, RoleSessionName: 'gatewire', ExternalId: 'team-42' }));
  t.equal(fake.accountOfAccessKey(out.Credentials!.AccessKeyId), B);
});
