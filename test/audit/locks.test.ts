import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import t from 'tap';
import { openDynamoDbAudit } from '../../src/audit/dynamodb.js';
import { createDynamoDbLock } from '../../src/audit/dynamodb-lock.js';
import { createPostgresPool } from '../../src/audit/database.js';
import { createInProcessLock, createPostgresAdvisoryLock } from '../../src/audit/locks.js';
import type { ApiLock } from '../../src/services/ports.js';
import { DYNALITE_CREDENTIALS, DYNALITE_REGION, openDynaliteAudit, startDynalite } from '../support/dynalite.js';
import { createTestPool } from '../support/postgres.js';
import { countQueries } from '../support/pg-query-counter.js';

/** Runs `count` overlapping changes to one API and reports the most that ever ran at once. */
async function maxOverlap(lock: ApiLock, apiId: string, count: number): Promise<{ max: number; order: number[] }> {
  let running = 0;
  let max = 0;
  const order: number[] = [];
  await Promise.all(
    Array.from({ length: count }, (_, index) =>
      lock.withLock(apiId, async () => {
        running += 1;
        max = Math.max(max, running);
        order.push(index);
        await sleep(15);
        running -= 1;
      }),
    ),
  );
  return { max, order };
}

t.test('in-process waits are bounded: in time, and in how many may wait', async (t) => {
  const lock = createInProcessLock({ waitMillis: 150, maxWaiters: 2 });
  let release!: () => void;
  const held = lock.withLock('api1', () => new Promise<void>((resolve) => (release = resolve)));
  const ran: string[] = [];
  const first = lock.withLock('api1', async () => void ran.push('first'));
  const second = lock.withLock('api1', async () => void ran.push('second'));
  // A third waiter is one too many: refused at once, with a time to retry.
  const started = Date.now();
  await t.rejects(lock.withLock('api1', async () => t.fail('must not run')), {
    name: 'DomainError',
    kind: 'conflict',
    retryAfterSeconds: 2,
    message: /2 changes are already waiting/,
  });
  t.ok(Date.now() - started < 100, 'refused without waiting');
  // The two waiters give up after 150 ms.
  await t.rejects(first, { kind: 'conflict', retryAfterSeconds: 2, message: /waited 150 ms/ });
  await t.rejects(second, { name: 'DomainError', kind: 'conflict', retryAfterSeconds: 2, message: /waited 150 ms/ });
  t.same(ran, [], 'neither ran');
  // The holder is still the holder: a newcomer waits for it, and runs once it ends.
  const next = lock.withLock('api1', async () => 'next ran');
  release();
  await held;
  t.equal(await next, 'next ran', 'the turns the quitters held are passed on');
  t.equal(lock.activeKeys(), 0, 'nothing left behind');
  // Other APIs never wait on this one.
  t.equal(await createInProcessLock({ waitMillis: 150, maxWaiters: 0 }).withLock('api2', async () => 'free'), 'free');
});

// Advisory locks are database-wide, so ids are unique per run: parallel test files never meet.
const uniqueApi = (name: string) => `${name}-${process.pid}-${randomBytes(3).toString('hex')}`;

/** Takes `apiId`'s lock on `lock` and keeps it until release(); resolves once it is held. */
async function holdLock(lock: ApiLock, apiId: string): Promise<{ release(): Promise<void> }> {
  let release!: () => void;
  let entered!: () => void;
  const inside = new Promise<void>((resolve) => (entered = resolve));
  const held = lock.withLock(apiId, async () => {
    entered();
    await new Promise<void>((resolve) => (release = resolve));
  });
  await Promise.race([inside, held]);
  return {
    async release() {
      release();
      await held;
    },
  };
}

