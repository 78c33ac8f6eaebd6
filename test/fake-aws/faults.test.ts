import {
  ApiGatewayV2Client,
  CreateDeploymentCommand,
  CreateIntegrationCommand,
  CreateRouteCommand,
  CreateStageCommand,
  GetApisCommand,
  GetRoutesCommand,
  GetStageCommand,
} from '@aws-sdk/client-apigatewayv2';
import { AddPermissionCommand, GetPolicyCommand } from '@aws-sdk/client-lambda';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import t from 'tap';
import { startFakeAws, type FakeAwsOptions } from '../support/fake-aws/index.js';
import { apiGatewayClientFor, lambdaClientFor } from '../support/fake-aws/sdk-clients.js';
import { sdkFailureOf } from '../support/fake-aws/sdk-failure.js';

async function setUp(t: { teardown(fn: () => unknown): void }, options: FakeAwsOptions = {}) {
  const fake = await startFakeAws(options);
  t.teardown(() => fake.close());
  fake.seedFunction({ name: 'fn' });
  return { fake, apiGateway: apiGatewayClientFor(fake), lambda: lambdaClientFor(fake), apiId: fake.seedApi({ name: 'chat' }) };
}

t.test('each fault kind surfaces as the SDK error name, with a request id', async (t) => {
  const { fake, apiGateway, lambda, apiId } = await setUp(t);
  const expectations = [
    ['throttle', 'apigatewayv2', { name: 'TooManyRequestsException', status: 429, LimitType: 'RequestRate' }],
    ['server-error', 'apigatewayv2', { name: 'InternalServerError', status: 500 }],
    ['concurrent-modification', 'apigatewayv2', { name: 'ConflictException', status: 409, message: 'Unable to complete operation due to concurrent modification. Please try again later.' }],
    ['throttle', 'lambda', { name: 'TooManyRequestsException', status: 429, Reason: 'CallerRateLimitExceeded', retryAfterSeconds: '1' }],
    ['server-error', 'lambda', { name: 'ServiceException', status: 500 }],
    [
      'concurrent-modification',
      'lambda',
      { name: 'ResourceConflictException', status: 409, message: 'The operation cannot be performed at this time. An update is in progress for resource: arn:aws:lambda:us-east-1:123456789012:function:fn' },
    ],
  ] as const;
  for (const [fault, service, expected] of expectations) {
    fake.clearFaults();
    fake.inject({ fault, service });
    const failure =
      service === 'apigatewayv2'
        ? await sdkFailureOf(apiGateway.send(new GetRoutesCommand({ ApiId: apiId })))
        : await sdkFailureOf(lambda.send(new GetPolicyCommand({ FunctionName: 'fn' })));
    t.match(failure, expected, `${service} ${fault}`);
    t.match(failure.requestId, /^[0-9a-f-]{36}$/, `${service} ${fault}: request id`);
    t.equal(failure.requestId, fake.calls.at(-1)?.requestId, 'the recorded call has the same id');
  }
});

t.test('nth and times pick which calls fail; faults do not change state', async (t) => {
  const { fake, apiGateway, apiId } = await setUp(t);
  fake.inject({ operation: 'CreateRoute', nth: 2, fault: 'concurrent-modification' });
  await apiGateway.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'a' }));
  await apiGateway.send(new GetRoutesCommand({ ApiId: apiId }));
  t.match(await sdkFailureOf(apiGateway.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'b' }))), { name: 'ConflictException' });
  await apiGateway.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'b' }));
  t.same(fake.api(apiId).routes.map((route) => route.routeKey), ['a', 'b']);

  fake.inject({ operation: 'GetRoutes', times: 2, fault: 'throttle' });
  t.match(await sdkFailureOf(apiGateway.send(new GetRoutesCommand({ ApiId: apiId }))), { name: 'TooManyRequestsException' });
  t.match(await sdkFailureOf(apiGateway.send(new GetRoutesCommand({ ApiId: apiId }))), { name: 'TooManyRequestsException' });
  await apiGateway.send(new GetRoutesCommand({ ApiId: apiId }));

  fake.inject({ operation: 'GetRoutes', nth: 1, times: 2, fault: 'server-error' });
  const retrying = apiGatewayClientFor(fake, { maxAttempts: 3 });
  const out = await retrying.send(new GetRoutesCommand({ ApiId: apiId }));
  t.equal(out.$metadata.attempts, 3, 'the SDK retried the two 500s');
  t.same(fake.calls.slice(-3).map((call) => call.status), [500, 500, 200]);
});

