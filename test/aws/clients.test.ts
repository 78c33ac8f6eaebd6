// The SDK clients (src/aws/clients.ts): the Lambda and STS clients are built on first use (issue 15:
// a cold start does not load their packages) with the same middleware the API Gateway clients get
// from the account's budget: its limiter, the call log with its metrics, and the read coalescer.
import t from 'tap';
import { createAwsCallLog } from '../../src/aws/call-log.js';
import { createAwsClients, type AwsClientOptions } from '../../src/aws/clients.js';
import { createLambdaAdapter } from '../../src/aws/lambda.js';
import { createReadCoalescer } from '../../src/aws/read-coalescer.js';
import type { CallPriority } from '../../src/aws/priority-limiter.js';
import type { AwsCall } from '../../src/services/ports.js';
import { startFakeAws } from '../support/fake-aws/index.js';

const gatewireMiddleware = (stack: { identify(): string[] }) => stack.identify().filter((name) => name.startsWith('gatewire')).sort();

function countingLimiter() {
  const acquired: (CallPriority | undefined)[] = [];
  return { acquired, acquire: async (priority?: CallPriority) => void acquired.push(priority) };
}

function options(extra: Partial<AwsClientOptions> = {}): AwsClientOptions {
  return {
    region: 'us-east-1',
    maxAttempts: 1,
    connectionTimeoutMs: 1_000,
    requestTimeoutMs: 5_000,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    callLog: createAwsCallLog(),
    ...extra,
  };
}

t.test('the Lambda and STS clients are built once, on first use', async (t) => {
  const clients = createAwsClients(options());
  t.teardown(() => clients.destroy());
  const [first, second] = await Promise.all([clients.lambda.use(), clients.lambda.use()]);
  t.equal(first, second, 'concurrent first uses share one client');
  t.equal(await clients.lambda.use(), first, 'and later ones too');
  t.equal(await clients.sts.use(), await clients.sts.use());
  t.equal(await first.config.region(), 'us-east-1');
  const other = await clients.lambdaWithCredentials(async () => ({ accessKeyId: 'y', secretAccessKey: 'y' })).use();
  t.not(other, first, 'a client with other credentials is a client of its own');
  t.equal((await other.config.credentials()).accessKeyId, 'y');
});

t.test('the lazily built clients get the same middleware as the API Gateway clients', async (t) => {
  const clients = createAwsClients(
    options({
      limiters: { apiGateway: countingLimiter(), lambda: countingLimiter() },
      readCoalescer: createReadCoalescer({ cacheMs: 1_000 }),
    }),
  );
  t.teardown(() => clients.destroy());
  const expected = ['gatewireCallLog - initialize', 'gatewireRateLimiter - finalizeRequest', 'gatewireReadCoalescer - initialize', 'gatewireThrottleCounter - deserialize'];
  t.same(gatewireMiddleware(clients.apiGateway.middlewareStack), expected, 'API Gateway: the whole budget stack');
  t.same(gatewireMiddleware((await clients.lambda.use()).middlewareStack), expected, 'Lambda');
  const other = await clients.lambdaWithCredentials(async () => ({ accessKeyId: 'y', secretAccessKey: 'y' })).use();
  t.same(gatewireMiddleware(other.middlewareStack), expected, 'Lambda with another account’s credentials');
  t.same(
    gatewireMiddleware((await clients.sts.use()).middlewareStack),
    ['gatewireCallLog - initialize', 'gatewireThrottleCounter - deserialize'],
    'STS: logged (and counted), not paced',
  );
});

t.test('a call through the lazily built Lambda client is paced by the Lambda limiter and logged', async (t) => {
  const fake = await startFakeAws();
  const lambdaLimiter = countingLimiter();
  const apiGatewayLimiter = countingLimiter();
  const callLog = createAwsCallLog();
  const clients = createAwsClients(options({ region: fake.region, endpoint: fake.url, callLog, limiters: { apiGateway: apiGatewayLimiter, lambda: lambdaLimiter } }));
  t.teardown(async () => {
    clients.destroy();
    await fake.close();
  });
  const arn = fake.seedFunction({ name: 'chat' });
  const lambda = createLambdaAdapter(clients.lambda, { accountId: fake.accountId });
  const calls: AwsCall[] = [];
  t.equal(await callLog.capture(calls, () => lambda.resolveFunctionArn('chat')), arn);
  t.same(lambdaLimiter.acquired, ['change'], 'one token from the Lambda limiter');
  t.same(apiGatewayLimiter.acquired, [], 'none from API Gateway’s');
  t.match(calls, [{ service: 'lambda', operation: 'GetFunction', outcome: 'ok' }], 'recorded in the call log');
});

t.test('destroy() destroys the clients built so far', async (t) => {
  const clients = createAwsClients(options());
  const lambda = await clients.lambda.use();
  let destroyed = 0;
  const destroy = lambda.destroy.bind(lambda);
  lambda.destroy = () => {
    destroyed += 1;
    destroy();
  };
  clients.destroy();
  t.equal(destroyed, 1);
});