t.test('in-process lock', async (t) => {
  t.test('changes to one API never overlap and run in arrival order', async (t) => {
    const lock = createInProcessLock();
    const { max, order } = await maxOverlap(lock, 'api1', 5);
    t.equal(max, 1);
    t.strictSame(order, [0, 1, 2, 3, 4]);
    t.equal(lock.activeKeys(), 0, 'no entry left once idle');
  });

  t.test('different APIs do not wait for each other', async (t) => {
    const lock = createInProcessLock();
    const holder = await holdLock(lock, 'a');
    t.equal(await lock.withLock('b', async () => 'ran'), 'ran', 'b ran while a was held');
    t.equal(lock.activeKeys(), 1);
    await holder.release();
    t.equal(lock.activeKeys(), 0);
  });

  t.test('an error releases the lock and reaches the caller', async (t) => {
    const lock = createInProcessLock();
    const failing = lock.withLock('api1', async () => {
      await sleep(5);
      throw new Error('boom');
    });
    const next = lock.withLock('api1', async () => 'next ran');
    await t.rejects(failing, { message: 'boom' });
    t.equal(await next, 'next ran');
    t.equal(lock.activeKeys(), 0);
  });
});

t.test('PostgreSQL advisory lock', async (t) => {
  // Two pools stand for two instances of the service.
  const poolA = createTestPool(t);
  const poolB = createTestPool(t);
  const lockA = createPostgresAdvisoryLock(poolA);
  const lockB = createPostgresAdvisoryLock(poolB);

  const idle = (pool: typeof poolA) => pool.totalCount === pool.idleCount && pool.waitingCount === 0;

  t.test('excludes across instances', async (t) => {
    const apiId = uniqueApi('excl');
    const events: string[] = [];
    let release!: () => void;
    let entered!: () => void;
    const aEntered = new Promise<void>((resolve) => (entered = resolve));
    const a = lockA.withLock(apiId, async () => {
      events.push('a in');
      entered();
      await new Promise<void>((resolve) => (release = resolve));
      events.push('a out');
    });
    await aEntered;
    const b = lockB.withLock(apiId, async () => {
      events.push('b in');
    });
    await sleep(150);
    t.strictSame(events, ['a in'], 'b waits while a holds the lock');
    release();
    await Promise.all([a, b]);
    t.strictSame(events, ['a in', 'a out', 'b in']);
    t.ok(idle(poolA) && idle(poolB), 'connections returned to both pools');
  });

  t.test('many overlapping changes from two instances never overlap', async (t) => {
    const apiId = uniqueApi('many');
    let running = 0;
    let max = 0;
    const change = async () => {
      running += 1;
      max = Math.max(max, running);
      await sleep(10);
      running -= 1;
    };
    await Promise.all(
      Array.from({ length: 8 }, (_, index) => (index % 2 === 0 ? lockA : lockB).withLock(apiId, change)),
    );
    t.equal(max, 1);
    t.ok(poolA.totalCount <= 1, 'one API ties up at most one connection per instance');
  });

  t.test('different APIs do not wait for each other', async (t) => {
    const holder = await holdLock(lockA, uniqueApi('one'));
    t.equal(await lockB.withLock(uniqueApi('two'), async () => 'ran'), 'ran');
    await holder.release();
  });

  t.test('released after an error in the change', async (t) => {
    const apiId = uniqueApi('err');
    await t.rejects(
      lockA.withLock(apiId, async () => {
        throw new Error('change failed');
      }),
      { message: 'change failed' },
      'the change error reaches the caller unchanged',
    );
    const started = Date.now();
    t.equal(await lockB.withLock(apiId, async () => 'b ran'), 'b ran');
    t.ok(Date.now() - started < 1_000, 'no wait for a lock left behind');
    t.ok(idle(poolA), 'connection returned after the error');
  });

  t.test('waiting too long is a conflict, and leaves nothing held', async (t) => {
    const apiId = uniqueApi('wait');
    const impatient = createPostgresAdvisoryLock(poolB, { waitMillis: 200 });
    const holder = await holdLock(lockA, apiId);
    await t.rejects(impatient.withLock(apiId, async () => t.fail('must not run')), { name: 'DomainError', kind: 'conflict' });
    await holder.release();
    t.equal(await impatient.withLock(apiId, async () => 'ran'), 'ran', 'free again afterwards');
    t.ok(idle(poolB));
  });

  t.test('settings used for the wait do not leak into the pooled connection', async (t) => {
    const pool = createTestPool(t, { max: 1, statement_timeout: 4_321 });
    await createPostgresAdvisoryLock(pool).withLock(uniqueApi('reset'), async () => {});
    const lockTimeout = await pool.query<{ lock_timeout: string }>('show lock_timeout');
    t.equal(lockTimeout.rows[0]?.lock_timeout, '0');
    const statementTimeout = await pool.query<{ statement_timeout: string }>('show statement_timeout');
    t.equal(statementTimeout.rows[0]?.statement_timeout, '4321ms', "back to the pool's own statement_timeout");
  });

  // Every change pays for these on its critical path: a regression here is latency on each request.
  t.test('one round trip to take the lock and one to release it', async (t) => {
    const pool = createTestPool(t, { max: 1 });
    const queries = countQueries(pool);
    const lock = createPostgresAdvisoryLock(pool);
    t.equal(await lock.withLock(uniqueApi('trips'), async () => 'ran'), 'ran');
    t.equal(queries.texts.length, 2, `lock + unlock, got: ${queries.texts.join(' | ')}`);
    t.ok(idle(pool), 'connection returned to the pool');

    queries.reset();
    await lock.withLock(uniqueApi('trips'), async () => {});
    t.equal(queries.texts.length, 2, 'the same on a reused connection');
  });

  t.test("the pool's statement_timeout does not cut the wait short", async (t) => {
    const apiId = uniqueApi('stmt');
    // The waiter's connections would cancel any statement after 100 ms; the wait may last 5 s.
    const patient = createPostgresAdvisoryLock(createTestPool(t, { statement_timeout: 100 }), { waitMillis: 5_000 });
    const holder = await holdLock(lockA, apiId);
    const waited = patient.withLock(apiId, async () => 'ran');
    await sleep(400);
    await holder.release();
    t.equal(await waited, 'ran', 'waited past 100 ms and then ran');
  });

  t.test('an API id with quotes and backslashes takes the same lock as the parameterised form', async (t) => {
    const apiId = uniqueApi(`o'brien\\x"; select 1; --`);
    const holder = await holdLock(lockA, apiId);
    // As earlier versions of Gatewire take it: another instance mid-upgrade must still be excluded.
    const { rows } = await poolB.query<{ taken: boolean }>('select pg_try_advisory_lock(hashtext($1), hashtext($2)) as taken', [
      'gatewire:api',
      apiId,
    ]);
    t.equal(rows[0]?.taken, false, 'the lock is held under hashtext(namespace), hashtext(apiId)');
    await holder.release();
    t.equal(await lockB.withLock(apiId, async () => 'b ran'), 'b ran', 'released under the same key');
  });

  t.test('a lock found not held at unlock destroys its connection', async (t) => {
    const pool = createTestPool(t, { max: 1 });
    let client: { query(text: string): Promise<unknown> } | undefined;
    pool.on('acquire', (acquired) => (client = acquired));
    const result = await createPostgresAdvisoryLock(pool).withLock(uniqueApi('lost'), async () => {
      // Stands for anything that drops the lock behind the wrapper's back.
      await client?.query('select pg_advisory_unlock_all()');
      return 'the work result stands';
    });
    t.equal(result, 'the work result stands');
    t.equal(pool.totalCount, 0, 'the connection was destroyed, not pooled');
  });

  t.test('an unreachable database is audit-unavailable', async (t) => {
    const pool = await createPostgresPool('postgres://127.0.0.1:1/test', { connectionTimeoutMillis: 1_000 });
    t.teardown(() => pool.end());
    await t.rejects(
      createPostgresAdvisoryLock(pool).withLock('api', async () => t.fail('must not run')),
      { name: 'DomainError', kind: 'audit-unavailable' },
    );
  });
});

