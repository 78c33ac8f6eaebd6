// Lambda (DESIGN §3, issue 14): a change longer than its invocation is handed over at a step
// boundary before the invocation must answer, and an asynchronous invocation of the same function
// takes it over and finishes it. The handler runs in this process with a short remaining time; the
// fake records the Invoke, whose payload is then handed to the handler as Lambda would.
import t from 'tap';
import { createInProcessLock } from '../../src/audit/locks.js';
import { createMemoryAuditStore } from '../../src/audit/memory-store.js';
import { loadConfig } from '../../src/config.js';
import { createDependencies } from '../../src/dependencies.js';
import { createLambdaHandler } from '../../src/lambda-handler.js';
import { startFakeAws } from '../support/fake-aws/index.js';
import { CALLER_ARN, lambdaContext, restApiEvent } from '../support/lambda-events.js';

t.test('a change longer than the invocation completes through the continuation', async (t) => {
  const fake = await startFakeAws();
  t.teardown(() => fake.close());
  fake.seedFunction({ name: 'gatewire' });
  const apiId = fake.seedApi({ name: 'chat' });
  const config = loadConfig(
    {
      AWS_REGION: fake.region,
      AWS_ENDPOINT_URL: fake.url,
      GATEWIRE_ACCOUNT_ID: fake.accountId,
      GATEWIRE_AWS_MAX_ATTEMPTS: '1',
      // The margin kept back from the invocation is this plus 2 s.
      GATEWIRE_AWS_TIMEOUT_MS: '1000',
      GATEWIRE_APIGATEWAY_RATE: '0',
      GATEWIRE_LAMBDA_RATE: '0',
      LOG_LEVEL: 'silent',
      GATEWIRE_AUDIT_URL: 'postgres://unused@127.0.0.1:5432/test',
      GATEWIRE_IAM_PRINCIPALS: JSON.stringify([{ principal: CALLER_ARN, scopes: ['admin'] }]),
      GATEWIRE_LAMBDA_TRUSTED_APIS: '123456789012:abcdef1234',
    },
    { runtime: 'lambda' },
  );
  const store = createMemoryAuditStore();
  const invocation: { functionArn?: string } = {};
  const deps = await createDependencies(config, {
    awsCredentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
    audit: { store, lock: createInProcessLock() },
    currentFunction: () => invocation.functionArn,
  });
  const { app, handler } = await createLambdaHandler({ config, services: deps.services, auditStore: store, logger: false, recovery: deps.recovery, invocation });
  t.teardown(async () => {
    await app.close();
    await deps.close();
  });

  // Three new routes: six writes of 600 ms each, 3.6 s; the invocation has 4.5 s, 1.5 s after the margin.
  for (const operation of ['CreateIntegration', 'CreateRoute']) fake.inject({ operation, fault: 'latency', latencyMs: 600 });
  const routes = Object.fromEntries(['a', 'b', 'c'].map((key) => [key, { backend: { type: 'mock' } }]));
  const started = Date.now();
  const response = await handler(
    restApiEvent({ method: 'PUT', url: `/v1/apis/${apiId}/routes`, body: { routes } }, { userArn: CALLER_ARN }),
    lambdaContext('gatewire', 4_500),
  );
  t.equal(response.statusCode, 202, response.body);
  t.ok(Date.now() - started < 4_500, 'answered before the invocation had to end');
  const changeId = JSON.parse(response.body).changeId as string;
  t.match(response.headers?.['location'], `/v1/changes/${changeId}`);
  const handedOver = store.records().find((record) => record.id === changeId)!;
  t.equal(handedOver.status, 'pending');
  t.notOk(handedOver.lease, 'released for another invocation');
  t.match(handedOver.journal?.at(-1), { kind: 'event', event: 'handed-over' });
  const writesBefore = fake.writes().filter((call) => call.service === 'apigatewayv2').length;
  t.ok(writesBefore > 0 && writesBefore < 6, `some steps ran (${writesBefore} of 6)`);

  const invoke = fake.calls.find((call) => call.operation === 'Invoke');
  t.ok(invoke, 'the function invoked itself asynchronously');
  t.match(decodeURIComponent(invoke?.path ?? ''), /function:gatewire\/invocations$/, 'the same function (ARN from the invocation context)');
  t.same(invoke?.body, { gatewire: { continueChange: { changeId, apiId } } }, 'with the change to continue');

  const continued = await handler(invoke!.body as never, lambdaContext('gatewire', 60_000));
  t.match(JSON.parse(continued.body), { changeId, outcome: 'finished' });
  const final = store.records().find((record) => record.id === changeId)!;
  t.equal(final.status, 'succeeded');
  t.match(final.journal?.find((entry) => entry.kind === 'event' && entry.event === 'taken-over'), { note: 'handed over by its owner' });
  t.equal(fake.writes().filter((call) => call.service === 'apigatewayv2').length, 6, 'every write once');
  for (const key of ['a', 'b', 'c']) t.ok(fake.api(apiId).route(key)?.target, `route ${key} is bound`);

  const polled = await handler(restApiEvent({ method: 'GET', url: `/v1/changes/${changeId}` }, { userArn: CALLER_ARN }), lambdaContext());
  const change = JSON.parse(polled.body);
  t.match(change, { status: 'succeeded', result: { status: 200, body: { outcome: 'applied', auditId: changeId } } });
  t.same(Object.values(change.result.body.routes).map((route) => (route as { outcome: string }).outcome), ['created', 'created', 'created']);
  t.same(change.progress.routes, { a: 'created', b: 'created', c: 'created' });
});
