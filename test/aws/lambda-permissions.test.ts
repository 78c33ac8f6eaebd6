import t from 'tap';
import { createAwsCallLog } from '../../src/aws/call-log.js';
import { createAwsClients, type AwsClients } from '../../src/aws/clients.js';
import { createLambdaAdapter, type LambdaAdapterOptions } from '../../src/aws/lambda.js';
import { createStsAdapter } from '../../src/aws/sts.js';
import { DomainError } from '../../src/domain/errors.js';
import { statementFor } from '../../src/domain/policy-statements.js';
import type { AddPermissionInput, AwsCall, LambdaPort } from '../../src/services/ports.js';
import { startFakeAws, type FakeAws } from '../support/fake-aws/index.js';
import type { TestContext } from '../support/tap.js';

const OTHER = '210987654321';
const THIRD = '333333333333';
const ROLE = `arn:aws:iam::${OTHER}:role/gatewire-permissions`;
const SOURCE_ARN = 'arn:aws:execute-api:us-east-1:123456789012:abc123defg/*';

interface Setup {
  fake: FakeAws;
  clients: AwsClients;
  lambda: LambdaPort;
  arn: string;
}

async function setUp(t: TestContext, options: Partial<LambdaAdapterOptions> = {}): Promise<Setup> {
  const fake = await startFakeAws();
  const clients = createAwsClients({
    region: fake.region,
    endpoint: fake.url,
    maxAttempts: 1,
    connectionTimeoutMs: 1_000,
    requestTimeoutMs: 5_000,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    callLog: createAwsCallLog(),
  });
  t.teardown(async () => {
    clients.destroy();
    await fake.close();
  });
  const lambda = createLambdaAdapter(clients.lambda, {
    sts: createStsAdapter(clients.sts),
    clientWithCredentials: clients.lambdaWithCredentials,
    conflictRetry: { attempts: 4, baseDelayMs: 5 },
    ...options,
  });
  const arn = fake.seedFunction({ name: 'chat', aliases: ['live'], versions: ['1'] });
  return { fake, clients, lambda, arn };
}

function input(functionArn: string, extra: Partial<AddPermissionInput> = {}): AddPermissionInput {
  return {
    functionName: functionArn,
    statementId: 'gatewire-abc123defg-api',
    action: 'lambda:InvokeFunction',
    principal: 'apigateway.amazonaws.com',
    sourceArn: SOURCE_ARN,
    ...extra,
  };
}

const lambdaOps = (fake: FakeAws) => fake.calls.filter((call) => call.service === 'lambda').map((call) => `${call.operation}:${call.status}`);

t.test('getPolicy: statements and revision; 404 without a policy is undefined; a missing function is not', async (t) => {
  const { fake, lambda, arn } = await setUp(t);
  t.equal(await lambda.getPolicy(arn), undefined);
  t.equal(await lambda.getPolicy(arn, 'live'), undefined);
  await lambda.addPermission(input(arn, { qualifier: 'live' }));
  const policy = await lambda.getPolicy(arn, 'live');
  t.same(policy?.statements, [statementFor(input(arn, { qualifier: 'live' }))]);
  t.type(policy?.revisionId, 'string');
  t.equal(await lambda.getPolicy(arn), undefined, 'the unqualified policy is untouched');
  t.same(fake.policy('chat'), []);
  await t.rejects(lambda.getPolicy(`${arn.replace(':chat', ':ghost')}`), { name: 'DomainError', kind: 'not-found', aws: { error: 'ResourceNotFoundException' } });
  await t.rejects(lambda.getPolicy(arn, 'nope'), { name: 'DomainError', kind: 'not-found' });
});

