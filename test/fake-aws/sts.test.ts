import { AddPermissionCommand, GetPolicyCommand, LambdaClient, RemovePermissionCommand } from '@aws-sdk/client-lambda';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import t from 'tap';
import { startFakeAws, type FakeAws } from '../support/fake-aws/index.js';
import { lambdaClientFor } from '../support/fake-aws/sdk-clients.js';
import { sdkFailureOf } from '../support/fake-aws/sdk-failure.js';
import { stsClientFor } from '../support/fake-aws/sts-clients.js';
import type { TestContext } from '../support/tap.js';

const OTHER = '210987654321';
const ROLE = `arn:aws:iam::${OTHER}:role/gatewire-permissions`;

async function setUp(t: TestContext): Promise<FakeAws> {
  const fake = await startFakeAws();
  t.teardown(() => fake.close());
  return fake;
}

t.test('GetCallerIdentity answers the fake account for the default credentials', async (t) => {
  const fake = await setUp(t);
  const out = await stsClientFor(fake).send(new GetCallerIdentityCommand({}));
  t.match(out, { Account: fake.accountId, Arn: `arn:aws:iam::${fake.accountId}:user/fake-user`, UserId: /^AIDA/ });
  t.type(out.$metadata.requestId, 'string');
  t.match(fake.calls.at(-1), { service: 'sts', operation: 'GetCallerIdentity', method: 'POST', status: 200, accessKeyId: 'x', body: { Action: 'GetCallerIdentity', Version: '2011-06-15' } });
  t.same(fake.writes(), [], 'STS calls are not writes');
});

t.test('AssumeRole issues temporary credentials of the role account', async (t) => {
  const fake = await setUp(t);
  const before = Date.now();
  const out = await stsClientFor(fake).send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'gatewire', DurationSeconds: 900 }));
  const credentials = out.Credentials!;
  t.match(credentials, { AccessKeyId: /^ASIA[0-9A-F]{16}$/, SecretAccessKey: /./, SessionToken: /./ });
  t.ok(credentials.Expiration instanceof Date, 'Expiration is a timestamp');
  t.ok(Math.abs(credentials.Expiration!.getTime() - (before + 900_000)) < 5_000, 'expires after DurationSeconds');
  t.match(out.AssumedRoleUser, { Arn: `arn:aws:sts::${OTHER}:assumed-role/gatewire-permissions/gatewire`, AssumedRoleId: /^AROA.+:gatewire$/ });
  t.equal(fake.accountOfAccessKey(credentials.AccessKeyId), OTHER);
  t.equal(fake.accountOfAccessKey('x'), fake.accountId);
  t.same(fake.assumedRoles(), [ROLE]);

  const assumed = stsClientFor(fake, {
    credentials: { accessKeyId: credentials.AccessKeyId!, secretAccessKey: credentials.SecretAccessKey!, sessionToken: credentials.SessionToken! },
  });
  t.match(await assumed.send(new GetCallerIdentityCommand({})), { Account: OTHER, Arn: `arn:aws:sts::${OTHER}:assumed-role/gatewire-permissions/gatewire` });
});

t.test('AssumeRole errors arrive as the SDK error names', async (t) => {
  const fake = await setUp(t);
  const client = stsClientFor(fake);
  t.match(await sdkFailureOf(client.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::1:role/x', RoleSessionName: 'gatewire' }))), {
    name: 'ValidationError',
    status: 400,
  });
  t.match(await sdkFailureOf(client.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'has space' }))), { name: 'ValidationError' });
  t.match(await sdkFailureOf(client.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'gatewire', DurationSeconds: 60 }))), { name: 'ValidationError' });
  fake.blockRole(ROLE);
  t.match(await sdkFailureOf(client.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'gatewire' }))), {
    name: 'AccessDenied',
    status: 403,
    message: `User: arn:aws:iam::${fake.accountId}:user/fake-user is not authorized to perform: sts:AssumeRole on resource: ${ROLE}`,
    requestId: /./,
  });
});

