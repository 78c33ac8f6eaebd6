// The store contract on DynamoDB (dynalite, in-process), plus what is DynamoDB's own: URL parsing,
// the start-up check of its tables, and failing closed when DynamoDB does not answer.
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import t from 'tap';
import { openDynamoDbAudit, parseDynamoDbUrl } from '../../src/audit/dynamodb.js';
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
});

t.test('start-up: missing tables are named, and created only when told to', async (t) => {
  const dynamo = await startDynalite(t);
  const prefix = uniquePrefix('startup');
  const options = { region: DYNALITE_REGION, endpoint: dynamo.endpoint, credentials: DYNALITE_CREDENTIALS };
  await t.rejects(openDynamoDbAudit(`dynamodb://${prefix}`, options), {
    name: 'MissingTablesError',
    message: new RegExp(`${prefix}-audit, ${prefix}-idempotency, ${prefix}-locks not found`),
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
