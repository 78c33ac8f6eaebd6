// One behavioural suite for every AuditStore implementation (memory, SQLite, PostgreSQL).
// `makeStore` must return a fresh, empty, migrated store on every call.
import type { Test } from 'tap';
import type { AuditFinal, PendingAudit } from '../../src/domain/audit.js';
import { DomainError } from '../../src/domain/errors.js';
import { createIdGenerator } from '../../src/audit/id.js';
import type { AuditStore } from '../../src/services/ports.js';

export type MakeStore = () => Promise<{ store: AuditStore; close(): Promise<void> }>;

const BASE_TIME = Date.parse('2025-03-01T12:00:00.000Z');

/** Ids and occurredAt both follow a controllable clock, as they do in the change runner. */
function recordFactory() {
  let now = BASE_TIME;
  const ids = createIdGenerator({ now: () => new Date(now) });
  return {
    /** Moves the clock; every record made afterwards is newer. */
    advance(ms: number) {
      now += ms;
    },
    pending(overrides: Partial<PendingAudit> = {}): PendingAudit {
      return {
        id: ids.next(),
        occurredAt: new Date(now).toISOString(),
        actor: { id: 'alice', kind: 'api-key' },
        requestId: 'req-1',
        action: 'route-integration.put',
        apiId: 'api1',
        routeKey: '$default',
        request: { body: { backend: { type: 'mock' } } },
        plan: [{ op: 'createIntegration' }],
        before: null,
        ...overrides,
      };
    },
  };
}

const succeeded: AuditFinal = {
  status: 'succeeded',
  after: { integrationId: 'int1' },
  awsCalls: [{ service: 'apigatewayv2', operation: 'CreateIntegration', requestId: 'r-1', outcome: 'ok', durationMs: 12 }],
  durationMs: 40,
};

async function rejectsWithKind(t: Test, promise: Promise<unknown>, kind: string, message: string) {
  try {
    await promise;
    t.fail(`${message}: expected a ${kind} error`);
  } catch (error) {
    t.ok(error instanceof DomainError, `${message}: a DomainError`);
    t.equal((error as DomainError).kind, kind, message);
  }
}