t.test("policy writes on another account's function need that account's credentials", async (t) => {
  const fake = await setUp(t);
  const arn = fake.seedFunction({ name: 'billing', accountId: OTHER });
  const permission = { FunctionName: arn, StatementId: 's1', Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com' };
  const home = lambdaClientFor(fake);
  t.match(await sdkFailureOf(home.send(new AddPermissionCommand(permission))), {
    name: 'AccessDeniedException',
    status: 403,
    message: `User: arn:aws:iam::${fake.accountId}:user/fake-user is not authorized to perform: lambda:AddPermission on resource: ${arn} because no resource-based policy allows the lambda:AddPermission action`,
  });
  t.same(fake.policy(arn), []);

  const { Credentials } = await stsClientFor(fake).send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'gatewire' }));
  const there = new LambdaClient({
    region: fake.region,
    endpoint: fake.url,
    maxAttempts: 1,
    credentials: { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! },
  });
  await there.send(new AddPermissionCommand(permission));
  t.equal(fake.policy(arn).length, 1);
  t.match(fake.calls.at(-1), { operation: 'AddPermission', status: 201, accessKeyId: Credentials!.AccessKeyId });

  // Reads stay cross-account; removal needs the owner again.
  t.match(JSON.parse((await home.send(new GetPolicyCommand({ FunctionName: arn }))).Policy ?? ''), { Statement: [{ Sid: 's1' }] });
  t.match(await sdkFailureOf(home.send(new RemovePermissionCommand({ FunctionName: arn, StatementId: 's1' }))), { name: 'AccessDeniedException' });
  await there.send(new RemovePermissionCommand({ FunctionName: arn, StatementId: 's1' }));
  t.same(fake.policy(arn), []);

  // A function of the fake's own account refuses the other account's credentials.
  const own = fake.seedFunction({ name: 'chat' });
  t.match(await sdkFailureOf(there.send(new AddPermissionCommand({ ...permission, FunctionName: own }))), { name: 'AccessDeniedException' });
  // Unknown functions still answer 404, whoever asks.
  t.match(await sdkFailureOf(home.send(new AddPermissionCommand({ ...permission, FunctionName: 'ghost' }))), { name: 'ResourceNotFoundException' });
});

t.test('AssumeRole with a session Policy: recorded, checked, and the session may do only what it allows', async (t) => {
  const fake = await setUp(t);
  const allowed = fake.seedFunction({ name: 'chat-send', accountId: OTHER });
  const other = fake.seedFunction({ name: 'billing', accountId: OTHER });
  const sessionPolicy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['lambda:AddPermission', 'lambda:GetPolicy'], Resource: [`arn:aws:lambda:*:${OTHER}:function:chat-*`] }],
  });
  const client = stsClientFor(fake);
  t.match(await sdkFailureOf(client.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'gatewire', Policy: '{not json' }))), {
    name: 'MalformedPolicyDocument',
    status: 400,
  });
  t.match(await sdkFailureOf(client.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'gatewire', Policy: 'x'.repeat(2049) }))), { name: 'ValidationError' });
  const { Credentials } = await client.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'gatewire', Policy: sessionPolicy }));
  t.same(fake.assumedSessions(), [{ roleArn: ROLE, sessionPolicy }], 'the policy is recorded with its session');

  const there = new LambdaClient({
    region: fake.region,
    endpoint: fake.url,
    maxAttempts: 1,
    credentials: { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! },
  });
  t.teardown(() => there.destroy());
  const permission = { StatementId: 's1', Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com' };
  await there.send(new AddPermissionCommand({ ...permission, FunctionName: allowed }));
  t.equal(fake.policy(allowed).length, 1, 'allowed by both the role and the session policy');
  t.match(await sdkFailureOf(there.send(new AddPermissionCommand({ ...permission, FunctionName: other }))), {
    name: 'AccessDeniedException',
    message: /no session policy allows the lambda:AddPermission action/,
  });
  t.same(fake.policy(other), [], 'a function outside the session policy is untouched');
  t.match(await sdkFailureOf(there.send(new RemovePermissionCommand({ FunctionName: allowed, StatementId: 's1' }))), {
    name: 'AccessDeniedException',
  }, 'an action the session policy leaves out is denied');
});
