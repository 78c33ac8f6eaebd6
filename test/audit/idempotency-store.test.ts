// The IdempotencyStore (audit/idempotency-store.ts over Kysely, audit/memory-idempotency-store.ts)
// and the claim rules of services/idempotency-service.ts on top of it: one contract, run against
// memory, SQLite, PostgreSQL and DynamoDB, so every store holds a key for exactly one request.
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import t from 'tap';
import { openDynamoDbAudit } from '../../src/audit/dynamodb.js';
import { createAuditDatabase } from '../../src/audit/database.js';
import { createKyselyIdempotencyStore } from '../../src/audit/idempotency-store.js';
import { createMemoryIdempotencyStore } from '../../src/audit/memory-idempotency-store.js';
import { migrateToLatest } from '../../src/audit/migrate.js';
import { ABANDONED_CLAIM_AFTER_MS, createIdempotencyService, SWEEP_EVERY_MS } from '../../src/services/idempotency-service.js';
import type { IdempotencyEntry, IdempotencyStore } from '../../src/services/ports.js';
import { DYNALITE_CREDENTIALS, DYNALITE_REGION, openDynaliteAudit, startDynalite } from '../support/dynalite.js';
import { createTestSchema } from '../support/postgres.js';
import type { TestContext } from '../support/tap.js';

const T0 = Date.parse('2025-06-01T12:00:00.000Z');
const TTL_SECONDS = 3600;
const at = (ms: number) => new Date(T0 + ms).toISOString();

function manualClock() {
  let now = T0;
  return { now: () => new Date(now), advance: (ms: number) => void (now += ms) };
}

function entry(overrides: Partial<IdempotencyEntry> = {}): IdempotencyEntry & { status: 'in_progress' } {
  return {
    caller: 'api-key:ci',
    key: 'k1',
    requestHash: 'hash-a',
    createdAt: at(0),
    expiresAt: at(TTL_SECONDS * 1000),
    ...overrides,
    status: 'in_progress',
  };
}

const RESPONSE = {
  status: 201,
  contentType: 'application/json; charset=utf-8',
  headers: { etag: '"abc"' },
  body: '{"outcome":"applied","integration":{"integrationId":"x1"}}',
};

type OpenStore = () => Promise<IdempotencyStore>;