t.test('addPermission: a duplicate Sid with the same statement is success; a different one is a conflict', async (t) => {
  const { fake, lambda, arn } = await setUp(t);
  t.same(await lambda.addPermission(input(arn)), { outcome: 'added' });
  fake.resetCalls();
  t.same(await lambda.addPermission(input(arn)), { outcome: 'already-present' });
  t.same(lambdaOps(fake), ['AddPermission:409', 'GetPolicy:200'], 're-read after the 409');
  t.equal(fake.policy('chat').length, 1);

  const error = await lambda.addPermission(input(arn, { sourceArn: `${SOURCE_ARN}/other` })).then(
    () => undefined,
    (failure: unknown) => failure,
  );
  t.ok(error instanceof DomainError);
  t.match(error, { kind: 'conflict', message: /already has a statement gatewire-abc123defg-api that differs/ });
  t.same(fake.policy('chat'), [statementFor(input(arn))], 'left alone');
});

t.test('two concurrent adds of one statement end with one statement and no error', async (t) => {
  const { fake, lambda, arn } = await setUp(t);
  const outcomes = await Promise.all([lambda.addPermission(input(arn)), lambda.addPermission(input(arn))]);
  t.same(outcomes.map((outcome) => outcome.outcome).sort(), ['added', 'already-present']);
  t.equal(fake.policy('chat').length, 1);
});

t.test('PreconditionFailed on a revision id is retried after a fresh read', async (t) => {
  const { fake, lambda, arn } = await setUp(t);
  await lambda.addPermission(input(arn, { statementId: 'first' }));
  const stale = (await lambda.getPolicy(arn))!.revisionId;
  fake.putStatement('chat', { Sid: 'someone-else', Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: 'lambda:InvokeFunction' });
  fake.resetCalls();
  t.same(await lambda.addPermission(input(arn, { revisionId: stale })), { outcome: 'added' });
  t.same(lambdaOps(fake), ['AddPermission:412', 'GetPolicy:200', 'AddPermission:201']);
  const sent = fake.calls.at(-1)?.body as { RevisionId?: string };
  t.not(sent.RevisionId, stale, 'the retry writes against the fresh revision');
  t.equal(fake.policy('chat').length, 3);

  // Removal with a stale revision: the same.
  fake.putStatement('chat', { Sid: 'someone-else-2', Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: 'lambda:InvokeFunction' });
  const staleAgain = sent.RevisionId;
  fake.resetCalls();
  t.same(await lambda.removePermission(arn, undefined, 'first', { revisionId: staleAgain! }), { outcome: 'removed' });
  t.same(lambdaOps(fake), ['RemovePermission:412', 'GetPolicy:200', 'RemovePermission:204']);
});

t.test("Lambda's 'update in progress' 409 is retried", async (t) => {
  const { fake, lambda, arn } = await setUp(t);
  fake.inject({ service: 'lambda', operation: 'AddPermission', fault: 'concurrent-modification', nth: 1 });
  t.same(await lambda.addPermission(input(arn)), { outcome: 'added' });
  t.same(lambdaOps(fake), ['AddPermission:409', 'AddPermission:201']);
});

t.test('removePermission: 404 (no statement, no policy) is success', async (t) => {
  const { fake, lambda, arn } = await setUp(t);
  t.same(await lambda.removePermission(arn, undefined, 'gatewire-abc123defg-api'), { outcome: 'absent' }, 'no policy');
  await lambda.addPermission(input(arn, { qualifier: 'live' }));
  await lambda.addPermission(input(arn, { qualifier: 'live', statementId: 'keep' }));
  t.same(await lambda.removePermission(arn, 'live', 'gatewire-abc123defg-api'), { outcome: 'removed' });
  t.same(await lambda.removePermission(arn, 'live', 'gatewire-abc123defg-api'), { outcome: 'absent' }, 'no such statement');
  t.same(fake.policy('chat', 'live').map((statement) => statement.Sid), ['keep']);
});

t.test('accountId: config first, else STS GetCallerIdentity once', async (t) => {
  const configured = await setUp(t, { accountId: '111111111111' });
  t.equal(await configured.lambda.accountId(), '111111111111');
  t.notOk(configured.fake.calls.some((call) => call.service === 'sts'));

  const { fake, lambda } = await setUp(t);
  const [first, second] = await Promise.all([lambda.accountId(), lambda.accountId()]);
  t.equal(first, fake.accountId);
  t.equal(second, fake.accountId);
  t.equal(await lambda.accountId(), fake.accountId);
  t.same(fake.calls.filter((call) => call.service === 'sts').map((call) => call.operation), ['GetCallerIdentity'], 'memoized');
  t.equal(await lambda.canManage(fake.accountId), true);
  t.equal(await lambda.canManage(OTHER), false, 'no role for that account');
});

