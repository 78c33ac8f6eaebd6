// The change path on the DynamoDB store, selected as production selects it (GATEWIRE_AUDIT_URL
// dynamodb://…, endpoint from AWS_ENDPOINT_URL_DYNAMODB): fail closed while DynamoDB is down,
// recovery of a change whose lease ran out, and two instances sharing one DynamoDB (DESIGN §1, §3).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import t from 'tap';
import { createDynamoDbIdempotencyStore } from '../../src/audit/dynamodb-idempotency-store.js';
import { createDynamoDbLock } from '../../src/audit/dynamodb-lock.js';
import { createDynamoDbAuditStore } from '../../src/audit/dynamodb-store.js';
import { loadConfig } from '../../src/config.js';
import type { AuditRecord } from '../../src/domain/audit.js';
import { DomainError } from '../../src/domain/errors.js';
import { openAuditStore } from '../../src/dependencies.js';
import type { AuditStore } from '../../src/services/ports.js';
import { buildTestApp, routeIntegrationUrl } from '../support/build-test-app.js';
import { DYNALITE_CREDENTIALS, startDynalite, uniquePrefix, type Dynalite } from '../support/dynalite.js';
import { startFakeAws } from '../support/fake-aws/index.js';
import type { TestContext } from '../support/tap.js';

const MOCK = { backend: { type: 'mock' }, requestTemplates: { 'application/json': '{"statusCode":200}' } };
const CHANGES = 50;

/** Opens the store through config, as the entry points do; `create` adds ?createTables=true. */
async function openFromConfig(t: TestContext, dynamo: Dynalite, prefix: string, create: boolean) {
  const config = loadConfig({
    GATEWIRE_AUDIT_URL: `dynamodb://${prefix}?region=us-east-1${create ? '&createTables=true' : ''}`,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    // The rest of AWS is elsewhere: the DynamoDB endpoint wins for the store.
    AWS_ENDPOINT_URL: 'http://127.0.0.1:1',
  });
  if (config.dynamoDbEndpoint !== dynamo.endpoint) throw new Error('AWS_ENDPOINT_URL_DYNAMODB must win over AWS_ENDPOINT_URL');
  const audit = await openAuditStore(config, { credentials: DYNALITE_CREDENTIALS });
  t.teardown(() => audit.close());
  return audit;
}

t.test('GATEWIRE_AUDIT_URL selects DynamoDB; without createTables a missing table is a clear error', async (t) => {
  const dynamo = await startDynalite(t);
  const prefix = uniquePrefix('select');
  await t.rejects(openFromConfig(t, dynamo, prefix, false), { message: new RegExp(`table.*${prefix}-audit.*not found`) });
  const audit = await openFromConfig(t, dynamo, prefix, true);
  await t.resolves(audit.store.ping());
});

t.test('DynamoDB stopped mid-run: 503 and no AWS write; the next change succeeds once it is back', async (t) => {
  const dynamo = await startDynalite(t);
  const audit = await openFromConfig(t, dynamo, uniquePrefix('fail-closed'), true);
  const ctx = await buildTestApp(t, { audit });

  const first = await ctx.app.inject({ method: 'PUT', url: routeIntegrationUrl(ctx.apiId, 'before'), payload: MOCK });
  t.equal(first.statusCode, 200, 'a change while DynamoDB answers');

  await dynamo.stop();
  const snapshot = ctx.fake.snapshot();
  ctx.fake.resetCalls();
  for (const mutation of [
    { method: 'PUT' as const, url: routeIntegrationUrl(ctx.apiId, 'ping'), payload: MOCK },
    { method: 'POST' as const, url: `/v1/apis/${ctx.apiId}/integrations`, payload: { integrationType: 'MOCK' } },
  ]) {
    const response = await ctx.app.inject(mutation);
    t.equal(response.statusCode, 503, `${mutation.method} ${mutation.url}: ${response.body.slice(0, 200)}`);
    t.match(response.json(), { status: 503, type: /audit-unavailable$/ });
  }
  t.same(ctx.fake.writes(), [], 'the fake saw no write');
  t.same(ctx.fake.snapshot(), snapshot, 'AWS is unchanged');
  t.equal((await ctx.app.inject({ method: 'GET', url: '/readyz' })).statusCode, 503, 'not ready');

  await dynamo.start();
  const after = await ctx.app.inject({ method: 'PUT', url: routeIntegrationUrl(ctx.apiId, 'ping'), payload: MOCK });
  t.equal(after.statusCode, 200, 'once DynamoDB is back, changes go through');
  const records = (await audit.store.list({ apiId: ctx.apiId, limit: 10 })).items;
  t.same(records.map((record) => [record.routeKey, record.status]), [['ping', 'succeeded'], ['before', 'succeeded']], 'only the changes that ran left records');
});