function contract(t: TestContext, open: OpenStore): void {
  t.test('insertIfAbsent claims a key once; find reads it back', async (t) => {
    const store = await open();
    t.equal(await store.insertIfAbsent(entry()), true, 'the first insert claims');
    t.equal(await store.insertIfAbsent(entry({ requestHash: 'hash-b', createdAt: at(5) })), false, 'a second does not');
    t.equal(await store.insertIfAbsent(entry({ caller: 'api-key:other' })), true, 'another caller’s key is another row');
    t.same(await store.find('api-key:ci', 'k1'), entry(), 'the first claim is what is stored');
    t.equal(await store.find('api-key:ci', 'nope'), undefined);
  });

  t.test('complete keeps the response; only the claim that holds the row may complete or release it', async (t) => {
    const store = await open();
    await store.insertIfAbsent(entry());
    const stale = { caller: 'api-key:ci', key: 'k1', createdAt: at(-1) };
    t.equal(await store.complete(stale, RESPONSE), false, 'another claim’s token does not complete it');
    t.equal(await store.release(stale), false, 'nor release it');
    const claim = { caller: 'api-key:ci', key: 'k1', createdAt: at(0) };
    t.equal(await store.complete(claim, RESPONSE), true);
    t.same(await store.find('api-key:ci', 'k1'), { ...entry(), status: 'completed', response: RESPONSE }, 'the response round-trips');
    t.equal(await store.complete(claim, RESPONSE), false, 'completed once');
    t.equal(await store.release(claim), false, 'a completed key is not released');
    t.ok(await store.find('api-key:ci', 'k1'));
  });

  t.test('release deletes the claim', async (t) => {
    const store = await open();
    await store.insertIfAbsent(entry());
    t.equal(await store.release({ caller: 'api-key:ci', key: 'k1', createdAt: at(0) }), true);
    t.equal(await store.find('api-key:ci', 'k1'), undefined);
    t.equal(await store.insertIfAbsent(entry({ createdAt: at(1) })), true, 'the key can be claimed again');
  });

  t.test('replace is a compare-and-set on the row it read', async (t) => {
    const store = await open();
    await store.insertIfAbsent(entry());
    const current = (await store.find('api-key:ci', 'k1'))!;
    const next = entry({ requestHash: 'hash-b', createdAt: at(10), expiresAt: at(10 + TTL_SECONDS * 1000) });
    const results = await Promise.all([store.replace(current, next), store.replace(current, { ...next, requestHash: 'hash-c' })]);
    t.same(results.sort(), [false, true], 'one of two racing takers wins');
    t.equal((await store.find('api-key:ci', 'k1'))?.createdAt, at(10));
  });

  t.test('deleteExpired removes only rows whose time is up', async (t) => {
    const store = await open();
    await store.insertIfAbsent(entry({ key: 'old', expiresAt: at(1000) }));
    await store.insertIfAbsent(entry({ key: 'edge', expiresAt: at(2000) }));
    await store.insertIfAbsent(entry({ key: 'new', expiresAt: at(3000) }));
    t.equal(await store.deleteExpired(new Date(T0 + 2000)), 2, 'expiresAt <= now is expired');
    t.equal(await store.find('api-key:ci', 'old'), undefined);
    t.ok(await store.find('api-key:ci', 'new'));
  });

  t.test('the service: replay, mismatch, in progress, expiry, takeover, release', async (t) => {
    const store = await open();
    const clock = manualClock();
    const service = createIdempotencyService({ store, clock, ttlSeconds: TTL_SECONDS });
    const request = { caller: 'api-key:ci', key: 'svc', fingerprint: 'f1' };

    const first = await service.begin(request);
    if (first.outcome !== 'claimed') throw new Error(`expected a claim, got ${first.outcome}`);
    t.same(await service.begin(request), { outcome: 'in-progress' }, 'a repeat while it runs');
    t.same(await service.begin({ ...request, fingerprint: 'f2' }), { outcome: 'mismatch' }, 'another request under the key');
    t.equal(await service.finish(first.claim, RESPONSE), 'stored');
    t.same(await service.begin(request), { outcome: 'replay', response: RESPONSE }, 'a repeat after completion');

    clock.advance(TTL_SECONDS * 1000);
    const afterExpiry = await service.begin({ ...request, fingerprint: 'f2' });
    t.equal(afterExpiry.outcome, 'claimed', 'an expired key is as good as absent');

    // A claim nobody finishes (its instance crashed) blocks repeats until it is abandoned.
    clock.advance(ABANDONED_CLAIM_AFTER_MS - 1);
    t.same(await service.begin({ ...request, fingerprint: 'f2' }), { outcome: 'in-progress' }, 'not yet abandoned');
    clock.advance(1);
    const takeover = await service.begin({ ...request, fingerprint: 'f2' });
    t.equal(takeover.outcome, 'claimed', 'taken over once older than the bound');
    if (afterExpiry.outcome === 'claimed') {
      t.equal(await service.finish(afterExpiry.claim, RESPONSE), 'lost', 'the crashed claim can no longer store its response');
    }
    if (takeover.outcome !== 'claimed') return;
    t.equal(await service.finish(takeover.claim, { ...RESPONSE, status: 502 }), 'released', 'a 5xx releases the key');
    t.equal((await service.begin({ ...request, fingerprint: 'f2' })).outcome, 'claimed', 'so the retry runs');
  });

  t.test('the service sweeps expired keys at most every SWEEP_EVERY_MS', async (t) => {
    const store = await open();
    const clock = manualClock();
    const service = createIdempotencyService({ store, clock, ttlSeconds: 60 });
    await service.begin({ caller: 'c', key: 'a', fingerprint: 'f' });
    t.equal(await service.sweepIfDue(), 0, 'the first sweep runs');
    clock.advance(61_000);
    t.equal(await service.sweepIfDue(), undefined, 'not due again yet');
    t.ok(await store.find('c', 'a'), 'the expired row is still there');
    clock.advance(SWEEP_EVERY_MS);
    t.equal(await service.sweepIfDue(), 1, 'due: the expired row is deleted');
    t.equal(await store.find('c', 'a'), undefined);
  });
}

t.test('contract: memory', async (t) => {
  contract(t, async () => createMemoryIdempotencyStore());
});

t.test('memory: the fault switch fails like a down database', async (t) => {
  const store = createMemoryIdempotencyStore();
  store.setUnavailable(true);
  await t.rejects(store.insertIfAbsent(entry()), { name: 'DomainError', kind: 'audit-unavailable' });
});