t.test('another account: writes go through the assumed role, credentials cached', async (t) => {
  const { fake, lambda } = await setUp(t, { crossAccountRoles: { [OTHER]: ROLE } });
  const remote = fake.seedFunction({ name: 'billing', accountId: OTHER, aliases: ['prod'] });
  t.equal(await lambda.canManage(OTHER), true);
  t.equal(await lambda.canManage(THIRD), false);

  t.same(await lambda.addPermission(input(remote, { qualifier: 'prod' })), { outcome: 'added' });
  t.same(await lambda.getPolicy(remote, 'prod'), { statements: [statementFor(input(remote, { qualifier: 'prod' }))], revisionId: (await lambda.getPolicy(remote, 'prod'))!.revisionId });
  t.same(await lambda.removePermission(remote, 'prod', 'gatewire-abc123defg-api'), { outcome: 'removed' });

  const writes = fake.writes();
  t.same(writes.map((call) => `${call.operation}:${call.status}`), ['AddPermission:201', 'RemovePermission:204']);
  for (const call of writes) t.equal(fake.accountOfAccessKey(call.accessKeyId), OTHER, `${call.operation} signed in ${OTHER}`);
  t.same(fake.assumedRoles(), [ROLE], 'one AssumeRole for every call');
  const assume = fake.calls.find((call) => call.operation === 'AssumeRole');
  t.match(assume?.body, { RoleArn: ROLE, RoleSessionName: 'gatewire' });

  // Functions of the home account still use the default credentials.
  const home = fake.seedFunction({ name: 'home' });
  await lambda.addPermission(input(home));
  t.equal(fake.accountOfAccessKey(fake.writes().at(-1)?.accessKeyId), fake.accountId);
});

t.test('another account without a role: AWS refuses the write, nothing changes', async (t) => {
  const { fake, lambda } = await setUp(t);
  const remote = fake.seedFunction({ name: 'billing', accountId: OTHER });
  await t.rejects(lambda.addPermission(input(remote)), { name: 'DomainError', aws: { error: 'AccessDeniedException' } });
  t.same(fake.policy(remote), []);
  t.equal(await lambda.getPolicy(remote), undefined, 'reads are cross-account capable');
});

t.test('a role that cannot be assumed surfaces as the STS error', async (t) => {
  const { fake, lambda } = await setUp(t, { crossAccountRoles: { [OTHER]: ROLE } });
  const remote = fake.seedFunction({ name: 'billing', accountId: OTHER });
  fake.blockRole(ROLE);
  // The caller learns that AWS refused Gatewire, not which role; the logs keep STS's own text (the cause).
  await t.rejects(lambda.addPermission(input(remote)), {
    name: 'DomainError',
    aws: { error: 'AccessDenied' },
    message: /AWS refused Gatewire's own credentials/,
    cause: { message: /sts:AssumeRole/ },
  });
  t.same(fake.policy(remote), []);
});

t.test('policy calls are in the audit call log', async (t) => {
  const fake = await startFakeAws();
  const callLog = createAwsCallLog();
  const clients = createAwsClients({
    region: fake.region,
    endpoint: fake.url,
    maxAttempts: 1,
    connectionTimeoutMs: 1_000,
    requestTimeoutMs: 5_000,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    callLog,
  });
  t.teardown(async () => {
    clients.destroy();
    await fake.close();
  });
  const arn = fake.seedFunction({ name: 'chat' });
  const lambda = createLambdaAdapter(clients.lambda, { sts: createStsAdapter(clients.sts) });
  const calls: AwsCall[] = [];
  await callLog.capture(calls, async () => {
    await lambda.addPermission(input(arn));
    await lambda.addPermission(input(arn));
  });
  t.same(calls.map((call) => `${call.operation}:${call.outcome}`), ['AddPermission:ok', 'AddPermission:error', 'GetPolicy:ok']);
});
