// The store contract on DynamoDB (dynalite, in-process), plus what is DynamoDB's own: URL parsing,
// the start-up check of its tables, and failing closed when DynamoDB does not answer.
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import t from 'tap';
import { openDynamoDbAudit, parseDynamoDbUrl } from '../../src/audit/dynamodb.js';
import { loadConfig } from '../../src/config.js';
import { MissingTablesError } from '../../src/audit/dynamodb-tables.js';
import { auditStoreContract } from '../support/audit-store-contract.js';
import { DYNALITE_CREDENTIALS, DYNALITE_REGION, openDynaliteAudit, startDynalite, uniquePrefix } from '../support/dynalite.js';

t.test('contract: DynamoDB on dynalite', async (t) => {
  const dynamo = await startDynalite(t);
  auditStoreContract(t, async () => {
    const audit = await openDynaliteAudit(t, dynamo, 'contract');
    return { store: audit.store, close: () => audit.close() };
  });
});

t.test('the dynamodb:// URL', async (t) => {
  t.strictSame(parseDynamoDbUrl('dynamodb://Gatewire-prod?region=eu-west-1'), { prefix: 'Gatewire-prod', region: 'eu-west-1', createTables: false });
  t.strictSame(parseDynamoDbUrl('dynamodb://gw?createTables=true'), { prefix: 'gw', region: undefined, createTables: true });
  t.throws(() => parseDynamoDbUrl('dynamodb://bad prefix'), /invalid DynamoDB table prefix/);
  t.throws(() => parseDynamoDbUrl('dynamodb://gw?createTable=true'), /unknown parameter\(s\).*createTable/);
  t.throws(() => parseDynamoDbUrl('dynamodb://gw?createTables=yes'), /true or false/);
  const endpoint = (env: Record<string, string>) => loadConfig({ GATEWIRE_AUDIT_URL: 'dynamodb://gw', ...env }).dynamoDbEndpoint;
  t.equal(endpoint({ AWS_ENDPOINT_URL: 'http://all:1', AWS_ENDPOINT_URL_DYNAMODB: 'http://ddb:2' }), 'http://ddb:2', 'the DynamoDB endpoint first');
  t.equal(endpoint({ AWS_ENDPOINT_URL: 'http://all:1' }), 'http://all:1', 'else the general one');
  t.equal(endpoint({}), undefined, "else AWS's");
});

t.test('start-up: missing tables are named, and created only when told to', async (t) => {
  const dynamo = await startDynalite(t);
  const prefix = uniquePrefix('startup');
  const options = { region: DYNALITE_REGION, endpoint: dynamo.endpoint, credentials: DYNALITE_CREDENTIALS };
  await t.rejects(openDynamoDbAudit(`dynamodb://${prefix}`, options), {
    name: 'MissingTablesError',
    message: new RegExp(`${prefix}-audit, ${prefix}-journal, ${prefix}-idempotency, ${prefix}-locks not found`),
  });
  const created = await openDynamoDbAudit(`dynamodb://${prefix}?createTables=true`, options);
  await created.close();
  const again = await openDynamoDbAudit(`dynamodb://${prefix}`, options);
  t.teardown(() => again.close());
  await t.resolves(again.store.ping(), 'existing tables are used as they are');

  const client = new DynamoDBClient({ region: DYNALITE_REGION, endpoint: dynamo.endpoint, credentials: DYNALITE_CREDENTIALS });
  t.teardown(() => client.destroy());
  const { Table } = await client.send(new DescribeTableCommand({ TableName: `${prefix}-audit` }));
  t.same(Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName).sort(), ['actor-id', 'api-id', 'pending-id', 'trail-id']);
  t.ok(new MissingTablesError(['x']).message.includes('createTables=true'), 'the error says how to fix it');
});

t.test('DynamoDB down: audit-unavailable, and back once it answers', async (t) => {
  const dynamo = await startDynalite(t);
  const audit = await openDynaliteAudit(t, dynamo, 'down', { requestTimeoutMs: 1_000 });
  await dynamo.stop();
  await t.rejects(audit.store.ping(), { name: 'DomainError', kind: 'audit-unavailable' });
  await t.rejects(audit.store.list({ limit: 1 }), { name: 'DomainError', kind: 'audit-unavailable' });
  await t.rejects(audit.idempotency.find('c', 'k'), { name: 'DomainError', kind: 'audit-unavailable' });
  await t.rejects(audit.lock.withLock('api', async () => t.fail('must not run')), { name: 'DomainError', kind: 'audit-unavailable' });
  await dynamo.start();
  await t.resolves(audit.store.ping(), 'answers again');
});