t.test('latency delays a call; timeout never answers', async (t) => {
  const { fake, apiGateway } = await setUp(t);
  fake.inject({ operation: 'GetApis', fault: 'latency', latencyMs: 150, times: 1 });
  const started = Date.now();
  await apiGateway.send(new GetApisCommand({}));
  t.ok(Date.now() - started >= 140, 'the call took at least the latency');

  fake.inject({ operation: 'GetApis', fault: 'timeout', latencyMs: 5_000 });
  const impatient = new ApiGatewayV2Client({
    region: fake.region,
    endpoint: fake.url,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ requestTimeout: 200, throwOnRequestTimeout: true }),
  });
  const failure = await sdkFailureOf(impatient.send(new GetApisCommand({})));
  t.equal(failure.name, 'TimeoutError', 'the client gave up first');
  t.equal(fake.calls.at(-1)?.status, 0, 'recorded with no status');

  fake.clearFaults();
  fake.inject({ operation: 'GetApis', fault: 'timeout', latencyMs: 100 });
  const reset = await sdkFailureOf(apiGateway.send(new GetApisCommand({})));
  // The SDK reports the destroyed socket (ECONNRESET) as a TimeoutError too.
  t.equal(reset.name, 'TimeoutError', 'the socket was destroyed after the hold');
});

t.test('calls, writes, resetCalls and snapshot', async (t) => {
  const { fake, apiGateway, lambda, apiId } = await setUp(t);
  const before = fake.snapshot();
  await apiGateway.send(new GetRoutesCommand({ ApiId: apiId }));
  await lambda.send(new GetPolicyCommand({ FunctionName: 'fn' })).catch(() => undefined);
  t.same(fake.snapshot(), before, 'reads change nothing');
  await apiGateway.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'MOCK' }));
  await lambda.send(new AddPermissionCommand({ FunctionName: 'fn', StatementId: 's', Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com' }));
  t.notSame(fake.snapshot(), before);
  t.same(fake.calls.map((call) => call.operation), ['GetRoutes', 'GetPolicy', 'CreateIntegration', 'AddPermission']);
  t.same(fake.writes().map((call) => `${call.service}:${call.operation}:${call.status}`), ['apigatewayv2:CreateIntegration:201', 'lambda:AddPermission:201']);
  const calls = fake.calls;
  fake.resetCalls();
  t.equal(calls.length, 0, 'emptied in place');
});

t.test('rate limits answer 429 when a bucket is empty', async (t) => {
  const { apiGateway, lambda, apiId } = await setUp(t, { rateLimit: { apiGatewayPerSecond: 1, apiGatewayBurst: 3, lambdaPerSecond: 2 } });
  const gateway = await Promise.allSettled(Array.from({ length: 5 }, () => apiGateway.send(new GetRoutesCommand({ ApiId: apiId }))));
  t.equal(gateway.filter((result) => result.status === 'fulfilled').length, 3, 'the burst');
  const lambdaResults = await Promise.allSettled(Array.from({ length: 4 }, () => lambda.send(new GetPolicyCommand({ FunctionName: 'fn' }))));
  const throttled = lambdaResults.filter((result) => result.status === 'rejected' && (result.reason as Error).name === 'TooManyRequestsException');
  t.equal(throttled.length, 2);
});

t.test('CreateDeployment: 1 per 5 s per account, stages with autoDeploy', async (t) => {
  const { apiGateway, apiId } = await setUp(t);
  await apiGateway.send(new CreateStageCommand({ ApiId: apiId, StageName: 'prod' }));
  await apiGateway.send(new CreateStageCommand({ ApiId: apiId, StageName: 'dev', AutoDeploy: true }));
  const deployment = await apiGateway.send(new CreateDeploymentCommand({ ApiId: apiId, StageName: 'prod' }));
  t.match(deployment, { DeploymentStatus: 'DEPLOYED', AutoDeployed: false });
  t.type(deployment.CreatedDate, Date);
  t.equal((await apiGateway.send(new GetStageCommand({ ApiId: apiId, StageName: 'prod' }))).DeploymentId, deployment.DeploymentId);
  t.match(await sdkFailureOf(apiGateway.send(new CreateDeploymentCommand({ ApiId: apiId, StageName: 'prod' }))), { name: 'TooManyRequestsException', status: 429 });
  t.match(await sdkFailureOf(apiGateway.send(new GetStageCommand({ ApiId: apiId, StageName: 'nope' }))), { name: 'NotFoundException' });

  const { apiGateway: other, apiId: otherApi } = await setUp(t, { deploymentIntervalMs: 0 });
  await other.send(new CreateStageCommand({ ApiId: otherApi, StageName: 'dev', AutoDeploy: true }));
  t.match(await sdkFailureOf(other.send(new CreateDeploymentCommand({ ApiId: otherApi, StageName: 'dev' }))), { name: 'BadRequestException', message: /autoDeploy/ });
  await other.send(new CreateDeploymentCommand({ ApiId: otherApi }));
  await other.send(new CreateDeploymentCommand({ ApiId: otherApi }));
});