t.test('contract: SQLite in memory', async (t) => {
  contract(t, async () => {
    const { db, dialect } = await createAuditDatabase('sqlite::memory:');
    t.teardown(() => db.destroy());
    await migrateToLatest(db, dialect);
    return createKyselyIdempotencyStore(db);
  });
});

t.test('contract: PostgreSQL', async (t) => {
  const { url } = await createTestSchema(t, 'idempotency_store');
  const { db, dialect } = await createAuditDatabase(url);
  t.teardown(() => db.destroy());
  await migrateToLatest(db, dialect);
  contract(t, async () => {
    await db.deleteFrom('idempotency_keys').execute();
    return createKyselyIdempotencyStore(db);
  });

  t.test('two instances racing for one key: exactly one claims it', async (t) => {
    await db.deleteFrom('idempotency_keys').execute();
    const other = await createAuditDatabase(url);
    t.teardown(() => other.db.destroy());
    const clock = manualClock();
    const services = [db, other.db].map((each) =>
      createIdempotencyService({ store: createKyselyIdempotencyStore(each), clock, ttlSeconds: TTL_SECONDS }),
    );
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, index) => services[index % 2]!.begin({ caller: 'c', key: 'race', fingerprint: 'f' })),
    );
    t.equal(outcomes.filter((outcome) => outcome.outcome === 'claimed').length, 1, 'one claim');
    t.equal(outcomes.filter((outcome) => outcome.outcome === 'in-progress').length, 9, 'the others see it in progress');

    // Both take over the same abandoned claim at once: one wins.
    clock.advance(ABANDONED_CLAIM_AFTER_MS);
    const takeovers = await Promise.all(services.map((service) => service.begin({ caller: 'c', key: 'race', fingerprint: 'f' })));
    t.equal(takeovers.filter((outcome) => outcome.outcome === 'claimed').length, 1, 'one takeover');
  });

  t.test('a database that cannot be reached is audit-unavailable', async (t) => {
    const broken = await createAuditDatabase('postgres://nobody@127.0.0.1:1/none', { postgres: { connectionTimeoutMillis: 500 } });
    t.teardown(() => broken.db.destroy());
    await t.rejects(createKyselyIdempotencyStore(broken.db).find('c', 'k'), { name: 'DomainError', kind: 'audit-unavailable' });
  });
});

t.test('contract: DynamoDB on dynalite', async (t) => {
  const dynamo = await startDynalite(t);
  // Tables of their own per case: every case starts empty.
  contract(t, async () => (await openDynaliteAudit(t, dynamo, 'idempotency')).idempotency);

  t.test('two instances racing for one key: exactly one claims it; rows carry the TTL attribute', async (t) => {
    const first = await openDynaliteAudit(t, dynamo, 'idem-race');
    const second = await openDynamoDbAudit(first.url.replace('?createTables=true', ''), {
      region: DYNALITE_REGION,
      endpoint: dynamo.endpoint,
      credentials: DYNALITE_CREDENTIALS,
    });
    t.teardown(() => second.close());
    const clock = manualClock();
    const services = [first, second].map((each) => createIdempotencyService({ store: each.idempotency, clock, ttlSeconds: TTL_SECONDS }));
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, index) => services[index % 2]!.begin({ caller: 'c', key: 'race', fingerprint: 'f' })),
    );
    t.equal(outcomes.filter((outcome) => outcome.outcome === 'claimed').length, 1, 'one claim');
    clock.advance(ABANDONED_CLAIM_AFTER_MS);
    const takeovers = await Promise.all(services.map((service) => service.begin({ caller: 'c', key: 'race', fingerprint: 'f' })));
    t.equal(takeovers.filter((outcome) => outcome.outcome === 'claimed').length, 1, 'one takeover');

    const client = new DynamoDBClient({ region: DYNALITE_REGION, endpoint: dynamo.endpoint, credentials: DYNALITE_CREDENTIALS });
    t.teardown(() => client.destroy());
    const { Item } = await client.send(
      new GetItemCommand({ TableName: first.tables.idempotency, Key: { caller: { S: 'c' }, key: { S: 'race' } } }),
    );
    const stored = await first.idempotency.find('c', 'race');
    t.equal(Item?.['ttl']?.N, String(Math.ceil(Date.parse(stored!.expiresAt) / 1000)), 'ttl = expiresAt in epoch seconds, for DynamoDB TTL');
  });
});