t.test('a journal entry resent as it was is accepted; another entry under its seq is not', async (t) => {
  const dynamo = await startDynalite(t);
  const audit = await openDynaliteAudit(t, dynamo, 'resend');
  const lease = { owner: 'a', expiresAt: '2025-03-01T12:10:00.000Z' };
  const id = '01JNKZ7ZQ00000000000000RSD';
  await audit.store.appendPending({
    id,
    occurredAt: '2025-03-01T12:00:00.000Z',
    actor: { id: 'alice', kind: 'api-key' },
    requestId: 'r',
    action: 'x',
    apiId: 'api1',
    request: {},
    plan: [],
    before: null,
    lease,
    deadlineAt: '2025-03-01T12:20:00.000Z',
  });
  const entry = { seq: 1, at: '2025-03-01T12:00:01.000Z', owner: 'a', kind: 'do', stepId: 's', operation: 'CreateRoute', phase: 'started' } as const;
  await audit.store.appendJournal(id, lease, [entry]);
  await t.resolves(audit.store.appendJournal(id, lease, [entry]), 'the same entry again');
  await t.rejects(audit.store.appendJournal(id, lease, [{ ...entry, phase: 'succeeded' }]), { name: 'DomainError', kind: 'audit-unavailable' });
  t.same((await audit.store.get(id))?.journal, [entry], 'one entry, the first');
});

t.test('the record of a bulk apply of hundreds of routes fits: long JSON is gzipped, the journal has items of its own', async (t) => {
  const dynamo = await startDynalite(t);
  const audit = await openDynaliteAudit(t, dynamo, 'large');
  // About the sizes a 300-route bulk apply records (measured: plan 250 KB, result 265 KB, journal
  // 1,200 entries): together far past DynamoDB's 400 KB item limit if stored as they are.
  const routes = Array.from({ length: 300 }, (_, index) => `route${index}`);
  const integration = (routeKey: string) => ({
    integrationType: 'MOCK',
    connectionType: 'INTERNET',
    passthroughBehavior: 'WHEN_NO_MATCH',
    timeoutInMillis: 29000,
    templateSelectionExpression: '\\$default',
    requestTemplates: { 'application/json': `{"statusCode":200,"route":"${routeKey}"}` },
  });
  const plan = routes.flatMap((routeKey) => [
    { id: `create-integration-${routeKey}`, op: 'createIntegration', params: integration(routeKey), compensation: { op: 'deleteIntegration', params: { integrationId: '{create-integration}' } } },
    { id: `create-route-${routeKey}`, op: 'createRoute', params: { routeKey, target: 'integrations/{create-integration}' }, compensation: { op: 'deleteRoute' } },
  ]);
  const lease = { owner: 'a', expiresAt: '2025-03-01T12:10:00.000Z' };
  const id = '01JNKZ7ZQ00000000000000LRG';
  await audit.store.appendPending({
    id,
    occurredAt: '2025-03-01T12:00:00.000Z',
    actor: { id: 'alice', kind: 'api-key' },
    requestId: 'r',
    action: 'routes.put',
    apiId: 'api1',
    request: { body: { routes: Object.fromEntries(routes.map((routeKey) => [routeKey, { backend: { type: 'mock' } }])) } },
    plan,
    before: { routes: Object.fromEntries(routes.map((routeKey) => [routeKey, null])) },
    lease,
    deadlineAt: '2025-03-01T12:20:00.000Z',
  });
  const entries = plan.flatMap((step, index) =>
    (['started', 'succeeded'] as const).map((phase, half) => ({
      seq: index * 2 + half + 1,
      at: '2025-03-01T12:00:01.000Z',
      owner: 'a',
      kind: 'do' as const,
      stepId: step.id,
      operation: step.op,
      phase,
    })),
  );
  for (let index = 0; index < entries.length; index += 100) await audit.store.appendJournal(id, lease, entries.slice(index, index + 100));
  const awsCalls = plan.map((step, index) => ({ service: 'apigatewayv2' as const, operation: step.op, requestId: `request-${index}`, outcome: 'ok' as const, durationMs: 20 }));
  const result = {
    status: 200,
    body: { outcome: 'applied', routes: Object.fromEntries(routes.map((routeKey) => [routeKey, { outcome: 'created', integration: { integrationId: `i-${routeKey}`, ...integration(routeKey) } }])) },
  };
  const size = JSON.stringify({ plan, entries, awsCalls, result }).length;
  t.ok(size > 500_000, `as large as a real one: ${Math.round(size / 1024)} KB of JSON`);
  await audit.store.finalize(id, { status: 'succeeded', after: { routes: result.body.routes }, awsCalls, durationMs: 1, result }, { owner: 'a' });
  const record = await audit.store.get(id);
  t.same(record?.plan, plan, 'the plan round-trips');
  t.same(record?.awsCalls, awsCalls, 'the calls round-trip');
  t.same(record?.result, result, 'the answer round-trips');
  t.equal(record?.journal?.length, entries.length, 'every journal entry');
  t.same(record?.journal?.at(-1), entries.at(-1), 'in order');
  t.same((await audit.store.list({ limit: 1 })).items[0]?.plan, plan, 'a list decompresses too');
});