export function auditStoreContract(t: Test, makeStore: MakeStore): void {
  async function open(t: Test) {
    const handle = await makeStore();
    t.teardown(() => handle.close());
    return handle.store;
  }

  t.test('a pending record, then its final state', async (t) => {
    const store = await open(t);
    const records = recordFactory();
    const pending = records.pending({ idempotencyKey: 'idem-1', integrationId: 'int0' });
    await store.appendPending(pending);

    t.strictSame(await store.get(pending.id), { ...pending, status: 'pending', awsCalls: [] }, 'pending as written');

    await store.finalize(pending.id, { ...succeeded, integrationId: 'int1' });
    t.strictSame(
      await store.get(pending.id),
      {
        ...pending,
        integrationId: 'int1',
        status: 'succeeded',
        after: succeeded.after,
        awsCalls: succeeded.awsCalls,
        durationMs: 40,
      },
      'final fields added, pending fields kept',
    );
  });

  t.test('finalize without an integration id keeps the pending one', async (t) => {
    const store = await open(t);
    const pending = recordFactory().pending({ integrationId: 'int0' });
    await store.appendPending(pending);
    await store.finalize(pending.id, { status: 'failed', after: undefined, awsCalls: [], durationMs: 3 });
    const record = await store.get(pending.id);
    t.equal(record?.integrationId, 'int0');
    t.equal(record?.status, 'failed');
    t.notOk(record !== undefined && 'after' in record, 'undefined after stays absent');
  });

  t.test('a record is finalised once', async (t) => {
    const store = await open(t);
    const pending = recordFactory().pending();
    await store.appendPending(pending);
    await store.finalize(pending.id, succeeded);
    await rejectsWithKind(t, store.finalize(pending.id, { ...succeeded, status: 'failed' }), 'conflict', 'second finalize');
    t.equal((await store.get(pending.id))?.status, 'succeeded', 'first final state kept');
    await rejectsWithKind(t, store.finalize('NOPE', succeeded), 'not-found', 'finalize of an unknown id');
  });

  t.test('get of an unknown id is undefined', async (t) => {
    const store = await open(t);
    t.equal(await store.get('01ARZ3NDEKTSV4RRFFQ69G5FAV'), undefined);
  });

  t.test('list filters', async (t) => {
    const store = await open(t);
    const records = recordFactory();
    const make = async (overrides: Partial<PendingAudit>, final?: AuditFinal) => {
      records.advance(60_000);
      const record = records.pending(overrides);
      await store.appendPending(record);
      if (final !== undefined) await store.finalize(record.id, final);
      return record.id;
    };
    const a = await make({}, succeeded); // 12:01
    const b = await make({ apiId: 'api2' }); // 12:02, pending
    const c = await make({ routeKey: 'sendMessage' }, { ...succeeded, status: 'failed' }); // 12:03
    const d = await make({ actor: { id: 'bob', kind: 'jwt' } }, succeeded); // 12:04
    const e = await make({ action: 'integration.delete' }, { ...succeeded, status: 'partial', leftovers: ['x'] }); // 12:05
    const f = await make({ routeKey: undefined }, succeeded); // 12:06, no route key

    const ids = async (query: Parameters<AuditStore['list']>[0]) =>
      (await store.list(query)).items.map((record) => record.id);

    t.strictSame(await ids({ limit: 50 }), [f, e, d, c, b, a], 'all, newest first');
    t.strictSame(await ids({ limit: 50, apiId: 'api1' }), [f, e, d, c, a], 'apiId');
    t.strictSame(await ids({ limit: 50, apiId: 'api2' }), [b], 'apiId (other)');
    t.strictSame(await ids({ limit: 50, routeKey: 'sendMessage' }), [c], 'routeKey');
    t.strictSame(await ids({ limit: 50, actorId: 'bob' }), [d], 'actorId');
    t.strictSame(await ids({ limit: 50, action: 'integration.delete' }), [e], 'action');
    t.strictSame(await ids({ limit: 50, status: 'pending' }), [b], 'status pending');
    t.strictSame(await ids({ limit: 50, status: 'failed' }), [c], 'status failed');
    t.strictSame(await ids({ limit: 50, status: 'partial' }), [e], 'status partial');
    t.strictSame(await ids({ limit: 50, from: '2025-03-01T12:04:00.000Z' }), [f, e, d], 'from is inclusive');
    t.strictSame(await ids({ limit: 50, to: '2025-03-01T12:03:00.000Z' }), [b, a], 'to is exclusive');
    t.strictSame(
      await ids({ limit: 50, from: '2025-03-01T13:02:00+01:00', to: '2025-03-01T12:05:00Z' }),
      [d, c, b],
      'range, with time zones normalised',
    );
    t.strictSame(await ids({ limit: 50, apiId: 'api1', status: 'succeeded' }), [f, d, a], 'filters combine');
    t.strictSame(await ids({ limit: 50, apiId: 'nope' }), [], 'no match');
  });

  t.test('cursor pagination, newest first', async (t) => {
    const store = await open(t);
    const records = recordFactory();
    const written: string[] = [];
    for (let i = 0; i < 25; i += 1) {
      // Several per millisecond too: the ids stay ordered within one ms.
      if (i % 3 === 0) records.advance(1);
      const record = records.pending({ apiId: i % 2 === 0 ? 'even' : 'odd' });
      await store.appendPending(record);
      written.push(record.id);
    }
    const newestFirst = [...written].reverse();

    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page += 1) {
      const result = await store.list({ limit: 10, ...(cursor === undefined ? {} : { cursor }) });
      sizes.push(result.items.length);
      seen.push(...result.items.map((record) => record.id));
      cursor = result.nextCursor;
      if (cursor === undefined) break;
      t.notMatch(cursor, /[+/=]/, 'cursor is base64url');
    }
    t.strictSame(sizes, [10, 10, 5], 'three pages, the last without a cursor');
    t.strictSame(seen, newestFirst, 'every record once, newest first');

    const exact = await store.list({ limit: 25 });
    t.equal(exact.items.length, 25);
    t.equal(exact.nextCursor, undefined, 'no cursor when nothing follows');

    const firstOdd = await store.list({ limit: 5, apiId: 'odd' });
    const secondOdd = await store.list({ limit: 50, apiId: 'odd', cursor: firstOdd.nextCursor! });
    t.strictSame(
      [...firstOdd.items, ...secondOdd.items].map((record) => record.id),
      newestFirst.filter((_, index) => (written.length - 1 - index) % 2 === 1),
      'cursor combines with filters',
    );

    await rejectsWithKind(t, store.list({ limit: 10, cursor: '!!not a cursor' }), 'validation', 'bad cursor');
    await rejectsWithKind(t, store.list({ limit: 0 }), 'validation', 'limit 0');
    await rejectsWithKind(t, store.list({ limit: 10, from: 'yesterday' }), 'validation', 'bad from');
  });

  t.test('markInterrupted marks old pending records only', async (t) => {
    const store = await open(t);
    const records = recordFactory();
    const old = records.pending();
    const oldFinal = records.pending();
    records.advance(10 * 60_000);
    const recent = records.pending();
    for (const record of [old, oldFinal, recent]) await store.appendPending(record);
    await store.finalize(oldFinal.id, succeeded);

    const cutoff = new Date(BASE_TIME + 5 * 60_000);
    t.equal(await store.markInterrupted(cutoff), 1, 'one record marked');
    t.equal((await store.get(old.id))?.status, 'interrupted');
    t.equal((await store.get(oldFinal.id))?.status, 'succeeded', 'final records untouched');
    t.equal((await store.get(recent.id))?.status, 'pending', 'recent pending untouched');
    t.equal(await store.markInterrupted(cutoff), 0, 'idempotent');
    await rejectsWithKind(t, store.finalize(old.id, succeeded), 'conflict', 'an interrupted record is not finalised');
    t.strictSame(
      (await store.list({ limit: 10, status: 'interrupted' })).items.map((record) => record.id),
      [old.id],
    );
  });

  t.test('JSON fields round-trip exactly', async (t) => {
    const store = await open(t);
    const request = {
      headers: { 'idempotency-key': 'k', authorization: '[redacted]' },
      body: { routes: { $connect: { backend: { type: 'lambda', function: 'fn:live' } }, $disconnect: null } },
      unicode: 'añ ✓ 💥 "quotes" \\ back',
      numbers: [0, -1.5, 1e21, 9007199254740991],
      nested: [[], {}, [null, true, false]],
    };
    const plan = [
      { op: 'createIntegration', params: { integrationType: 'AWS_PROXY' }, compensation: { op: 'deleteIntegration' } },
    ];
    const before = { route: { routeId: 'r1', target: null } };
    const pending = recordFactory().pending({ request, plan, before });
    await store.appendPending(pending);

    const final: AuditFinal = {
      status: 'partial',
      integrationId: 'int9',
      after: { route: { routeId: 'r1', target: 'integrations/int9' }, list: [1, 'two', { three: 3 }] },
      awsCalls: [
        { service: 'apigatewayv2', operation: 'CreateIntegration', requestId: 'a', outcome: 'ok', httpStatus: 201, attempts: 1, durationMs: 10 },
        { service: 'lambda', operation: 'AddPermission', outcome: 'error', error: 'ResourceConflictException', attempts: 3, durationMs: 99 },
      ],
      error: { kind: 'upstream', message: 'AddPermission failed', aws: { error: 'ResourceConflictException', requestId: 'b' } },
      leftovers: ['integration int9 (delete failed)'],
      durationMs: 123,
    };
    await store.finalize(pending.id, final);

    const record = await store.get(pending.id);
    t.strictSame(record?.request, request, 'request');
    t.strictSame(record?.plan, plan, 'plan');
    t.strictSame(record?.before, before, 'before');
    t.strictSame(record?.after, final.after, 'after');
    t.strictSame(record?.awsCalls, final.awsCalls, 'awsCalls');
    t.strictSame(record?.error, final.error, 'error');
    t.strictSame(record?.leftovers, final.leftovers, 'leftovers');
    t.equal(record?.integrationId, 'int9');

    const listed = await store.list({ limit: 1 });
    t.strictSame(listed.items[0], record, 'list returns the same mapping as get');
  });

  t.test('null and undefined stay apart; times are stored in one canonical form', async (t) => {
    const store = await open(t);
    const pending = recordFactory().pending({
      occurredAt: '2025-03-01T13:00:00+01:00',
      request: undefined,
      before: null,
      routeKey: undefined,
    });
    await store.appendPending(pending);
    await store.finalize(pending.id, { status: 'succeeded', after: null, awsCalls: [], durationMs: 1.6 });
    const record = await store.get(pending.id);
    t.equal(record?.occurredAt, '2025-03-01T12:00:00.000Z', 'ISO UTC with milliseconds');
    t.equal(record?.request, undefined);
    t.equal(record?.before, null);
    t.equal(record?.after, null);
    t.equal(record?.durationMs, 2, 'durations are whole milliseconds');
    t.notOk(record !== undefined && 'routeKey' in record, 'absent optional fields stay absent');
  });

  t.test('ping answers while the store is up', async (t) => {
    const store = await open(t);
    await t.resolves(store.ping());
  });

  t.test('a failing store reports audit-unavailable', async (t) => {
    const store = await open(t);
    const records = recordFactory();
    const kept = records.pending();
    await store.appendPending(kept);
    await store.close();
    await t.resolves(store.close(), 'close twice is fine');
    await rejectsWithKind(t, store.ping(), 'audit-unavailable', 'ping');
    await rejectsWithKind(t, store.appendPending(records.pending()), 'audit-unavailable', 'appendPending');
    await rejectsWithKind(t, store.finalize(kept.id, succeeded), 'audit-unavailable', 'finalize');
    await rejectsWithKind(t, store.get(kept.id), 'audit-unavailable', 'get');
    await rejectsWithKind(t, store.list({ limit: 10 }), 'audit-unavailable', 'list');
    await rejectsWithKind(t, store.markInterrupted(new Date()), 'audit-unavailable', 'markInterrupted');
  });
}
