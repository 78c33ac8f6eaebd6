import {
  AddPermissionCommand,
  GetAliasCommand,
  GetFunctionCommand,
  GetPolicyCommand,
  RemovePermissionCommand,
  type AddPermissionCommandInput,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import t from 'tap';
import { POLICY_SIZE_LIMIT, startFakeAws, type FakeAws } from '../support/fake-aws/index.js';
import { lambdaClientFor } from '../support/fake-aws/sdk-clients.js';
import { sdkFailureOf, type SdkFailure } from '../support/fake-aws/sdk-failure.js';

const SOURCE_ARN = 'arn:aws:execute-api:us-east-1:123456789012:abcdefghij/*/sendmessage';

async function setUp(t: { teardown(fn: () => unknown): void }): Promise<{ fake: FakeAws; client: LambdaClient; arn: string }> {
  const fake = await startFakeAws();
  t.teardown(() => fake.close());
  const arn = fake.seedFunction({ name: 'chat-handler', aliases: ['live'], versions: ['1', '2'] });
  return { fake, client: lambdaClientFor(fake), arn };
}

function permission(statementId: string, extra: Partial<AddPermissionCommandInput> = {}): AddPermissionCommandInput {
  return {
    FunctionName: 'chat-handler',
    StatementId: statementId,
    Action: 'lambda:InvokeFunction',
    Principal: 'apigateway.amazonaws.com',
    SourceArn: SOURCE_ARN,
    ...extra,
  };
}

t.test('GetFunction and GetAlias resolve every FunctionName form', async (t) => {
  const { client, arn } = await setUp(t);
  t.equal(arn, 'arn:aws:lambda:us-east-1:123456789012:function:chat-handler');
  const plain = await client.send(new GetFunctionCommand({ FunctionName: 'chat-handler' }));
  t.equal(plain.Configuration?.FunctionArn, arn);
  t.equal(plain.Configuration?.Version, '$LATEST');
  for (const [name, qualifier] of [
    ['chat-handler:live', undefined],
    ['chat-handler', 'live'],
    ['123456789012:function:chat-handler:live', undefined],
    [`${arn}:live`, undefined],
    [arn, 'live'],
  ] as const) {
    const out = await client.send(new GetFunctionCommand({ FunctionName: name, Qualifier: qualifier }));
    t.equal(out.Configuration?.FunctionArn, `${arn}:live`, `${name} ${qualifier ?? ''}`);
    t.equal(out.Configuration?.Version, '2', 'an alias runs the version it points to');
  }
  t.match(await sdkFailureOf(client.send(new GetFunctionCommand({ FunctionName: 'chat-handler', Qualifier: 'nope' }))), {
    name: 'ResourceNotFoundException',
    status: 404,
    message: `Function not found: ${arn}:nope`,
  });
  t.match(await sdkFailureOf(client.send(new GetFunctionCommand({ FunctionName: 'missing' }))), { name: 'ResourceNotFoundException' });
  t.match(await sdkFailureOf(client.send(new GetFunctionCommand({ FunctionName: 'chat-handler:live', Qualifier: '1' }))), {
    name: 'InvalidParameterValueException',
  });
  t.match(await client.send(new GetAliasCommand({ FunctionName: 'chat-handler', Name: 'live' })), { AliasArn: `${arn}:live`, FunctionVersion: '2' });
  t.match(await sdkFailureOf(client.send(new GetAliasCommand({ FunctionName: 'chat-handler', Name: 'dev' }))), {
    name: 'ResourceNotFoundException',
    message: /Cannot find alias arn/,
  });
});

t.test('AddPermission / GetPolicy / RemovePermission', async (t) => {
  const { fake, client, arn } = await setUp(t);
  t.match(await sdkFailureOf(client.send(new GetPolicyCommand({ FunctionName: 'chat-handler' }))), {
    name: 'ResourceNotFoundException',
    status: 404,
    message: 'The resource you requested does not exist.',
  });

  const added = await client.send(new AddPermissionCommand(permission('route-send', { SourceAccount: '123456789012' })));
  t.equal(added.$metadata.httpStatusCode, 201);
  t.same(JSON.parse(added.Statement ?? ''), {
    Sid: 'route-send',
    Effect: 'Allow',
    Principal: { Service: 'apigateway.amazonaws.com' },
    Action: 'lambda:InvokeFunction',
    Resource: arn,
    Condition: { StringEquals: { 'AWS:SourceAccount': '123456789012' }, ArnLike: { 'AWS:SourceArn': SOURCE_ARN } },
  });
  // Lambda's JSON is PascalCase on the wire; the qualifier travels in the query.
  t.match(fake.calls.at(-1), { service: 'lambda', operation: 'AddPermission', body: { StatementId: 'route-send', SourceArn: SOURCE_ARN } });

  const policy = await client.send(new GetPolicyCommand({ FunctionName: 'chat-handler' }));
  t.match(JSON.parse(policy.Policy ?? ''), { Version: '2012-10-17', Id: 'default', Statement: [{ Sid: 'route-send' }] });
  t.type(policy.RevisionId, 'string');

  // Each qualifier has its own policy (§4).
  t.match(await sdkFailureOf(client.send(new GetPolicyCommand({ FunctionName: 'chat-handler', Qualifier: 'live' }))), { name: 'ResourceNotFoundException' });
  await client.send(new AddPermissionCommand(permission('route-send', { Qualifier: 'live' })));
  t.equal(fake.policy('chat-handler', 'live')[0]?.Resource, `${arn}:live`);
  t.equal(fake.policy('chat-handler:live').length, 1);

  const removed = await client.send(new RemovePermissionCommand({ FunctionName: 'chat-handler', StatementId: 'route-send' }));
  t.equal(removed.$metadata.httpStatusCode, 204);
  t.same(fake.policy('chat-handler'), []);
  t.match(await sdkFailureOf(client.send(new GetPolicyCommand({ FunctionName: 'chat-handler' }))), { name: 'ResourceNotFoundException' }, 'no statements: 404 again');
  t.match(await sdkFailureOf(client.send(new RemovePermissionCommand({ FunctionName: 'chat-handler', Qualifier: 'live', StatementId: 'other' }))), {
    name: 'ResourceNotFoundException',
    message: 'Statement other is not found in resource policy.',
  });
});

t.test('AddPermission validation and conflicts', async (t) => {
  const { fake, client } = await setUp(t);
  await client.send(new AddPermissionCommand(permission('one')));
  t.match(await sdkFailureOf(client.send(new AddPermissionCommand(permission('one')))), {
    name: 'ResourceConflictException',
    status: 409,
    message: 'The statement id (one) provided already exists. Please provide a new statement id, or remove the existing statement.',
  });
  t.match(await sdkFailureOf(client.send(new AddPermissionCommand(permission('has space')))), { name: 'InvalidParameterValueException', status: 400, message: /statementId/ });
  t.match(await sdkFailureOf(client.send(new AddPermissionCommand(permission('x'.repeat(101))))), { name: 'InvalidParameterValueException' });
  t.match(await sdkFailureOf(client.send(new AddPermissionCommand(permission('latest', { Qualifier: '$LATEST' })))), {
    name: 'InvalidParameterValueException',
    message: /\$LATEST/,
  });
  t.match(await sdkFailureOf(client.send(new AddPermissionCommand(permission('ghost', { FunctionName: 'ghost' })))), { name: 'ResourceNotFoundException' });
  t.match(await sdkFailureOf(client.send(new AddPermissionCommand(permission('q', { Qualifier: '7' })))), { name: 'ResourceNotFoundException' });
  t.equal(fake.policy('chat-handler').length, 1);
});

t.test('RevisionId is an optimistic lock that changes on every write', async (t) => {
  const { client } = await setUp(t);
  await client.send(new AddPermissionCommand(permission('one')));
  const before = await client.send(new GetPolicyCommand({ FunctionName: 'chat-handler' }));
  await client.send(new AddPermissionCommand(permission('two', { RevisionId: before.RevisionId })));
  const after = await client.send(new GetPolicyCommand({ FunctionName: 'chat-handler' }));
  t.not(after.RevisionId, before.RevisionId);
  t.match(await sdkFailureOf(client.send(new AddPermissionCommand(permission('three', { RevisionId: before.RevisionId })))), {
    name: 'PreconditionFailedException',
    status: 412,
  });
  t.match(await sdkFailureOf(client.send(new RemovePermissionCommand({ FunctionName: 'chat-handler', StatementId: 'one', RevisionId: before.RevisionId }))), {
    name: 'PreconditionFailedException',
  });
  await client.send(new RemovePermissionCommand({ FunctionName: 'chat-handler', StatementId: 'one', RevisionId: after.RevisionId }));
});

t.test('the serialized policy is capped at 20480 bytes', async (t) => {
  const { fake, client } = await setUp(t);
  let added = 0;
  let failure: SdkFailure | undefined;
  for (; added < 200; added += 1) {
    try {
      await client.send(new AddPermissionCommand(permission(`route-${added}`, { SourceArn: `${SOURCE_ARN}-${'x'.repeat(100)}-${added}` })));
    } catch {
      failure = await sdkFailureOf(client.send(new AddPermissionCommand(permission(`route-${added}`, { SourceArn: `${SOURCE_ARN}-${'x'.repeat(100)}-${added}` }))));
      break;
    }
  }
  t.ok(added > 30 && added < 200, `${added} statements fit`);
  t.match(failure, { name: 'PolicyLengthExceededException', status: 400, message: /^The final policy size \(\d+\) is bigger than the limit \(20480\)\.$/ });
  const size = Number(/\((\d+)\)/.exec(failure?.message ?? '')?.[1]);
  t.ok(size > POLICY_SIZE_LIMIT);
  t.equal(fake.policy('chat-handler').length, added, 'the refused statement was not stored');
});

t.test('putStatement seeds a foreign statement', async (t) => {
  const { fake, client, arn } = await setUp(t);
  fake.putStatement('chat-handler', { Sid: 'someone-else', Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: 'lambda:InvokeFunction' });
  const policy = await client.send(new GetPolicyCommand({ FunctionName: arn }));
  t.match(JSON.parse(policy.Policy ?? ''), { Statement: [{ Sid: 'someone-else', Resource: arn }] });
});