t.test('DynamoDB lock (conditional writes with a lease)', async (t) => {
  const dynamo = await startDynalite(t);
  // Two stores on the same tables stand for two instances of the service.
  const first = await openDynaliteAudit(t, dynamo, 'locks');
  const second = await openDynamoDbAudit(first.url.replace('?createTables=true', ''), {
    region: DYNALITE_REGION,
    endpoint: dynamo.endpoint,
    credentials: DYNALITE_CREDENTIALS,
  });
  t.teardown(() => second.close());
  const lockA = first.lock;
  const lockB = second.lock;

  t.test('many overlapping changes from two instances never overlap', async (t) => {
    const apiId = uniqueApi('many');
    let running = 0;
    let max = 0;
    await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        (index % 2 === 0 ? lockA : lockB).withLock(apiId, async () => {
          running += 1;
          max = Math.max(max, running);
          await sleep(10);
          running -= 1;
        }),
      ),
    );
    t.equal(max, 1);
  });

  t.test('different APIs do not wait for each other; an error releases the lock', async (t) => {
    const holder = await holdLock(lockA, uniqueApi('one'));
    t.equal(await lockB.withLock(uniqueApi('two'), async () => 'ran'), 'ran');
    await holder.release();
    const apiId = uniqueApi('err');
    await t.rejects(lockA.withLock(apiId, async () => Promise.reject(new Error('change failed'))), { message: 'change failed' });
    const started = Date.now();
    t.equal(await lockB.withLock(apiId, async () => 'b ran'), 'b ran');
    t.ok(Date.now() - started < 1_000, 'no wait for a lock left behind');
  });

  t.test('waiting too long is a conflict', async (t) => {
    const apiId = uniqueApi('wait');
    const client = new DynamoDBClient({ region: DYNALITE_REGION, endpoint: dynamo.endpoint, credentials: DYNALITE_CREDENTIALS });
    t.teardown(() => client.destroy());
    const impatient = createDynamoDbLock(client, first.tables.locks, { waitTimeoutMillis: 200 });
    const holder = await holdLock(lockA, apiId);
    await t.rejects(impatient.withLock(apiId, async () => t.fail('must not run')), { name: 'DomainError', kind: 'conflict' });
    await holder.release();
    t.equal(await impatient.withLock(apiId, async () => 'ran'), 'ran', 'free again afterwards');
  });

  t.test('a lock whose holder died is taken once its lease ran out; a live holder renews its lease', async (t) => {
    const apiId = uniqueApi('dead');
    const client = new DynamoDBClient({ region: DYNALITE_REGION, endpoint: dynamo.endpoint, credentials: DYNALITE_CREDENTIALS });
    t.teardown(() => client.destroy());
    // The item a crashed instance leaves behind: its lease ends in 300 ms.
    await client.send(
      new PutItemCommand({
        TableName: first.tables.locks,
        Item: { api_id: { S: apiId }, owner: { S: 'dead-instance' }, expires_at: { N: String(Date.now() + 300) }, ttl: { N: '0' } },
      }),
    );
    const started = Date.now();
    t.equal(await lockB.withLock(apiId, async () => 'taken'), 'taken');
    t.ok(Date.now() - started >= 250, 'not before the lease ran out');

    const shortLease = createDynamoDbLock(client, first.tables.locks, { leaseMs: 300 });
    const other = createDynamoDbLock(client, first.tables.locks, { waitTimeoutMillis: 200 });
    const renewed = await holdLock(shortLease, uniqueApi('live'));
    const liveApi = uniqueApi('live2');
    const holder = await holdLock(shortLease, liveApi);
    await sleep(700);
    await t.rejects(other.withLock(liveApi, async () => t.fail('must not run')), { name: 'DomainError', kind: 'conflict' }, 'still held past two leases');
    await holder.release();
    await renewed.release();
  });
});