t.test('DynamoDB throttling past the SDK retries: 503 and no AWS write', async (t) => {
  // Every call answered as DynamoDB answers a table over its capacity.
  let calls = 0;
  const throttling = createServer((request, response) => {
    calls += 1;
    request.resume();
    request.on('end', () => {
      response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': `throttled-${calls}` });
      response.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException', message: 'Rate of requests exceeds the allowed throughput.' }));
    });
  });
  await new Promise<void>((resolve) => throttling.listen(0, '127.0.0.1', () => resolve()));
  t.teardown(() => new Promise((resolve) => throttling.close(resolve)));
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${(throttling.address() as AddressInfo).port}`,
    credentials: DYNALITE_CREDENTIALS,
    maxAttempts: 3,
  });
  t.teardown(() => client.destroy());
  const store = createDynamoDbAuditStore(client, { table: 'gw-audit', journalTable: 'gw-journal' });
  const ctx = await buildTestApp(t, {
    audit: { store, lock: createDynamoDbLock(client, 'gw-locks'), idempotency: createDynamoDbIdempotencyStore(client, 'gw-idempotency') },
  });
  ctx.fake.resetCalls();
  const response = await ctx.app.inject({ method: 'PUT', url: routeIntegrationUrl(ctx.apiId, 'ping'), payload: MOCK });
  t.equal(response.statusCode, 503, response.body.slice(0, 200));
  t.match(response.json(), { type: /audit-unavailable$/ });
  t.same(ctx.fake.writes(), [], 'the fake saw no write');
  t.ok(calls >= 3, `the SDK retried the throttled call (3 attempts) before giving up: ${calls} calls`);
});

t.test('a change whose lease ran out is taken over on DynamoDB', async (t) => {
  const dynamo = await startDynalite(t);
  const audit = await openFromConfig(t, dynamo, uniquePrefix('recovery'), true);
  // The owner's final write is lost (as when its instance dies after the last AWS call).
  let failing = true;
  const store: AuditStore = {
    ...audit.store,
    async finalize(...args) {
      if (!failing) return audit.store.finalize(...args);
      throw new DomainError('audit-unavailable', 'audit store unavailable: could not finalize the audit record');
    },
  };
  const ctx = await buildTestApp(t, { audit: { ...audit, store }, env: { GATEWIRE_LEASE_MS: '1000' } });
  const response = await ctx.app.inject({ method: 'PUT', url: routeIntegrationUrl(ctx.apiId, 'ping'), payload: MOCK });
  t.equal(response.statusCode, 200);
  const { auditId } = response.json() as { auditId: string };
  t.match(await audit.store.get(auditId), { status: 'pending', lease: { owner: ctx.deps.owner } }, 'left pending, with its lease');

  failing = false;
  t.equal(await ctx.deps.recovery.sweepOnce(), 0, 'not while its lease runs');
  await sleep(1_100);
  t.equal(await ctx.deps.recovery.sweepOnce(), 1, 'taken over once the lease ran out');
  const record = await audit.store.get(auditId);
  t.match(record, { status: 'succeeded' }, 'finished from the journal');
  t.notOk(record?.lease, 'and nobody owns it any more');
  t.ok(ctx.fake.api(ctx.apiId).route('ping')?.target, 'AWS keeps the change');
});

t.test(`${CHANGES} concurrent PUTs through two instances sharing one DynamoDB`, async (t) => {
  const dynamo = await startDynalite(t);
  const fake = await startFakeAws();
  t.teardown(() => fake.close());
  const prefix = uniquePrefix('concurrency');
  const auditA = await openFromConfig(t, dynamo, prefix, true);
  const auditB = await openFromConfig(t, dynamo, prefix, false);
  const a = await buildTestApp(t, { fake, audit: auditA });
  const b = await buildTestApp(t, { fake, audit: auditB });
  const apiId = a.apiId;
  fake.resetCalls();

  const routeKeys = Array.from({ length: CHANGES }, (_, index) => `route${String(index).padStart(2, '0')}`);
  const responses = await Promise.all(
    routeKeys.map((routeKey, index) =>
      (index % 2 === 0 ? a : b).app.inject({
        method: 'PUT',
        url: routeIntegrationUrl(apiId, routeKey),
        payload: { backend: { type: 'mock' }, requestTemplates: { 'application/json': `{"route":"${routeKey}"}` } },
      }),
    ),
  );
  const statuses = responses.map((response) => response.statusCode);
  for (const response of responses.filter((r) => r.statusCode !== 200)) t.comment(response.body.slice(0, 300));
  t.same(statuses, Array(CHANGES).fill(200), 'every request got 200');
  const bodies = responses.map((response) => response.json() as { auditId: string; auditComplete: boolean });
  t.ok(bodies.every((body) => body.auditComplete), 'every change fully audited');

  const view = fake.api(apiId);
  t.equal(view.routes.length, CHANGES, 'one route per request');
  t.equal(view.integrations.length, CHANGES, 'one integration per route, none orphaned');

  // Read with pages of 20 through the other instance: the cursor walks the whole trail.
  const records: AuditRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await b.app.inject({ method: 'GET', url: `/v1/audit?apiId=${apiId}&limit=20${cursor ? `&cursor=${cursor}` : ''}` });
    t.equal(page.statusCode, 200);
    const body = page.json() as { items: AuditRecord[]; nextCursor?: string };
    records.push(...body.items);
    cursor = body.nextCursor;
  } while (cursor !== undefined);
  t.equal(records.filter((record) => record.status === 'succeeded').length, CHANGES, `exactly ${CHANGES} final records`);
  t.same(records.map((record) => record.id).sort(), bodies.map((body) => body.auditId).sort(), 'the records are the ones the responses named');
  t.same(records.map((record) => record.routeKey).sort(), routeKeys, 'one record per route');

  // Serialised across instances by the DynamoDB lock: the AWS calls of one change never interleave with another's.
  const position = new Map(fake.calls.map((call, index) => [call.requestId, index]));
  const spans = records
    .map((record) => {
      const indexes = record.awsCalls.map((call) => position.get(call.requestId ?? '') ?? -1);
      return { first: Math.min(...indexes), last: Math.max(...indexes) };
    })
    .sort((x, y) => x.first - y.first);
  t.equal(spans.filter((span, index) => index > 0 && span.first <= spans[index - 1]!.last).length, 0, 'no change overlapped another');
});

t.test(`${CHANGES} concurrent Lambda PUTs through two instances on DynamoDB: one permission statement per function`, async (t) => {
  const dynamo = await startDynalite(t);
  const fake = await startFakeAws();
  t.teardown(() => fake.close());
  const prefix = uniquePrefix('concurrency-fn');
  const auditA = await openFromConfig(t, dynamo, prefix, true);
  const auditB = await openFromConfig(t, dynamo, prefix, false);
  const a = await buildTestApp(t, { fake, audit: auditA });
  const b = await buildTestApp(t, { fake, audit: auditB });
  const functions = ['fn-a', 'fn-b', 'fn-c'];
  for (const name of functions) fake.seedFunction({ name });

  const responses = await Promise.all(
    Array.from({ length: CHANGES }, (_, index) =>
      (index % 2 === 0 ? a : b).app.inject({
        method: 'PUT',
        url: routeIntegrationUrl(a.apiId, `route${index}`),
        payload: { backend: { type: 'lambda', function: functions[index % functions.length] } },
      }),
    ),
  );
  t.same(responses.map((response) => response.statusCode), Array(CHANGES).fill(200), 'every request got 200');
  for (const name of functions) t.equal(fake.policy(name).length, 1, `${name}: one statement`);
  const records = (await auditA.store.list({ apiId: a.apiId, limit: 500 })).items;
  t.equal(records.filter((record) => record.status === 'succeeded').length, CHANGES, 'one final record per change');
});
